"""from_model: the `conversion` reference cases (an ANN built from
sinabs_swift layers, and the same ANN as a torch.nn.Sequential), options,
live agreement with sinabs.from_model, and bad inputs."""
import numpy as np
import pytest

import sinabs_swift as ss
from conftest import array, reference_cases

CASES = reference_cases("conversion")
TORCH_LAYERS = {"Conv2d": "Conv2d", "ReLU": "ReLU", "AvgPool2d": "AvgPool2d", "Flatten": "Flatten",
                "Linear": "Linear"}


def ours_ann(case):
    model = ss.Sequential(*[getattr(ss.layers, layer["type"])(**layer.get("params", {})) for layer in case["ann"]])
    for name, value in model.named_parameters():
        np.asarray(value)[...] = array(case["ann_parameters"][name])
    return model


def torch_ann(case):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(*[getattr(torch.nn, layer["type"])(**layer.get("params", {}))
                                  for layer in case["ann"]])
    with torch.no_grad():
        for name, value in model.named_parameters():
            value.copy_(torch.from_numpy(array(case["ann_parameters"][name])))
    return model


def check_case(case, ann):
    args = case["from_model_args"]
    snn = ss.from_model(ann, input_shape=args["input_shape"], batch_size=args["batch_size"],
                        spike_threshold=args["spike_threshold"], min_v_mem=args["min_v_mem"])
    out = np.asarray(snn(array(case["spike_input"])))
    expected = array(case["snn_output"])
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    assert out.sum() > 0
    return snn


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_reference_case_ours(name, case):
    ann = ours_ann(case)
    np.testing.assert_allclose(np.asarray(ann(array(case["image"]))), array(case["ann_output"]), rtol=1e-5, atol=1e-6)
    before = {k: np.array(v) for k, v in ann.named_parameters()}
    snn = check_case(case, ann)
    for k, v in ann.named_parameters():
        np.testing.assert_array_equal(np.asarray(v), before[k])  # the ANN is not changed
    assert [layer.kind for layer in snn] == ["Conv2d", "IAFSqueeze", "AvgPool2d", "Flatten", "Linear", "IAFSqueeze"]


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_reference_case_torch(name, case):
    check_case(case, torch_ann(case))


def test_matches_sinabs_live_with_options():
    torch = pytest.importorskip("torch")
    sinabs = pytest.importorskip("sinabs")
    torch.manual_seed(3)
    ann = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Dropout(0.0),  # sinabs runs its zero step in training mode
                              torch.nn.Linear(8, 3))
    kwargs = dict(input_shape=(6,), num_timesteps=5, spike_threshold=0.5, min_v_mem=-0.5,
                  bias_rescaling=2.0, add_spiking_output=True)
    theirs = sinabs.from_model(ann, **kwargs).spiking_model.eval()
    ours = ss.from_model(ann, **kwargs)
    assert len(ours) == len(theirs) == 5
    # One sample: both carry the state of the zero step of input_shape.
    x = (torch.rand(1 * 5, 6) * 2).float()
    with torch.no_grad():
        expected = theirs(x).numpy()
    assert expected.sum() > 0
    np.testing.assert_array_equal(np.asarray(ours(x.numpy())), expected)
    # Three samples from zero states (sinabs resamples states at random when the batch size changes).
    theirs.reset_states() if hasattr(theirs, "reset_states") else [m.reset_states() for m in theirs if hasattr(m, "reset_states")]
    ours.reset_states()
    x = (torch.rand(3 * 5, 6) * 2).float()
    with torch.no_grad():
        expected = theirs(x).numpy()
    np.testing.assert_array_equal(np.asarray(ours(x.numpy())), expected)
    np.testing.assert_allclose(np.asarray(ours[0].bias), ann[0].bias.detach().numpy() / 2, rtol=1e-6)


def test_bad_inputs():
    ann = ss.Sequential(ss.layers.Linear(2, 2), ss.layers.ReLU())
    with pytest.raises(TypeError):
        ss.from_model(ann)  # squeeze needs batch_size or num_timesteps
    with pytest.raises(ValueError):
        ss.from_model(ann, batch_size=1, bias_rescaling=0.0)
    with pytest.raises(ValueError):
        ss.from_model(ann, batch_size=1, bias_rescaling=float("nan"))
    with pytest.raises(ValueError):
        ss.from_model(ann, batch_size=1, input_shape=(3,))
    with pytest.raises(ValueError):
        ss.from_model(ann, batch_size=1, input_shape=())
    with pytest.raises(ValueError):
        ss.from_model(ann, batch_size=1, input_shape=(0,))
    with pytest.raises(TypeError):
        ss.from_model(ann, batch_size=1, input_shape=[None])
    with pytest.raises(TypeError):
        ss.from_model(object(), batch_size=1)
    with pytest.raises(TypeError):
        ss._native.model_from_ann(object(), 1, 1.0, False, None)
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        ss.from_model(torch.nn.Sequential(torch.nn.Tanh()), batch_size=1)
