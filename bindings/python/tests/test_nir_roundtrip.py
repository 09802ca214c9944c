"""sinabs_swift.nir round trips: ours -> NIR -> ours, in memory and through
nir.write / nir.read files, gives identical outputs and parameters for every
layer kind NIR can express, in the squeeze and the (Batch, Time, ...) forms."""
import numpy as np
import pytest

nir = pytest.importorskip("nir")
pytest.importorskip("h5py")

import sinabs_swift as ss  # noqa: E402
import sinabs_swift.nir as snir  # noqa: E402
from sinabs_swift.activation import MembraneReset, SingleSpike  # noqa: E402

L = ss.layers
B, T = 2, 12


def spikes(rng, *shape, density=0.4, scale=2.0):
    return ((rng.random(shape) < density) * scale).astype(np.float32)


def seeded(model, seed=0):
    """Every parameter drawn from one generator (weights big enough to spike)."""
    rng = np.random.default_rng(seed)
    for name, value in model.named_parameters():
        if name.endswith(("weight", "bias")):
            np.asarray(value)[...] = rng.normal(0.0, 0.8, value.shape)
    return model


def run(model, x):
    model.reset_states()
    return np.array(model(x))


def assert_same_parameters(original, imported):
    """Every parameter of `original` in `imported` under the same name and
    value; the only extras are zero biases (NIR's Affine always has one).
    NIR has time constants: alpha_* (train_alphas) come back as tau_*."""
    ours = dict(original.named_parameters())
    theirs = dict(imported.named_parameters())
    for name, value in ours.items():
        if ".alpha_" in name:
            tau = np.asarray(theirs.pop(name.replace(".alpha_", ".tau_")))
            np.testing.assert_allclose(np.exp(-1 / tau), np.asarray(value), rtol=1e-6, err_msg=name)
            continue
        np.testing.assert_array_equal(np.asarray(theirs[name]), np.asarray(value), err_msg=name)
    for name in set(theirs) - set(ours):
        assert name.endswith("bias"), name
        assert not np.asarray(theirs[name]).any(), name


def roundtrip(model, input_shape, x, tmp_path, **import_arguments):
    """Imports model's graph from memory and from a file; asserts both give
    the model's outputs exactly; returns (graph, imported model, output)."""
    expected = run(model, x)
    graph = snir.to_nir(model, input_shape)
    path = tmp_path / "model.nir"
    nir.write(path, graph)
    for source in (graph, path):
        imported = snir.from_nir(source, **import_arguments)
        np.testing.assert_array_equal(run(imported, x), expected)
    return graph, imported, expected


LINEAR_CASES = {
    "iaf": lambda sq: [L.Linear(6, 8), neuron("IAF", sq), L.Linear(8, 3, bias=False), neuron("IAF", sq, spike_threshold=0.5)],
    "lif": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=4.0, norm_input=False)],
    "lif_norm_input": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=3.0, norm_input=True, spike_threshold=0.3)],
    "lif_per_neuron_tau": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=np.linspace(2, 9, 8, dtype=np.float32),
                                                            norm_input=False)],
    "lif_train_alphas": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=5.0, train_alphas=True, norm_input=False)],
    "cuba_lif": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=6.0, tau_syn=3.0, norm_input=False)],
    "cuba_lif_norm_input": lambda sq: [L.Linear(6, 8), neuron("LIF", sq, tau_mem=6.0, tau_syn=2.0, norm_input=True,
                                                             spike_threshold=0.2)],
    "expleak": lambda sq: [L.Linear(6, 8), neuron("IAF", sq), L.Linear(8, 4), neuron("ExpLeak", sq, tau_mem=5.0)],
    "expleak_norm_input": lambda sq: [L.Linear(6, 4), neuron("ExpLeak", sq, tau_mem=3.0, norm_input=True)],
}


def neuron(kind, squeeze, **arguments):
    if squeeze:
        return getattr(L, kind + "Squeeze")(num_timesteps=T, **arguments)
    return getattr(L, kind)(**arguments)


