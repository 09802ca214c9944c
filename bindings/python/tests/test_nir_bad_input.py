"""sinabs_swift.nir refuses what it cannot represent, with the layer or node
named: unsupported nodes and parameters, graphs that are not chains, shapes
that do not fit, wrong argument types, missing files; and on export, layers
NIR cannot express."""
import numpy as np
import pytest

nir = pytest.importorskip("nir")

import sinabs_swift as ss  # noqa: E402
import sinabs_swift.nir as snir  # noqa: E402
from sinabs_swift.activation import MaxSpike, MembraneReset, MembraneSubtract  # noqa: E402

L = ss.layers
ONES = np.ones(4, dtype=np.float32)


def affine(n_out=4, n_in=3):
    return nir.Affine(weight=np.ones((n_out, n_in), np.float32), bias=np.zeros(n_out, np.float32))


def lif(n=4, **changes):
    ones = np.ones(n, np.float32)
    fields = dict(tau=ones * 5, r=ones, v_leak=0 * ones, v_threshold=ones)
    fields.update(changes)
    return nir.LIF(**fields)


def unchecked_graph(nodes, edges):
    """A NIRGraph as given (nir 1.0.5+ checks the types of every edge on construction)."""
    try:
        return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    except TypeError:  # older nir: no type_check argument, no check
        return nir.NIRGraph(nodes=nodes, edges=edges)


def chain_graph(*nodes, input_shape=(3,)):
    """input -> n0 -> n1 -> ... -> output."""
    named = {"input": nir.Input(input_type={"input": np.array(input_shape)})}
    named.update({f"n{i}": node for i, node in enumerate(nodes)})
    named["output"] = nir.Output(output_type={"output": None})
    names = list(named)
    return unchecked_graph(named, list(zip(names, names[1:])))


def refused(error, match, graph, **arguments):
    with pytest.raises(error, match=match):
        snir.from_nir(graph, **arguments)


def test_a_valid_chain_imports():  # the baseline the cases below break
    model = snir.from_nir(chain_graph(affine(), lif()))
    assert np.asarray(model(np.ones((1, 5, 3), np.float32))).sum() > 0


@pytest.mark.parametrize("node,match", [
    (nir.Threshold(threshold=ONES), r"node 'n1' \(Threshold\) is not supported"),
    (nir.Delay(delay=ONES), r"node 'n1' \(Delay\) is not supported"),
    (nir.I(r=ONES), r"node 'n1' \(I\) is not supported"),
    (nir.Scale(scale=ONES), r"node 'n1' \(Scale\) is not supported"),
    (nir.Conv1d(input_shape=None, weight=np.ones((2, 1, 3), np.float32), stride=1, padding=0, dilation=1, groups=1,
                bias=np.zeros(2, np.float32)), r"'n1' \(Conv1d\).*1-d convolutions"),
])
def test_unsupported_node_types(node, match):
    refused(NotImplementedError, match, chain_graph(affine(), node))


@pytest.mark.parametrize("changes,match", [
    ({"v_leak": ONES * 0.1}, r"node 'n1' \(LIF\): v_leak != 0"),
    ({"v_threshold": np.array([1, 0, 1, 1], np.float32)}, r"node 'n1' \(LIF\): per-neuron v_threshold .* positive"),
    ({"tau": ONES * 1e-5}, r"node 'n1' \(LIF\): tau must be larger than dt"),
    ({"tau": -ONES}, r"node 'n1' \(LIF\): tau must be positive, got -1"),
    ({"tau": ONES * np.nan}, r"node 'n1' \(LIF\): tau must be positive"),
])
def test_unsupported_neuron_parameters(changes, match):
    refused((NotImplementedError, ValueError), match, chain_graph(affine(), lif(**changes)), dt=1e-4)


