"""The sinabs-like Python API: attributes, states, parameters, resets,
recordings, Linear, Sequential, activations."""
import inspect
import threading
import time

import numpy as np
import pytest

import sinabs_swift as ss


def x_of(*shape, value=None, seed=0):
    if value is not None:
        return np.full(shape, value, dtype=np.float32)
    return np.random.default_rng(seed).random(shape, dtype=np.float32) * 2


def test_version_and_threads():
    assert ss.__version__ == "0.1.0" and ss.library_version == "0.1.0"
    n = ss.get_num_threads()
    ss.set_num_threads(1)
    assert ss.get_num_threads() == 1
    ss.set_num_threads(n)


def test_constructor_signatures_follow_sinabs():
    sinabs = pytest.importorskip("sinabs")
    import sinabs.layers.alif as sinabs_alif
    for name in ["IAF", "LIF", "ExpLeak", "ALIF", "IAFRecurrent", "LIFRecurrent", "ALIFRecurrent",
                 "IAFSqueeze", "LIFSqueeze", "ExpLeakSqueeze", "ALIFSqueeze"]:
        theirs = getattr(sinabs.layers, name, None) or getattr(sinabs_alif, name)
        ours = getattr(ss.layers, name)
        want = [(p.name, p.default if not hasattr(p.default, "item") else p.default.item())
                for p in inspect.signature(theirs).parameters.values()]
        have = [(p.name, p.default) for p in inspect.signature(ours).parameters.values()]
        assert [n for n, _ in have] == [n for n, _ in want], name
        for (n, a), (_, b) in zip(have, want):
            if inspect.isclass(b) or isinstance(b, (int, float, bool, type(None))):
                assert (a.__name__ if inspect.isclass(a) else a) == \
                       (b.__name__ if inspect.isclass(b) else b), f"{name}.{n}"
            else:  # activation instances: same class name and fields
                assert type(a).__name__ == type(b).__name__ and vars(a) == vars(b), f"{name}.{n}"


def test_activation_defaults_follow_sinabs():
    sinabs = pytest.importorskip("sinabs")
    for name in ["MaxSpike", "MembraneSubtract", "MembraneReset", "SingleExponential",
                 "Heaviside", "Gaussian", "MultiGaussian", "PeriodicExponential"]:
        assert vars(getattr(ss.activation, name)()) == vars(getattr(sinabs.activation, name)()), name


def test_shape_and_states_before_and_after_forward():
    layer = ss.layers.LIF(tau_mem=10.0, tau_syn=5.0)
    assert layer.shape is None and layer.v_mem.shape == (0,)
    assert layer.state_names == ("v_mem", "i_syn")
    layer(x_of(3, 4, 5))
    assert layer.shape == (3, 5) and layer.i_syn.shape == (3, 5)


def test_shape_argument_initialises_states():
    layer = ss.layers.IAF(shape=(2, 7))
    assert layer.shape == (2, 7)
    assert np.all(np.asarray(layer.v_mem) == 0)


def test_states_are_settable_from_arrays():
    layer = ss.layers.IAF()
    layer(x_of(1, 1, 3, value=0.0))
    layer.v_mem = np.array([[0.9, 0.0, -0.2]], dtype=np.float32)
    out = np.asarray(layer(x_of(1, 1, 3, value=0.2)))
    assert out.tolist() == [[[1.0, 0.0, 0.0]]]
    assert np.asarray(layer.v_mem) == pytest.approx(np.array([[0.1, 0.2, 0.0]]), abs=1e-6)
    torch = pytest.importorskip("torch")
    layer.v_mem = torch.tensor([[0.5, 0.5, 0.5]])
    assert np.asarray(layer.v_mem).tolist() == [[0.5, 0.5, 0.5]]