@pytest.mark.parametrize("squeeze", [True, False], ids=["squeeze", "batch_time"])
@pytest.mark.parametrize("case", sorted(LINEAR_CASES))
def test_linear_nets(case, squeeze, tmp_path):
    model = seeded(ss.Sequential(*LINEAR_CASES[case](squeeze)))
    rng = np.random.default_rng(1)
    x = spikes(rng, B * T, 6) if squeeze else spikes(rng, B, T, 6)
    imports = {"num_timesteps": T} if squeeze else {}
    graph, imported, out = roundtrip(model, (6,), x, tmp_path, **imports)
    assert np.abs(out).sum() > 0
    assert_same_parameters(model, imported)
    assert [type(layer).__name__ for layer in imported] == [type(layer).__name__ for layer in model]
    if squeeze:  # the same graph runs in the other form too
        plain = snir.from_nir(graph)
        np.testing.assert_array_equal(run(plain, x.reshape(B, T, 6)).reshape(out.shape), out)


def test_node_kinds_names_and_shapes():
    model = seeded(ss.Sequential(L.Conv2d(2, 4, 3, padding=1), L.IAFSqueeze(batch_size=B), L.SumPool2d(2),
                                 L.AvgPool2d(2), L.Flatten(), L.Dropout(0.5), L.Linear(16, 5),
                                 L.LIFSqueeze(tau_mem=5.0, tau_syn=2.0, batch_size=B, norm_input=False),
                                 L.Linear(5, 3), L.ExpLeakSqueeze(tau_mem=4.0, batch_size=B)))
    graph = snir.to_nir(model, (2, 8, 8))
    kinds = {name: type(node).__name__ for name, node in graph.nodes.items()}
    assert kinds == {"input": "Input", "0": "Conv2d", "1": "IF", "2": "SumPool2d", "3": "AvgPool2d",
                     "4": "Flatten", "6": "Affine", "7": "CubaLIF", "8": "Affine", "9": "LI", "output": "Output"}
    assert graph.edges == [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "6"),
                           ("6", "7"), ("7", "8"), ("8", "9"), ("9", "output")]
    assert list(graph.nodes["input"].input_type["input"]) == [2, 8, 8]
    assert list(graph.nodes["output"].output_type["output"]) == [3]
    assert graph.nodes["1"].v_threshold.shape == (4, 8, 8)
    np.testing.assert_array_equal(graph.nodes["1"].r, 1.0)
    assert graph.nodes["4"].start_dim == 0 and graph.nodes["4"].end_dim == -1
    assert list(graph.nodes["4"].output_type["output"]) == [16]
    cuba = graph.nodes["7"]
    np.testing.assert_array_equal(cuba.tau_syn, 2.0)
    np.testing.assert_array_equal(cuba.tau_mem, 5.0)
    np.testing.assert_array_equal(cuba.w_in, 1.0)
    np.testing.assert_array_equal(graph.nodes["6"].bias, np.asarray(model[6].bias))
    if hasattr(graph, "_check_types"):  # nir 1.0.5+ checks every edge's shapes when the graph is made
        graph._check_types()


NIR_CHECKS_TYPES = "type_check" in nir.NIRGraph.__init__.__code__.co_varnames


@pytest.mark.parametrize("groups", [1, pytest.param(2, marks=pytest.mark.skipif(
    NIR_CHECKS_TYPES, reason="nir 1.0.5+ takes weight.shape[1] as a grouped Conv2d's input channels and refuses "
                             "the graph in nir.read"))])
@pytest.mark.parametrize("squeeze", [True, False], ids=["squeeze", "batch_time"])
def test_conv_net(squeeze, groups, tmp_path):
    sq = squeeze
    layers = [L.Conv2d(2, 4, 3, padding=1), neuron("IAF", sq), L.SumPool2d(2),
              L.Conv2d(4, 4, 3, stride=2, padding=1, dilation=1, groups=groups),
              neuron("LIF", sq, tau_mem=5.0, norm_input=False),
              L.AvgPool2d(2), L.Flatten(), L.Linear(4 * 1 * 1, 6), neuron("IAF", sq, spike_threshold=0.5)]
    if not squeeze:
        layers = [L.Repeat(layer) if isinstance(layer, (L.Conv2d, L.SumPool2d, L.AvgPool2d)) else layer
                  for layer in layers]
        layers[6] = L.Flatten(2)
    model = seeded(ss.Sequential(*layers))
    rng = np.random.default_rng(2)
    x = spikes(rng, B * T, 2, 8, 8) if squeeze else spikes(rng, B, T, 2, 8, 8)
    graph, imported, out = roundtrip(model, (2, 8, 8), x, tmp_path, **({"num_timesteps": T} if squeeze else {}))
    assert out.sum() > 0
    assert_same_parameters(model, imported)
    assert graph.nodes["3"].groups == groups and tuple(graph.nodes["3"].stride) == (2, 2)