def test_v_reset_needs_reset_zero():
    node = lif()
    node.v_reset = ONES * 0.5  # nir 1.0.5+ has the field; older nir graphs never carry it
    refused(NotImplementedError, r"'n1' \(LIF\): v_reset != 0 needs reset='zero'", chain_graph(affine(), node))
    model = snir.from_nir(chain_graph(affine(), node), reset="zero")
    assert model[1].reset_fn == MembraneReset(reset_value=0.5)


def test_a_gain_with_no_weights_before_it():
    refused(NotImplementedError, r"'n0' \(LIF\): its input gain .*2.*there is none", chain_graph(lif(3, r=2 * np.ones(3))))


def test_a_gain_that_varies_within_a_conv_channel():
    conv = nir.Conv2d(input_shape=(2, 2), weight=np.ones((1, 1, 1, 1), np.float32), stride=1, padding=0,
                      dilation=1, groups=1, bias=np.zeros(1, np.float32))
    r = np.array([[[1, 2], [1, 1]]], np.float32)
    neuron = nir.IF(r=r, v_threshold=np.ones_like(r))
    refused(NotImplementedError, r"'n1' \(IF\): its input gain varies within a channel",
            chain_graph(conv, neuron, input_shape=(1, 2, 2)))


with_edges = unchecked_graph


def base_nodes():
    return {"input": nir.Input(input_type={"input": np.array([3])}), "a": affine(), "b": lif(),
            "output": nir.Output(output_type={"output": np.array([4])})}


@pytest.mark.parametrize("edges,match", [
    ([("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")], r"'input' .* 2 outgoing edges"),
    ([("input", "a"), ("a", "output")], r"\['b'\] are not on the path"),
    ([("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")], r"recurrent weights 'a' of neuron 'b' have other connections too"),
    ([("input", "a"), ("a", "c"), ("c", "output")], r"edge \('a', 'c'\) names a node 'c'"),
    ([("input", "a"), ("a", "b")], r"node 'b' \(LIF\) has 0 outgoing edges"),
])
def test_graphs_that_are_not_chains(edges, match):
    refused(ValueError, match, with_edges(base_nodes(), edges))


def test_two_inputs_and_an_affine_cycle():
    nodes = base_nodes()
    nodes["input2"] = nir.Input(input_type={"input": np.array([3])})
    refused(ValueError, r"exactly one Input node, found 2", with_edges(nodes, [("input", "a"), ("a", "b"),
                                                                              ("b", "output")]))
    nodes = base_nodes()
    nodes["c"] = affine(4, 4)
    refused(ValueError, r"'a' closes a cycle|'a' .* 2 incoming",
            with_edges(nodes, [("input", "a"), ("a", "c"), ("c", "a"), ("a", "b"), ("b", "output")]))


@pytest.mark.parametrize("graph,match", [
    (chain_graph(affine(4, 5), lif()), r"'n0' \(Affine\): takes 5 features per sample; its input has shape \(3,\)"),
    (chain_graph(affine(), lif(5)), r"'n1' \(LIF\): .* shape \(5,\); the neurons here have shape \(4,\)"),
    (chain_graph(nir.Conv2d(input_shape=(4, 4), weight=np.ones((2, 2, 3, 3), np.float32), stride=1, padding=0,
                            dilation=1, groups=1, bias=np.zeros(2, np.float32)), input_shape=(1, 4, 4)),
     r"'n0' \(Conv2d\): expects \(C=2, H, W\)"),
    (chain_graph(nir.Flatten(input_type=None, start_dim=1, end_dim=3), input_shape=(2, 3)),
     r"'n0' \(Flatten\): start_dim=1, end_dim=3 do not fit"),
    (chain_graph(nir.SumPool2d(kernel_size=np.array([5, 5]), stride=np.array([1, 1]), padding=np.array([0, 0])),
                 input_shape=(1, 4, 4)), r"'n0' \(SumPool2d\): input \(1, 4, 4\) is too small"),
    (chain_graph(nir.Conv2d(input_shape=np.array([4, 4]), weight=np.ones((1, 1, 2, 2), np.float32), stride=1,
                            padding="same",
                            dilation=1, groups=1, bias=np.zeros(1, np.float32)), input_shape=(1, 4, 4)),
     r"'n0' \(Conv2d\): padding='same' needs an asymmetric pad"),
])
def test_shapes_that_do_not_fit(graph, match):
    refused((ValueError, NotImplementedError), match, graph)