def test_parameters_read_and_write():
    layer = ss.layers.LIF(tau_mem=10.0, spike_threshold=2.0, min_v_mem=-1.0)
    assert float(layer.tau_mem) == 10.0 and float(layer.spike_threshold) == 2.0
    assert float(layer.min_v_mem) == -1.0 and layer.tau_syn is None
    assert "tau_mem" in layer.parameter_names
    layer.tau_mem = 20.0
    assert float(layer.tau_mem) == 20.0
    layer.spike_threshold = np.float32(0.5)
    out = np.asarray(layer(x_of(1, 1, 2, value=10.0)))
    # v = (1 - exp(-1/20)) * 10 = 0.4877 < 0.5: no spike; then with 0.4 threshold...
    assert out.tolist() == [[[0.0, 0.0]]]
    layer.spike_threshold = 0.4
    layer.reset_states()
    assert np.asarray(layer(x_of(1, 1, 2, value=10.0))).tolist() == [[[1.0, 1.0]]]
    alphas = ss.layers.LIF(tau_mem=10.0, train_alphas=True)
    assert float(alphas.alpha_mem) == pytest.approx(np.exp(-0.1))
    with pytest.raises(AttributeError):
        alphas.tau_mem  # sinabs: only alpha_mem exists with train_alphas


def test_reset_states_zero_and_random():
    layer = ss.layers.LIF(tau_mem=5.0, tau_syn=3.0)
    layer(x_of(2, 3, 4))
    layer.reset_states()
    assert not np.any(np.asarray(layer.v_mem)) and not np.any(np.asarray(layer.i_syn))
    layer.reset_states(randomize=True, value_ranges={"v_mem": (-2.0, -1.0)}, seed=7)
    v = np.asarray(layer.v_mem).copy()
    i = np.asarray(layer.i_syn).copy()
    assert np.all((v >= -2.0) & (v <= -1.0)) and np.all((i >= 0.0) & (i <= 1.0))
    assert len(np.unique(v)) > 1
    layer.reset_states(randomize=True, value_ranges={"v_mem": (-2.0, -1.0)}, seed=7)
    assert np.array_equal(np.asarray(layer.v_mem), v)  # same seed, same draw


def test_recordings_and_firing_rate():
    layer = ss.layers.IAF(record_states=True)
    out = np.asarray(layer(x_of(2, 5, 3, seed=3)))
    recordings = layer.recordings
    assert set(recordings) == {"v_mem"} and recordings["v_mem"].shape == (2, 5, 3)
    assert np.asarray(recordings["v_mem"])[:, -1] == pytest.approx(np.asarray(layer.v_mem))
    assert layer.firing_rate == pytest.approx(out.mean())
    assert ss.layers.IAF().recordings == {}


def test_squeeze_forms():
    x = x_of(6, 4, seed=1)  # (Batch*Time, N) with Batch=2, Time=3
    plain = np.asarray(ss.layers.IAF()(x.reshape(2, 3, 4))).reshape(6, 4)
    by_batch = ss.layers.IAFSqueeze(batch_size=2)
    by_time = ss.layers.IAFSqueeze(num_timesteps=3)
    assert np.array_equal(np.asarray(by_batch(x)), plain)
    assert np.array_equal(np.asarray(by_time(x)), plain)
    assert (by_batch.batch_size, by_batch.num_timesteps) == (2, -1)
    assert by_batch.shape == (2, 4)
    lif = ss.layers.LIFSqueeze(tau_mem=4.0, batch_size=2)
    assert float(lif.tau_mem) == 4.0


def test_recurrent_with_our_linear_and_shared_weight_view():
    linear = ss.Linear(3, 3, bias=False)
    linear.weight = np.eye(3, dtype=np.float32)
    layer = ss.layers.IAFRecurrent(rec_connect=linear)
    assert np.array_equal(np.asarray(layer.rec_connect.weight), np.eye(3))
    out = np.asarray(layer(np.array([[[1.0, 0, 0], [0, 0, 0], [0, 0, 0]]], dtype=np.float32)))
    # the spike at step 0 comes back through the identity weight at every step
    assert out[0, :, 0].tolist() == [1.0, 1.0, 1.0]
    layer.rec_connect.weight = np.zeros((3, 3), dtype=np.float32)
    layer.reset_states()
    out = np.asarray(layer(np.array([[[1.0, 0, 0], [0, 0, 0]]], dtype=np.float32)))
    assert out[0, :, 0].tolist() == [1.0, 0.0]


def test_recurrent_bias_is_added_and_shared():
    linear = ss.Linear(2, 2)
    linear.weight = np.zeros((2, 2), dtype=np.float32)
    linear.bias = np.array([0.6, 0.0], dtype=np.float32)
    layer = ss.layers.IAFRecurrent(rec_connect=linear)
    assert "rec_connect.bias" in layer.parameter_names
    assert np.asarray(layer.rec_connect.bias).tolist() == pytest.approx([0.6, 0.0])
    out = np.asarray(layer(np.zeros((1, 3, 2), dtype=np.float32)))
    # the bias enters from the second step on (rec_connect of the first step's spikes)
    assert out[0, :, 0].tolist() == [0.0, 0.0, 1.0]
    layer.rec_connect.bias = np.zeros(2, dtype=np.float32)
    assert not np.any(np.asarray(layer.rec_connect.bias))


