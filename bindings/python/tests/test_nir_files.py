"""NIR files through libsinabs' own HDF5 reader and writer (Sequential.load_nir /
save_nir): graphs written by sinabs (tests/reference/nir) give sinabs' outputs;
files we write are read by the `nir` package and run in sinabs.nir.from_nir with
the same outputs; ours -> .nir -> ours is identical; bad files raise."""
import json
from pathlib import Path

import numpy as np
import pytest

import sinabs_swift as ss

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "reference" / "nir"


def fixture(name):
    case = json.loads((FIXTURES / f"{name}.json").read_text())
    array = lambda t: np.array(t["data"], np.float32).reshape(t["shape"])  # noqa: E731
    return FIXTURES / f"{name}.nir", case, array(case["input"]), array(case["output"])


@pytest.mark.parametrize("name, rtol", [("sinabs_conv", 1e-4), ("sinabs_cubalif", 0)])
def test_sinabs_graphs_give_sinabs_outputs(name, rtol):
    path, case, x, expected = fixture(name)
    model = ss.Sequential.load_nir(path, batch_size=case["batch_size"])
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=rtol, atol=1e-5 if rtol else 0)


def test_loaded_layers_are_named_and_inspectable():
    path, case, _, _ = fixture("sinabs_cubalif")
    model = ss.Sequential.load_nir(path, batch_size=case["batch_size"])
    assert [layer.kind for layer in model] == ["Linear", "LIFSqueeze"]
    assert np.asarray(model[1].tau_mem).tolist() == [3.0, 6.0, 12.0]
    assert float(np.asarray(model[1].tau_syn)) == 2.0


def test_round_trip_is_identical(tmp_path):
    path, case, x, _ = fixture("sinabs_conv")
    model = ss.Sequential.load_nir(path, batch_size=2)
    model.save_nir(tmp_path / "copy.nir", (2, 8, 8))
    copy = ss.Sequential.load_nir(tmp_path / "copy.nir", batch_size=2)
    np.testing.assert_array_equal(np.asarray(copy(x)), np.asarray(model(x)))


def test_written_files_run_in_sinabs(tmp_path):
    """nir.read takes our file; sinabs.nir.from_nir runs it to our outputs
    (sinabs gives IF min_v_mem = -threshold; on this input no membrane reaches it)."""
    nir = pytest.importorskip("nir")
    sinabs_nir = pytest.importorskip("sinabs.nir")
    torch = pytest.importorskip("torch")
    path, case, x, _ = fixture("sinabs_conv")
    model = ss.Sequential.load_nir(path, batch_size=2)
    model.save_nir(tmp_path / "ours.nir", (2, 8, 8))
    graph = nir.read(tmp_path / "ours.nir")
    assert [type(graph.nodes[str(i)]).__name__ for i in range(8)] == [
        "Conv2d", "IF", "SumPool2d", "Flatten", "Affine", "LIF", "Affine", "LI"]
    theirs = sinabs_nir.from_nir(graph, batch_size=2)
    positive = np.abs(x)
    with torch.no_grad():
        expected, _ = theirs(torch.from_numpy(positive))  # nirtorch returns (output, state)
        expected = expected.numpy()
    np.testing.assert_allclose(np.asarray(model(positive)), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, error, words", [
    ("bad_not_nir", ValueError, "not a NIR file"),
    ("bad_unsupported_node", ValueError, "'0' (Delay)"),
    ("bad_inconsistent_shapes", ValueError, "Output node"),
    ("bad_nan_parameters", ValueError, "NaN"),
])
def test_bad_files_raise(name, error, words):
    with pytest.raises(error, match=None) as raised:
        ss.Sequential.load_nir(FIXTURES / f"{name}.nir", batch_size=2)
    assert words in str(raised.value)