def test_output_shape_mismatch():
    nodes = base_nodes()
    nodes["output"] = nir.Output(output_type={"output": np.array([7])})
    refused(ValueError, r"Output node declares shape \(7,\), the chain gives \(4,\)",
            with_edges(nodes, [("input", "a"), ("a", "b"), ("b", "output")]))


def recurrent_graph(weights, neuron=None):
    nodes = {"input": nir.Input(input_type={"input": np.array([3])}), "a": affine(),
             "b": neuron if neuron is not None else lif(), "w": weights,
             "output": nir.Output(output_type={"output": np.array([4])})}
    return with_edges(nodes, [("input", "a"), ("a", "b"), ("b", "w"), ("w", "b"), ("b", "output")])


def test_recurrent_cycles_we_cannot_run():
    refused(ValueError, r"'b' \(LIF\): recurrent weights 'w' are \(4, 3\)", recurrent_graph(affine(4, 3)))
    refused(NotImplementedError, r"'b' \(LI\): a recurrent LI",
            recurrent_graph(affine(4, 4), nir.LI(tau=ONES, r=ONES, v_leak=0 * ONES)))
    refused(ValueError, r"'b' \(LIF\): a recurrent neuron in the squeeze form needs batch_size",
            recurrent_graph(affine(4, 4)), num_timesteps=5)
    assert type(snir.from_nir(recurrent_graph(affine(4, 4)), batch_size=2)[2]).__name__ == "LIFRecurrent"


@pytest.mark.parametrize("arguments,error,match", [
    ({"graph": 42}, TypeError, r"nir.NIRGraph or the path of a .nir file, got int"),
    ({"batch_size": "2"}, TypeError, r"batch_size must be an int"),
    ({"num_timesteps": 0}, ValueError, r"num_timesteps must be positive"),
    ({"dt": -1.0}, ValueError, r"dt must be a positive number"),
    ({"reset": "hard"}, ValueError, r"reset must be 'subtract' or 'zero'"),
])
def test_wrong_arguments(arguments, error, match):
    arguments = {"graph": chain_graph(affine(), lif()), **arguments}
    with pytest.raises(error, match=match):
        snir.from_nir(**arguments)


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no NIR file at"):
        snir.from_nir(tmp_path / "absent.nir")
    (tmp_path / "text.nir").write_text("not hdf5")
    with pytest.raises(ValueError, match="is not a NIR file"):
        snir.from_nir(tmp_path / "text.nir")


# ---- export ------------------------------------------------------------------------

