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


# ---- the core's stream: committed values, numpy reference, C (ctypes) -------------------

# SplitMix64(42)'s first outputs, top 24 bits (also in tests/c/test_encoders.c and the Swift tests).
DRAWS_42 = [12441394, 2682851, 4674151, 5774561, 638040, 14566449, 3664231, 13432373]


def splitmix_draws(seed, first, count):
    """Draws first..first+count-1 of the encoders' stream, in numpy (the reference)."""
    k = np.arange(first, first + count, dtype=np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + k * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)


def c_library():
    """The libsinabs the extension loaded, through ctypes (its C ABI)."""
    import ctypes
    import os
    from sinabs_swift import _native
    lib = ctypes.CDLL(os.path.join(os.path.dirname(_native.__file__), "libsinabs.so.0"))
    u64p = ctypes.POINTER(ctypes.c_uint64)
    lib.sinabs_img2spike_layer_create.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int64, ctypes.c_float,
                                                  ctypes.c_float, ctypes.c_int32, ctypes.c_int32, u64p]
    lib.sinabs_tensor_create_copy.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64),
                                              ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64]
    lib.sinabs_layer_forward.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_void_p]
    lib.sinabs_tensor_data.argtypes = [ctypes.POINTER(ctypes.POINTER(ctypes.c_float)), ctypes.c_void_p]
    lib.sinabs_uniform_draws.argtypes = [ctypes.POINTER(ctypes.c_float), ctypes.c_int64, ctypes.c_uint64,
                                         ctypes.c_uint64]
    for name in ("sinabs_tensor_free", "sinabs_layer_free"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = None
    return lib


def c_img2spike(image, tw, max_rate, norm, negative_spikes, seed):
    """Img2SpikeLayer run from C through ctypes: (tw, *image.shape) spikes."""
    import ctypes
    lib = c_library()
    layer, tensor, out = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.sinabs_img2spike_layer_create(ctypes.byref(layer), tw, max_rate, norm, 0, int(negative_spikes),
                                             ctypes.byref(ctypes.c_uint64(seed))) == 0
    image = np.ascontiguousarray(image, np.float32)
    shape = (ctypes.c_int64 * image.ndim)(*image.shape)
    assert lib.sinabs_tensor_create_copy(ctypes.byref(tensor), shape, image.ndim, image.ctypes.data, image.size) == 0
    assert lib.sinabs_layer_forward(ctypes.byref(out), layer, tensor) == 0
    data = ctypes.POINTER(ctypes.c_float)()
    assert lib.sinabs_tensor_data(ctypes.byref(data), out) == 0
    spikes = np.ctypeslib.as_array(data, shape=(tw,) + image.shape).copy()
    for handle in (out, tensor):
        lib.sinabs_tensor_free(handle)
    lib.sinabs_layer_free(layer)
    return spikes


def test_stream_matches_committed_values_numpy_and_c():
    from sinabs_swift import _native
    expected = np.array(DRAWS_42, np.float32) * np.float32(2.0**-24)
    np.testing.assert_array_equal(np.asarray(_native.uniform_draws(8, 42, 0)), expected)
    np.testing.assert_array_equal(splitmix_draws(42, 0, 8), expected)
    np.testing.assert_array_equal(np.asarray(_native.uniform_draws(1000, 2**64 - 5, 123)),
                                  splitmix_draws(2**64 - 5, 123, 1000))
    import ctypes
    buffer = (ctypes.c_float * 8)()
    assert c_library().sinabs_uniform_draws(buffer, 8, 42, 0) == 0
    np.testing.assert_array_equal(np.array(buffer), expected)


def test_img2spike_checksum_and_same_spikes_from_c_and_python():
    layer = enc.Img2SpikeLayer(tw=50, max_rate=1000, norm=100, negative_spikes=True, seed=7)
    x = np.arange(100, dtype=np.float32) - 20
    index = np.arange(5000, dtype=np.float64)
    first = layer(x).copy()
    second = layer(x).copy()  # the stream continues
    for spikes, (count, checksum) in ((first, (1720, 3777003.0)), (second, (1665, 3678021.0))):
        assert np.abs(spikes).sum() == count and (spikes.ravel() * index).sum() == checksum
    np.testing.assert_array_equal(first, c_img2spike(x, 50, 1000, 100, True, 7))
    draws = splitmix_draws(7, 0, 5000).reshape(50, 100)
    reference = np.where(draws < np.abs(x) / np.float32(100) * np.float32(1.0), np.sign(x), 0)
    np.testing.assert_array_equal(first, reference)


def test_manual_seed_makes_unseeded_encoders_reproducible():
    import sinabs_swift
    image = np.linspace(0, 255, 30, dtype=np.float32).reshape(5, 6)
    runs = []
    for _ in range(2):
        sinabs_swift.manual_seed(11)
        runs.append((enc.Img2SpikeLayer(tw=20)(image).copy(), enc.Sig2SpikeLayer(5, tw=3)(image / 255).copy(),
                     enc.NeuromorphicReLU(stochastic_rounding=True).train()(image / 10).copy()))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    sinabs_swift.manual_seed(12)
    assert not np.array_equal(enc.Img2SpikeLayer(tw=20)(image), runs[0][0])


@pytest.mark.parametrize("value,max_rate,norm", [(64.0, 1000, 255.0), (200.0, 300, 255.0), (0.3, 800, 1.0)])
def test_img2spike_rate_within_binomial_bounds(value, max_rate, norm):
    n = 200_000
    spikes = enc.Img2SpikeLayer(tw=n // 100, max_rate=max_rate, norm=norm, seed=5)(np.full(100, value, np.float32))
    p = value / norm * max_rate / 1000
    assert abs(spikes.mean() - p) <= 5 * np.sqrt(p * (1 - p) / n)  # 5 sigma


def test_sig2spike_rate_within_binomial_bounds():
    n = 100_000
    signal = np.array([[0.1], [0.5], [0.9]], np.float32)
    spikes = enc.Sig2SpikeLayer(3, tw=n, norm_level=2.0, seed=9)(signal)
    p = signal[:, 0] / 2.0
    assert (np.abs(spikes.mean(0) - p) <= 5 * np.sqrt(p * (1 - p) / n)).all()


def numpy_frames(t, x, y, p, height, width, n_time_bins=None, dt=None, t_start=None):
    """The reference binning: the convention of events_to_frames' docstring, in numpy."""
    t = np.asarray(t, np.float64)
    start = (t.min() if len(t) else 0.0) if t_start is None else t_start
    if dt is not None:
        bins = np.floor((t - start) / dt).astype(np.int64)
        count = int(bins.max()) + 1 if len(t) else 0
    else:
        count, span = n_time_bins, t.max() - start
        bins = np.minimum(((t - start) / span * count).astype(np.int64), count - 1) if span > 0 else np.zeros(len(t), int)
    frames = np.zeros((count, 2, height, width), np.float32)
    np.add.at(frames, (bins, (np.asarray(p) > 0).astype(int), y, x), 1)
    return frames


@pytest.mark.parametrize("seed", range(4))
def test_events_to_frames_against_numpy_on_random_events(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    height, width = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    t = rng.integers(0, 100_000, n).astype(np.int64)  # unsorted microseconds, as tonic's int64 t
    x, y = rng.integers(0, width, n).astype(np.int16), rng.integers(0, height, n).astype(np.int16)
    p = rng.integers(0, 2, n).astype(bool)
    for kwargs in (dict(dt=1000.0), dict(dt=777.5, t_start=0.0), dict(n_time_bins=7), dict(n_time_bins=1)):
        ours = enc.events_to_frames(t, x, y, p, sensor_size=(height, width), **kwargs)
        np.testing.assert_array_equal(ours, numpy_frames(t, x, y, p, height, width, **kwargs))


def test_events_outside_the_sensor_or_not_finite_are_errors():
    for bad in (dict(x=[0, -1]), dict(y=[0, 2]), dict(x=[0, 2**40]), dict(t=[0.0, np.nan])):
        events = dict(t=[0.0, 1.0], x=[0, 1], y=[0, 1], p=[1, 0])
        events.update(bad)
        with pytest.raises(ValueError):
            enc.events_to_frames(**events, sensor_size=(2, 2), dt=1.0)
    with pytest.raises(MemoryError):
        enc.events_to_frames(t=[0.0, 1.0], x=[0, 1], y=[0, 1], p=[1, 0], sensor_size=(2, 2), dt=1e-300)


def test_neuromorphic_relu_and_quantize_forward_backward_parity_with_sinabs():
    torch = pytest.importorskip("torch")
    sinabs_layers = pytest.importorskip("sinabs.layers")
    x = (np.random.default_rng(4).standard_normal((6, 5)) * 3).astype(np.float32)
    x[0, :3] = [0.0, 0.5, 2.5]  # ties: ReLU's gradient at 0, round half to even
    grad = np.random.default_rng(5).standard_normal(x.shape).astype(np.float32)
    cases = [(enc.NeuromorphicReLU(fanout=2), sinabs_layers.NeuromorphicReLU(fanout=2)),
             (enc.NeuromorphicReLU(quantize=False), sinabs_layers.NeuromorphicReLU(quantize=False)),
             (enc.NeuromorphicReLU(stochastic_rounding=True, seed=1), sinabs_layers.NeuromorphicReLU(stochastic_rounding=True)),
             (enc.QuantizeLayer(), sinabs_layers.QuantizeLayer()),
             (enc.QuantizeLayer(quantize=False), sinabs_layers.QuantizeLayer(quantize=False))]
    for ours, theirs in cases:
        ours.train()
        theirs.train()
        xt = torch.from_numpy(x.copy()).requires_grad_(True)
        out_t = theirs(xt)
        out_t.backward(torch.from_numpy(grad))
        out = ours(x)
        if not getattr(ours, "stochastic_rounding", False):  # stochastic values differ by stream
            np.testing.assert_array_equal(out, out_t.detach().numpy())
        else:
            assert ((out == np.floor(np.maximum(x, 0))) | (out == np.floor(np.maximum(x, 0)) + 1)).all()
        np.testing.assert_array_equal(ours.backward(grad), xt.grad.numpy())
        if isinstance(ours, enc.NeuromorphicReLU) and not ours.stochastic_rounding:
            assert ours.activity == pytest.approx(float(theirs.activity.detach()), rel=1e-6)


def test_encoder_layers_in_a_sequential_save_load_and_from_model(tmp_path):
    import sinabs_swift
    from sinabs_swift import layers
    model = layers.Sequential(enc.QuantizeLayer(), layers.Linear(4, 3), enc.NeuromorphicReLU(fanout=2))
    x = np.random.default_rng(0).random((5, 4)).astype(np.float32) * 3
    before = np.array(model(x))
    path = tmp_path / "m.safetensors"
    model.save(str(path))
    loaded = layers.Sequential.load(str(path))
    np.testing.assert_array_equal(np.array(loaded(x)), before)
    snn = sinabs_swift.from_model(model, batch_size=1)
    assert "IAF" in repr(snn) or len(snn) == 3


def test_spikes_do_not_depend_on_the_thread_count():
    import sinabs_swift
    image = np.random.default_rng(6).random((3, 64, 64)).astype(np.float32) * 255  # split across threads
    previous = sinabs_swift.get_num_threads()
    try:
        runs = []
        for threads in (1, 2):
            sinabs_swift.set_num_threads(threads)
            runs.append(enc.Img2SpikeLayer(tw=20, negative_spikes=True, seed=3)(image - 128).copy())
        np.testing.assert_array_equal(runs[0], runs[1])
        draws = splitmix_draws(3, 0, runs[0].size).reshape(runs[0].shape)
        x = image - 128
        np.testing.assert_array_equal(runs[0], np.where(draws < np.abs(x) / np.float32(255), np.sign(x), 0))
    finally:
        sinabs_swift.set_num_threads(previous)