def test_recurrent_accepts_torch_linear():
    torch = pytest.importorskip("torch")
    linear = torch.nn.Linear(4, 4, bias=False)
    layer = ss.layers.LIFRecurrent(tau_mem=5.0, rec_connect=linear)
    assert np.allclose(np.asarray(layer.rec_connect.weight), linear.weight.detach().numpy())


def test_linear_layer():
    linear = ss.Linear(4, 2)
    assert linear.weight.shape == (2, 4) and linear.bias.shape == (2,)
    bound = 1 / np.sqrt(4)
    assert np.all(np.abs(np.asarray(linear.weight)) <= bound)
    w = np.arange(8, dtype=np.float32).reshape(2, 4)
    linear.weight = w
    linear.bias = np.array([1.0, -1.0], dtype=np.float32)
    x = x_of(3, 5, 4)
    assert np.asarray(linear(x)) == pytest.approx(x @ w.T + np.array([1.0, -1.0]), rel=1e-5)
    assert ss.Linear(2, 2, bias=False).bias is None


def test_sequential_runs_layers_in_order():
    linear = ss.Linear(3, 2, bias=False)
    linear.weight = np.ones((2, 3), dtype=np.float32)
    model = ss.Sequential(linear, ss.layers.IAF())
    assert len(model) == 2 and model[0] is linear
    x = x_of(1, 2, 3, value=0.5)
    out = np.asarray(model(x))
    assert out.tolist() == [[[1.0, 1.0], [2.0, 2.0]]]  # v = 1.5 -> 1 spike, then 2.0 -> 2 spikes
    model.reset_states()
    assert np.asarray(model(x)).tolist() == out.tolist()


def test_alif_threshold_state_and_b0():
    layer = ss.layers.ALIF(tau_mem=5.0, tau_adapt=10.0, spike_threshold=0.8)
    assert layer.b0 == 0.8 and layer.adapt_scale == 1.8
    assert layer.state_names == ("v_mem", "b", "spike_threshold")
    layer(x_of(1, 3, 2, value=5.0))
    assert np.all(np.asarray(layer.spike_threshold) >= 0.8)


def test_sinabs_activation_objects_are_accepted():
    sinabs = pytest.importorskip("sinabs")
    layer = ss.layers.IAF(spike_fn=sinabs.activation.MaxSpike(1),
                          reset_fn=sinabs.activation.MembraneReset(),
                          surrogate_grad_fn=sinabs.activation.Heaviside(0.3))
    out = np.asarray(layer(x_of(1, 1, 2, value=3.0)))
    assert out.tolist() == [[[1.0, 1.0]]] and not np.any(np.asarray(layer.v_mem))


def test_forward_releases_the_gil():
    """While a long forward runs in a thread, this thread keeps running. Were
    the GIL held, this thread would stall for the whole call."""
    threads = ss.get_num_threads()
    ss.set_num_threads(1)  # leave a core to this thread (the machine may have 2)
    layer = ss.layers.LIF(tau_mem=5.0)
    x = x_of(8, 800, 4096)  # about 40 ms on one thread
    out = np.empty_like(x)
    call = {}

    def work():
        call["start"] = time.perf_counter()
        layer(x, out=out)
        call["end"] = time.perf_counter()

    worker = threading.Thread(target=work)
    stamps = []
    worker.start()
    while worker.is_alive():
        stamps.append(time.perf_counter())
    worker.join()
    ss.set_num_threads(threads)
    inside = [t for t in stamps if call["start"] < t < call["end"]]
    duration = call["end"] - call["start"]
    assert duration > 0.02, "workload too small to observe"
    gaps = np.diff([call["start"], *inside, call["end"]])
    assert len(inside) > 10 and gaps.max() < 0.9 * duration, (
        f"{len(inside)} iterations during a {duration:.3f}s call, longest stall {gaps.max():.3f}s")