def test_bad_arguments_raise(tmp_path):
    path, _, _, _ = fixture("sinabs_conv")
    with pytest.raises(FileNotFoundError):
        ss.Sequential.load_nir(tmp_path / "missing.nir", batch_size=2)
    with pytest.raises(ValueError, match="batch_size or num_timesteps"):
        ss.Sequential.load_nir(path)
    with pytest.raises(ValueError, match="dt"):
        ss.Sequential.load_nir(path, batch_size=2, dt=-1)
    with pytest.raises(ValueError, match="reset"):
        ss.Sequential.load_nir(path, batch_size=2, reset="membrane")
    (tmp_path / "truncated.nir").write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ValueError, match="damaged or truncated"):
        ss.Sequential.load_nir(tmp_path / "truncated.nir", batch_size=2)
    model = ss.Sequential.load_nir(path, batch_size=2)
    with pytest.raises(ValueError):
        model.save_nir(tmp_path / "x.nir", (3, 8, 8))
    unexpressible = ss.Sequential(ss.layers.Linear(2, 2), ss.layers.IAFSqueeze(batch_size=1, min_v_mem=-1.0))
    with pytest.raises(ValueError, match=r"layer 1 \(IAFSqueeze\).*min_v_mem"):
        unexpressible.save_nir(tmp_path / "x.nir", (2,))
    assert not (tmp_path / "x.nir").exists()


@pytest.mark.parametrize("synaptic", [False, True])
def test_snntorch_graphs_with_dt_give_snntorch_spikes(tmp_path, synaptic):
    """A graph as snnTorch's export_to_nir writes it (dt = 1e-4, tau = dt/(1-beta),
    r = tau/dt, w_in = tau_syn/dt; its exporter fails with nir 1.0.4, so the nodes
    are made here) loads with dt=1e-4 and single spikes and spikes as snnTorch's own
    Leaky/Synaptic with reset_delay=False (sinabs' order: reset in the step that spiked)."""
    nir = pytest.importorskip("nir")
    snntorch = pytest.importorskip("snntorch")
    torch = pytest.importorskip("torch")
    dt, beta, alpha, steps = 1e-4, np.float32(0.85), np.float32(0.6), 40
    rng = np.random.default_rng(3)
    weight = rng.normal(0, 0.5, (5, 4)).astype(np.float32)
    bias = rng.normal(0.05, 0.05, 5).astype(np.float32)
    ones = np.ones(5, np.float32)
    tau_mem = np.float32(dt / (1 - beta)) * ones
    if synaptic:
        tau_syn = np.float32(dt / (1 - alpha)) * ones
        neuron = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / np.float32(dt), v_leak=0 * ones,
                             v_threshold=ones, w_in=tau_syn / np.float32(dt))
        theirs = snntorch.Synaptic(alpha=float(alpha), beta=float(beta), reset_delay=False)
    else:
        neuron = nir.LIF(tau=tau_mem, r=tau_mem / np.float32(dt), v_leak=0 * ones, v_threshold=ones)
        theirs = snntorch.Leaky(beta=float(beta), reset_delay=False)
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([4])), "0": nir.Affine(weight=weight, bias=bias),
                                "1": neuron, "output": nir.Output(output_type=np.array([5]))},
                         edges=[("input", "0"), ("0", "1"), ("1", "output")])
    nir.write(tmp_path / "snntorch.nir", graph)
    # Membranes stay below 2 thresholds: above, snnTorch's reset (computed from the
    # previous step's membrane) subtracts again in the next step; sinabs' does not.
    x = rng.uniform(0, 0.25 if synaptic else 0.6, (steps, 4)).astype(np.float32)
    ours = np.asarray(ss.Sequential.load_nir(tmp_path / "snntorch.nir", batch_size=1, dt=dt, spike_fn="single")(x))

    linear = torch.nn.Linear(4, 5)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.copy_(torch.from_numpy(bias))
        state = theirs.init_synaptic() if synaptic else (theirs.init_leaky(),)
        expected = []
        for t in range(steps):
            out = theirs(linear(torch.from_numpy(x[t:t + 1])), *state)
            expected.append(out[0].numpy()[0])
            state = out[1:]
    expected = np.array(expected)
    assert expected.sum() > 5
    np.testing.assert_array_equal(ours, expected)