def test_zero_pad_merges_into_the_pool_and_back(tmp_path):
    model = seeded(ss.Sequential(L.Conv2d(1, 2, 3), L.IAFSqueeze(num_timesteps=T), L.ZeroPad2d(1), L.SumPool2d(2),
                                 L.Flatten(), L.Linear(2 * 4 * 4, 3), L.IAFSqueeze(num_timesteps=T)))
    x = spikes(np.random.default_rng(3), B * T, 1, 8, 8)
    graph, imported, out = roundtrip(model, (1, 8, 8), x, tmp_path, num_timesteps=T)
    assert "2" not in graph.nodes and tuple(graph.nodes["3"].padding) == (1, 1)
    assert [layer.kind if hasattr(layer, "kind") else type(layer).__name__ for layer in imported][2:4] == \
        ["ZeroPad2d", "SumPool2d"]
    assert out.sum() > 0


@pytest.mark.parametrize("squeeze", [False, True], ids=["batch_time", "squeeze_with_batch_size"])
def test_recurrent_layers(squeeze, tmp_path):
    rng = np.random.default_rng(4)
    rec1, rec2 = L.Linear(8, 8), L.Linear(3, 3, bias=False)
    model = seeded(ss.Sequential(L.Linear(5, 8), L.LIFRecurrent(tau_mem=4.0, tau_syn=2.0, rec_connect=rec1, norm_input=False),
                                 L.Linear(8, 3), L.IAFRecurrent(rec_connect=rec2)))
    np.asarray(model[1].rec_connect.weight)[...] = rng.normal(0, 0.5, (8, 8))
    np.asarray(model[3].rec_connect.weight)[...] = rng.normal(0, 0.5, (3, 3))
    x = spikes(rng, B, T, 5)
    expected = run(model, x)
    graph = snir.to_nir(model, (5,))
    assert ("1", "1.rec_connect") in graph.edges and ("1.rec_connect", "1") in graph.edges
    assert isinstance(graph.nodes["3.rec_connect"], nir.Affine) and isinstance(graph.nodes["1"], nir.CubaLIF)
    nir.write(tmp_path / "rec.nir", graph)
    if squeeze:
        imported = snir.from_nir(tmp_path / "rec.nir", batch_size=B)
        out = run(imported, x.reshape(B * T, 5)).reshape(expected.shape)
    else:
        imported = snir.from_nir(tmp_path / "rec.nir")
        out = run(imported, x)
        assert_same_parameters(model, imported)
    np.testing.assert_array_equal(out, expected)
    assert expected.sum() > 0


def test_reset_to_zero_and_single_spikes(tmp_path):
    model = seeded(ss.Sequential(L.Linear(6, 8), L.IAFSqueeze(num_timesteps=T, reset_fn=MembraneReset(),
                                                              spike_fn=SingleSpike),
                                 L.Linear(8, 4), L.LIFSqueeze(tau_mem=3.0, num_timesteps=T, spike_fn=SingleSpike,
                                                              norm_input=False, reset_fn=MembraneReset())))
    x = spikes(np.random.default_rng(5), B * T, 6, scale=3.0)
    _, imported, out = roundtrip(model, (6,), x, tmp_path, num_timesteps=T, reset="zero", spike_fn=SingleSpike)
    assert out.sum() > 0 and out.max() == 1
    default = snir.from_nir(snir.to_nir(model, (6,)), num_timesteps=T)  # subtract, MultiSpike: other numbers
    assert not np.array_equal(run(default, x), out)