def test_same_layer_from_two_threads_is_refused_not_a_crash():
    layer = ss.layers.LIF(tau_mem=5.0)
    x = x_of(8, 400, 4096)
    out = np.empty_like(x)
    refused = 0
    # A loaded machine may not run this thread while the worker holds the
    # layer: try a few forwards until one overlaps.
    for _ in range(20):
        worker = threading.Thread(target=layer, args=(x,), kwargs={"out": out})
        worker.start()
        while worker.is_alive():
            try:
                layer.firing_rate
            except RuntimeError as error:
                assert "another thread" in str(error)
                refused += 1
        worker.join()
        if refused:
            break
    assert refused > 0
    assert 0.0 <= layer.firing_rate <= 1.0  # usable again afterwards


def test_construction_options_are_read_only():
    layer = ss.layers.LIF(tau_mem=5.0)
    assert layer.record_states is False and layer.norm_input is True
    with pytest.raises(AttributeError, match="fixed"):
        layer.record_states = True
    with pytest.raises(AttributeError, match="fixed"):
        layer.spike_fn = ss.activation.SingleSpike
    layer.my_note = "free attributes still work"
    assert layer.my_note == "free attributes still work"


@pytest.mark.parametrize("make", [
    lambda: ss.layers.LIF(tau_mem=7.0, tau_syn=3.0, record_states=True),
    lambda: ss.layers.ALIFSqueeze(tau_mem=5.0, tau_adapt=9.0, batch_size=2),
    lambda: ss.layers.IAFRecurrent(rec_connect=ss.Linear(4, 4, bias=False)),
    lambda: ss.layers.ExpLeak(tau_mem=4.0, train_alphas=True),
], ids=["LIF", "ALIFSqueeze", "IAFRecurrent", "ExpLeak"])
def test_deepcopy_and_pickle_make_independent_equal_layers(make):
    import copy
    import pickle

    layer = make()
    x = x_of(2, 6, 4, seed=5)
    if isinstance(layer, ss.layers.ALIFSqueeze):
        x = x.reshape(12, 4)
    layer(x)
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert type(clone) is type(layer) and clone.native is not layer.native
        assert clone.parameter_names == layer.parameter_names
        for name in layer.state_names:
            assert np.array_equal(np.asarray(getattr(clone, name)), np.asarray(getattr(layer, name)))
        assert np.array_equal(np.asarray(clone(x)), np.asarray(copy.deepcopy(layer)(x)))
        if hasattr(layer, "rec_connect"):
            assert np.array_equal(np.asarray(clone.rec_connect.weight),
                                  np.asarray(layer.rec_connect.weight))
    fresh = make()
    assert fresh.shape is None
    clone = copy.deepcopy(fresh)  # before any forward: states stay uninitialised
    assert clone.shape is None


def test_deepcopy_of_linear_and_sequential():
    import copy
    import pickle

    linear = ss.Linear(3, 2)
    model = ss.Sequential(linear, ss.layers.IAF())
    x = x_of(1, 4, 3, seed=2)
    expected = np.asarray(model(x)).copy()
    model.reset_states()
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert clone[0] is not linear
        assert np.array_equal(np.asarray(clone[0].weight), np.asarray(linear.weight))
        assert np.array_equal(np.asarray(clone(x)), expected)
    clone = copy.deepcopy(linear)
    clone.weight = np.zeros((2, 3), dtype=np.float32)
    assert np.any(np.asarray(linear.weight))  # the original is untouched


def test_recurrent_bias_can_be_added_later():
    layer = ss.layers.LIFRecurrent(tau_mem=4.0, rec_connect=ss.Linear(3, 3, bias=False))
    assert layer.rec_connect.bias is None
    layer.rec_connect.bias = [0.1, 0.2, 0.3]
    assert "rec_connect.bias" in layer.parameter_names
    assert np.asarray(layer.rec_connect.bias) == pytest.approx([0.1, 0.2, 0.3])
    with pytest.raises(AttributeError):
        layer.rec_connect.gain = 2.0


def test_import_and_use_need_only_numpy():
    import subprocess
    import sys
    script = ("import sys, numpy as np, sinabs_swift as ss\n"
              "ss.layers.LIF(tau_mem=3.0)(np.ones((1, 2, 3), np.float32))\n"
              "ss.as_tensor(np.ones(2, np.float32))\n"
              "assert 'torch' not in sys.modules and 'sinabs' not in sys.modules\n"
              "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
