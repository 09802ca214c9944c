"""Encoders and helpers against sinabs.layers (deterministic parts exactly,
random ones by their statistics and seeds), event binning against a loop,
and bad inputs."""
import numpy as np
import pytest

from sinabs_swift import encoders as enc


def test_img2spike_rates_signs_and_seed():
    image = np.array([[0, 64, 128, 255], [-255, -128, 0, 255]], np.float32)
    layer = enc.Img2SpikeLayer(tw=4000, max_rate=500, negative_spikes=True, seed=1)
    spikes = layer(image)
    assert spikes.shape == (4000, 2, 4)
    np.testing.assert_allclose(np.abs(spikes).mean(0), np.abs(image) / 255 * 0.5, atol=0.03)
    assert (np.sign(spikes.sum(0)) == np.sign(image)).all()
    assert layer.spikes_number == np.abs(spikes).sum()
    again = enc.Img2SpikeLayer(tw=4000, max_rate=500, negative_spikes=True, seed=1)(image)
    np.testing.assert_array_equal(spikes, again)
    assert (enc.Img2SpikeLayer(tw=10)(-image.clip(max=0) * 0 - 5) == 0).all()  # no negative spikes by default
    assert enc.Img2SpikeLayer(tw=3, squeeze=True)(image[None, None]).shape == (3, 2, 4)


def test_sig2spike_matches_sinabs_without_spikes_and_rates_with():
    torch = pytest.importorskip("torch")
    sinabs_layers = pytest.importorskip("sinabs.layers")
    signal = np.random.default_rng(0).random((3, 5)).astype(np.float32)
    theirs = sinabs_layers.Sig2SpikeLayer(3, tw=4, spk_out=False)(torch.from_numpy(signal)).numpy()
    np.testing.assert_array_equal(enc.Sig2SpikeLayer(3, tw=4, spk_out=False)(signal), theirs)
    spikes = enc.Sig2SpikeLayer(3, tw=2000, seed=2)(signal)
    assert spikes.shape == (5 * 2000, 3)
    np.testing.assert_allclose(spikes.reshape(5, 2000, 3).mean(1), signal.T, atol=0.04)


def test_quantize_and_neuromorphic_relu_match_sinabs():
    torch = pytest.importorskip("torch")
    sinabs_layers = pytest.importorskip("sinabs.layers")
    x = (np.random.default_rng(1).standard_normal((4, 6)) * 3).astype(np.float32)
    np.testing.assert_array_equal(enc.QuantizeLayer()(x), sinabs_layers.QuantizeLayer()(torch.from_numpy(x)).numpy())
    for stochastic in (False, True):
        theirs = sinabs_layers.NeuromorphicReLU(fanout=3, stochastic_rounding=stochastic).eval()
        ours = enc.NeuromorphicReLU(fanout=3, stochastic_rounding=stochastic)
        np.testing.assert_array_equal(ours(x), theirs(torch.from_numpy(x)).numpy())
        assert ours.activity == pytest.approx(float(theirs.activity))
    rounding = enc.NeuromorphicReLU(stochastic_rounding=True, seed=0).train()
    values = np.full((20000,), 2.25, np.float32)
    assert rounding(values).mean() == pytest.approx(2.25, abs=0.02)
    np.testing.assert_array_equal(enc.QuantizeLayer().backward(x), x)
    np.testing.assert_array_equal(rounding.backward(np.ones_like(values)), np.ones_like(values))


def test_events_to_frames_equals_a_loop():
    rng = np.random.default_rng(3)
    n = 500
    t = np.sort(rng.random(n) * 1000)
    x, y, p = rng.integers(0, 7, n), rng.integers(0, 5, n), rng.integers(0, 2, n)
    frames = enc.events_to_frames(t, x, y, p, sensor_size=(5, 7), dt=100.0, t_start=0.0)
    expected = np.zeros((10, 2, 5, 7), np.float32)
    for ti, xi, yi, pi in zip(t, x, y, p):
        expected[int(ti // 100), pi, yi, xi] += 1
    np.testing.assert_array_equal(frames, expected)
    binned = enc.events_to_frames(t, x, y, p, sensor_size=(5, 7), n_time_bins=4)
    assert binned.shape == (4, 2, 5, 7) and binned.sum() == n


def test_bad_inputs():
    with pytest.raises(ValueError):
        enc.Img2SpikeLayer(tw=0)
    with pytest.raises(ValueError):
        enc.Img2SpikeLayer(norm=0)
    with pytest.raises(ValueError):
        enc.Sig2SpikeLayer(2)(np.ones(3))
    with pytest.raises(RuntimeError):
        enc.NeuromorphicReLU().backward(np.ones(2))
    ok = dict(t=[0, 1], x=[0, 1], y=[0, 1], p=[0, 1])
    with pytest.raises(ValueError):
        enc.events_to_frames(**ok, sensor_size=(2, 2))  # neither n_time_bins nor dt
    with pytest.raises(ValueError):
        enc.events_to_frames(**ok, sensor_size=(2, 2), dt=0)
    with pytest.raises(ValueError):
        enc.events_to_frames(t=[0], x=[5], y=[0], p=[1], sensor_size=(2, 2), dt=1)
    with pytest.raises(ValueError):
        enc.events_to_frames(t=[0, 1], x=[0], y=[0], p=[1], sensor_size=(2, 2), dt=1)
    with pytest.raises(ValueError):
        enc.events_to_frames(**ok, sensor_size=(2, 2), dt=1, t_start=5)