@pytest.mark.parametrize("dt", [1e-3, 1e-4])
def test_euler_convention_round_trip(dt):
    """to_nir(dt) writes Euler time constants (tau = dt / (1 - alpha), r = tau /
    dt); from_nir(dt) reads them back to the same decays and gains."""
    model = seeded(ss.Sequential(L.Linear(6, 8), L.LIFSqueeze(tau_mem=5.0, num_timesteps=T, norm_input=False),
                                 L.Linear(8, 4), L.LIFSqueeze(tau_mem=8.0, tau_syn=3.0, num_timesteps=T,
                                                              norm_input=False),
                                 L.Linear(4, 4), L.IAFSqueeze(num_timesteps=T)))
    graph = snir.to_nir(model, (6,), dt=dt)
    alpha = np.exp(-1 / 5.0)
    np.testing.assert_allclose(graph.nodes["1"].tau, dt / (1 - alpha), rtol=1e-6)
    np.testing.assert_allclose(graph.nodes["1"].r, 1 / (1 - alpha), rtol=1e-6)
    np.testing.assert_allclose(graph.nodes["5"].r, 1 / dt, rtol=1e-6)
    imported = snir.from_nir(graph, num_timesteps=T, dt=dt)
    x = spikes(np.random.default_rng(6), B * T, 6)
    out = run(model, x)
    np.testing.assert_array_equal(run(imported, x), out)
    assert out.sum() > 0
    for name, value in model.named_parameters():
        np.testing.assert_allclose(np.asarray(dict(imported.named_parameters())[name]), np.asarray(value),
                                   rtol=1e-5, atol=1e-6, err_msg=name)


def test_export_of_an_import_gives_the_same_graph():
    model = seeded(ss.Sequential(L.Conv2d(1, 3, 3), L.IAFSqueeze(batch_size=B), L.SumPool2d(2), L.Flatten(),
                                 L.Linear(27, 4), L.LIFSqueeze(tau_mem=3.0, tau_syn=2.0, batch_size=B)))
    first = snir.to_nir(model, (1, 8, 8))
    second = snir.to_nir(snir.from_nir(first, batch_size=B), (1, 8, 8))
    assert first.edges == second.edges
    for name, node in first.nodes.items():
        other = second.nodes[name]
        assert type(other) is type(node)
        for key, value in node.to_dict().items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(other.to_dict()[key], value, err_msg=f"{name}.{key}")


def test_torch_sequential_of_drop_in_modules(tmp_path):
    torch = pytest.importorskip("torch")
    import sinabs_swift.torch as sl
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1, bias=False), sl.IAFSqueeze(num_timesteps=T),
                              sl.SumPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 10),
                              sl.LIFSqueeze(tau_mem=torch.linspace(3, 8, 10), num_timesteps=T, norm_input=False),
                              torch.nn.Linear(10, 4), sl.ExpLeakSqueeze(tau_mem=5.0, num_timesteps=T))
    with torch.no_grad():
        for p in net.parameters():
            if p.ndim > 1:
                p.mul_(3.0)
    x = spikes(np.random.default_rng(7), B * T, 1, 8, 8)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    graph = snir.to_nir(net, (1, 8, 8))
    nir.write(tmp_path / "torch.nir", graph)
    imported = snir.from_nir(tmp_path / "torch.nir", num_timesteps=T)
    np.testing.assert_allclose(run(imported, x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(imported[5].tau_mem), net[5].tau_mem.detach().numpy())
    assert np.abs(expected).sum() > 0


def test_the_docs_example(tmp_path, monkeypatch):
    """docs/nir.md's Python example runs (and asserts its round trip)."""
    from conftest import REPO_ROOT
    text = (REPO_ROOT / "docs" / "nir.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/nir.md", "exec"), {})
    assert (tmp_path / "net.nir").is_file()


