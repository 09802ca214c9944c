"""normalize_weights against sinabs.utils.normalize_weights on the same ANN,
compare_activations' shapes and agreement, and bad inputs."""
import numpy as np
import pytest

import sinabs_swift as ss
from sinabs_swift.conversion import _from_torch


def torch_ann():
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(36, 5), torch.nn.ReLU())


def test_matches_sinabs():
    torch = pytest.importorskip("torch")
    sinabs_utils = pytest.importorskip("sinabs.utils")
    theirs = torch_ann()
    ours = _from_torch(theirs)
    data = torch.rand(16, 1, 8, 8)
    sinabs_utils.normalize_weights(theirs, data, output_layers=["1", "5"], param_layers=["0", "4"], percentile=99)
    ss.normalize_weights(ours, data.numpy(), output_layers=["1", "5"], param_layers=["0", "4"], percentile=99)
    for name, value in ours.named_parameters():
        expected = dict(theirs.named_parameters())[name].detach().numpy()
        np.testing.assert_allclose(np.asarray(value), expected, rtol=1e-5, atol=1e-7)
    out = np.asarray(ours[5](ours[4](ours[3](ours[2](ours[1](ours[0](data.numpy())))))))
    assert np.percentile(out, 99) == pytest.approx(1.0, rel=1e-4)


def test_compare_activations():
    ann = _from_torch(torch_ann())
    snn = ss.from_model(ann, batch_size=1)
    data = (np.random.default_rng(0).random((50, 1, 8, 8)) < 0.5).astype(np.float32)
    ann_act, snn_act, names = ss.compare_activations(ann, snn, data, compute_rate=True)
    assert names == ["Input", "1", "5"]
    assert [a.shape for a in ann_act[1:]] == [(1, 4, 6, 6), (1, 5)]
    assert [a.shape for a in snn_act[1:]] == [(4, 6, 6), (5,)]
    # rate coding: spikes per step approximate the ANN's activity of the mean input
    rates = snn_act[1] / 1000
    assert np.corrcoef(rates.ravel(), ann_act[1].ravel())[0, 1] > 0.9


def test_bad_inputs():
    ann = ss.Sequential(ss.layers.Linear(2, 2), ss.layers.ReLU())
    x = np.ones((3, 2), np.float32)
    with pytest.raises(ValueError):
        ss.normalize_weights(ann, x, ["1"], [])
    with pytest.raises(ValueError):
        ss.normalize_weights(ann, x, ["1"], ["0"], percentile=101)
    with pytest.raises(IndexError):
        ss.normalize_weights(ann, x, ["7"], ["0"])
    np.asarray(ann[0].weight)[...] = 0
    np.asarray(ann[0].bias)[...] = -1
    with pytest.raises(ValueError):
        ss.normalize_weights(ann, x, ["1"], ["0"])  # silent layer: percentile 0