@pytest.mark.parametrize("layers,shape,error,match", [
    ([L.Linear(3, 4), L.IAFSqueeze(batch_size=1, min_v_mem=-1.0)], (3,), NotImplementedError,
     r"layer 1 \(IAFSqueeze\): min_v_mem=-1.0 has no NIR form"),
    ([L.Linear(3, 4), L.ALIF(tau_mem=5.0, tau_adapt=3.0)], (3,), NotImplementedError, r"layer 1 \(ALIF\).*adaptive"),
    ([L.Conv2d(1, 2, 3), L.MaxPool2d(2)], (1, 6, 6), NotImplementedError, r"layer 1 \(MaxPool2d\) has no NIR equivalent"),
    ([L.Linear(3, 4), L.ReLU()], (3,), NotImplementedError, r"layer 1 \(ReLU\) has no NIR equivalent"),
    ([L.Linear(3, 4), L.IAF(reset_fn=MembraneReset(reset_value=0.5))], (3,), NotImplementedError,
     r"layer 1 \(IAF\): MembraneReset\(reset_value=0.5\)"),
    ([L.Linear(3, 4), L.IAF(spike_fn=MaxSpike(2))], (3,), NotImplementedError, r"layer 1 \(IAF\): MaxSpike\(2\)"),
    ([L.Linear(3, 4), L.IAF(reset_fn=MembraneSubtract(subtract_value=0.5))], (3,), NotImplementedError,
     r"layer 1 \(IAF\): MembraneSubtract\(subtract_value=0.5\)"),
    ([L.Linear(3, 4), L.IAF(tau_syn=3.0)], (3,), NotImplementedError, r"layer 1 \(IAF\): an IAF with tau_syn"),
    ([L.Linear(3, 4), L.IAF(), L.Linear(4, 2), L.IAFSqueeze(batch_size=1)], (3,), ValueError, r"mixes squeeze-form"),
    ([L.Linear(5, 4)], (3,), ValueError, r"layer 0 \(Linear\): NIR's Affine maps one vector of 5 per sample; "
                                         r"the input here has shape \(3,\)"),
    ([L.Linear(3, 4)], (2, 3), ValueError, r"layer 0 \(Linear\)"),
    ([L.Conv2d(1, 2, 3)], (36,), ValueError, r"layer 0 \(Conv2d\) takes \(C, H, W\) samples"),
    ([L.Conv2d(2, 2, 3)], (1, 6, 6), ValueError, r"layer 0 \(Conv2d\) expects 2 input channels, the input has 1"),
    ([L.ZeroPad2d((1, 0, 1, 0)), L.SumPool2d(2)], (1, 6, 6), NotImplementedError, r"layer 0 \(ZeroPad2d\): only symmetric"),
    ([L.ZeroPad2d(1), L.Flatten()], (1, 6, 6), NotImplementedError, r"layer 0 \(ZeroPad2d\): NIR has no padding node"),
    ([L.SumPool2d(2), L.ZeroPad2d(1)], (1, 6, 6), NotImplementedError, r"layer 1 \(ZeroPad2d\): NIR has no padding node"),
    ([L.Flatten(0)], (1, 6, 6), ValueError, r"layer 0 \(Flatten\): start_dim=0 would flatten the batch"),
    ([L.SumPool2d(2, ceil_mode=True)], (1, 5, 5), NotImplementedError, r"layer 0 \(SumPool2d\): ceil_mode=True"),
])
def test_export_refuses(layers, shape, error, match):
    with pytest.raises(error, match=match):
        snir.to_nir(ss.Sequential(*layers), shape)


@pytest.mark.parametrize("model,shape,error,match", [
    (object(), (3,), TypeError, r"sinabs_swift.Sequential or a torch.nn.Sequential, got object"),
    (ss.Sequential(L.Linear(3, 4)), "abc", ValueError, r"invalid literal|input_shape"),
    (ss.Sequential(L.Linear(3, 4)), 3, TypeError, r"input_shape must be a sequence of ints"),
    (ss.Sequential(L.Linear(3, 4)), (0,), ValueError, r"input_shape must be one or more positive sizes"),
])
def test_export_wrong_arguments(model, shape, error, match):
    with pytest.raises(error, match=match):
        snir.to_nir(model, shape)
    with pytest.raises(ValueError, match="dt must be a positive number"):
        snir.to_nir(ss.Sequential(L.Linear(3, 4)), (3,), dt=0.0)


def test_export_refuses_torch_modules_without_nir_form():
    torch = pytest.importorskip("torch")
    import sinabs_swift.torch as sl
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), sl.IAF())
    with pytest.raises(NotImplementedError, match=r"layer 1 \(ReLU\) has no NIR equivalent"):
        snir.to_nir(net, (3,))
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), sl.IAFSqueeze(batch_size=1, min_v_mem=-1.0))
    with pytest.raises(NotImplementedError, match=r"layer 1 \(IAFSqueeze\): min_v_mem"):
        snir.to_nir(net, (3,))