def test_input_gains_fold_into_the_weights_before():
    """r (per neuron after an Affine, per channel after a Conv2d) scales the
    weights and bias before the neuron: the same numbers as r = 1 with the
    weights scaled by hand."""
    rng = np.random.default_rng(8)
    weight, bias = rng.normal(0, 1, (4, 3)).astype(np.float32), rng.normal(0, 1, 4).astype(np.float32)
    r = np.array([0.5, 1.0, 2.0, 3.0], np.float32)
    ones = np.ones(4, np.float32)

    def graph(w, b, r):
        nodes = {"input": nir.Input(input_type={"input": np.array([3])}), "a": nir.Affine(weight=w, bias=b),
                 "n": nir.LIF(tau=ones * 4, r=r, v_leak=0 * ones, v_threshold=ones),
                 "output": nir.Output(output_type={"output": np.array([4])})}
        return nir.NIRGraph(nodes=nodes, edges=[("input", "a"), ("a", "n"), ("n", "output")])

    folded = snir.from_nir(graph(weight, bias, r), num_timesteps=T)
    by_hand = snir.from_nir(graph(weight * r[:, None], bias * r, ones), num_timesteps=T)
    np.testing.assert_allclose(np.asarray(folded[0].weight), weight * r[:, None], rtol=1e-6)
    x = spikes(rng, B * T, 3)
    out = run(folded, x)
    np.testing.assert_array_equal(out, run(by_hand, x))
    assert out.sum() > 0

    conv_weight = rng.normal(0, 1, (2, 1, 3, 3)).astype(np.float32)
    r = np.stack([np.full((6, 6), 2.0), np.full((6, 6), 0.5)]).astype(np.float32)
    nodes = {"input": nir.Input(input_type={"input": np.array([1, 8, 8])}),
             "c": nir.Conv2d(input_shape=(8, 8), weight=conv_weight, stride=1, padding=0, dilation=1, groups=1,
                             bias=np.zeros(2, np.float32)),
             "n": nir.IF(r=r, v_threshold=np.ones_like(r)), "output": nir.Output(output_type={"output": np.array([2, 6, 6])})}
    model = snir.from_nir(nir.NIRGraph(nodes=nodes, edges=[("input", "c"), ("c", "n"), ("n", "output")]))
    np.testing.assert_allclose(np.asarray(dict(model.named_parameters())["0.module.weight"]),
                               conv_weight * np.array([2.0, 0.5], np.float32)[:, None, None, None], rtol=1e-6)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_per_neuron_thresholds_count_each_membrane_in_its_threshold(reset):
    """v_threshold (1, 2, 0.5, 4): threshold 1 and the input divided per neuron;
    the spikes of the same net with the thresholds set by hand per layer."""
    rng = np.random.default_rng(9)
    weight = rng.normal(0, 1.5, (4, 3)).astype(np.float32)
    thresholds = np.array([1.0, 2.0, 0.5, 4.0], np.float32)
    ones = np.ones(4, np.float32)
    nodes = {"input": nir.Input(input_type={"input": np.array([3])}),
             "a": nir.Affine(weight=weight, bias=np.zeros(4, np.float32)),
             "n": nir.LIF(tau=ones * 6, r=ones, v_leak=0 * ones, v_threshold=thresholds),
             "output": nir.Output(output_type={"output": np.array([4])})}
    model = snir.from_nir(nir.NIRGraph(nodes=nodes, edges=[("input", "a"), ("a", "n"), ("n", "output")]),
                          num_timesteps=T, reset=reset)
    x = spikes(rng, B * T, 3)
    out = run(model, x)
    assert float(np.asarray(model[1].spike_threshold)) == 1.0
    reset_fn = MembraneReset() if reset == "zero" else None
    for i, threshold in enumerate(thresholds):  # one neuron at a time, with its own threshold
        single = ss.Sequential(L.Linear(3, 1, bias=False), L.LIFSqueeze(
            tau_mem=6.0, num_timesteps=T, norm_input=False, spike_threshold=float(threshold),
            **({"reset_fn": reset_fn} if reset_fn else {})))
        single[0].weight = weight[i:i + 1]
        expected = run(single, x)
        np.testing.assert_array_equal(out[:, i:i + 1], expected)
        np.testing.assert_allclose(np.asarray(model[1].v_mem)[:, i] * threshold, np.asarray(single[1].v_mem)[:, 0],
                                   rtol=1e-5, atol=1e-6)
    assert out.sum() > 0
