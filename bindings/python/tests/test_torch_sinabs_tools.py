"""sinabs' own tools accept sinabs_swift.torch layers (when sinabs is
installed they derive from sinabs' StatefulLayer / SqueezeMixin), and the
non-neuron modules of sinabs.layers and sinabs.activation are offered with
the same behaviour: typical sinabs code with the import swapped."""

import inspect
import warnings

import pytest
import sinabs
import sinabs.activation as sa
import sinabs.layers as sl
import torch
import torch.nn as nn
from sinabs.network import Network

import sinabs_swift.torch as ss
from torch_parity import assert_close


def conv_net(module):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), module.IAFSqueeze(batch_size=2, min_v_mem=-1.0),
                         module.SumPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 5),
                         module.IAFSqueeze(batch_size=2, min_v_mem=-1.0))


def spikes_in(seed=1):
    torch.manual_seed(seed)
    return (torch.rand(2 * 6, 1, 8, 8) < 0.4).float() * 2


def test_reset_states_and_zero_grad_of_sinabs_reach_our_layers():
    model = conv_net(ss)
    model(spikes_in()).sum().backward()
    assert model[1].v_mem.abs().sum() > 0 and model[1].v_mem.requires_grad
    sinabs.zero_grad(model)
    assert not model[1].v_mem.requires_grad and model[1].v_mem.abs().sum() > 0
    sinabs.reset_states(model)
    assert model[1].v_mem.abs().sum() == 0 and model[5].v_mem.abs().sum() == 0


def test_snn_analyzer_sees_our_spiking_layers_like_sinabs():
    stats = []
    for module in (sl, ss):
        model = conv_net(module)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            analyzer = sinabs.SNNAnalyzer(model)
        model(spikes_in())
        stats.append((analyzer.get_layer_statistics(), analyzer.get_model_statistics()))
    (ref_layers, ref_model), (our_layers, our_model) = stats
    assert sorted(our_layers["spiking"]) == sorted(ref_layers["spiking"]) == ["1", "5"]
    for name, values in ref_layers["spiking"].items():
        assert_close(our_layers["spiking"][name]["firing_rate"], values["firing_rate"], name)
    assert_close(our_model["firing_rate"], ref_model["firing_rate"], "model firing rate")


def test_from_model_with_our_squeeze_class_equals_sinabs():
    torch.manual_seed(2)
    ann = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), sl.SumPool2d(2), nn.Flatten(),
                        nn.Linear(4 * 3 * 3, 5), nn.ReLU())
    outputs = []
    for cls in (sl.IAFSqueeze, ss.IAFSqueeze):
        snn = sinabs.from_model(ann, batch_size=2, spike_layer_class=cls)
        assert isinstance(snn.spiking_model[1], cls)
        outputs.append(snn(spikes_in(3)))
    assert outputs[0].sum() > 0
    assert_close(outputs[1], outputs[0], "converted network output")


def test_normalize_weights_and_set_batch_size_on_our_model():
    torch.manual_seed(4)
    data = torch.rand(12, 1, 8, 8) * 4
    weights = []
    for module in (sl, ss):
        model = conv_net(module)
        sinabs.utils.normalize_weights(model, data, output_layers=["1", "5"],
                                       param_layers=["0", "4"])
        weights.append([p.detach().clone() for p in model.parameters()])
        assert all(torch.isfinite(w).all() for w in weights[-1])
        sinabs.utils.set_batch_size(model, 3)
        assert sinabs.utils.get_batch_size(model) == 3
        model(spikes_in().reshape(12, 1, 8, 8)[:12])  # 3 samples x 4 steps now
        assert model[1].v_mem.shape[0] == 3
    for ours, reference in zip(weights[1], weights[0]):
        assert_close(ours, reference, "normalized weights")


def test_sinabs_network_compares_activations_of_our_layers():
    analog = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    for module in (sl, ss):
        spiking = nn.Sequential(nn.Linear(4, 3), module.IAFSqueeze(batch_size=1))
        spiking[0].load_state_dict(analog[0].state_dict())
        network = Network(analog, spiking)
        _, rates, names = network.compare_activations(torch.rand(5, 4) * 2)
        assert names == ["Input", "1"], module
        assert len(rates) == 2


RANDOM_MODULES = {"Img2SpikeLayer", "Sig2SpikeLayer"}


@pytest.mark.parametrize("name,args,shapes", [
    ("SumPool2d", (2,), [(2, 3, 6, 6)]),
    ("SpikingMaxPooling2dLayer", ((2, 2),), [(5, 2, 6, 6)]),
    ("SpikingMaxPooling2dLayer", ((2, 2), (2, 2), (1, 1, 0, 1)), [(5, 2, 6, 6)]),
    ("Cropping2dLayer", (((1, 2), (0, 1)),), [(2, 3, 6, 6)]),
    ("ChannelShift", (2,), [(2, 3, 4, 4)]),
    ("Merge", (), [(2, 3, 4, 5), (2, 1, 6, 5)]),
    ("FlattenTime", (), [(2, 3, 4)]),
    ("UnflattenTime", (2,), [(6, 4)]),
    ("Repeat", (nn.Linear(4, 2),), [(2, 3, 4)]),
    ("NeuromorphicReLU", (True, 2, False), [(3, 5)]),
    ("NeuromorphicReLU", (True, 1, True), [(3, 5)]),
    ("QuantizeLayer", (), [(3, 5)]),
    ("Img2SpikeLayer", ((2, 3), 7, 500, 2.0, False, True), [(2, 3)]),
    ("Sig2SpikeLayer", (3, 2, 1.5), [(3, 4)]),
])
def test_non_neuron_modules_match_sinabs(name, args, shapes):
    torch.manual_seed(5)
    inputs = [(torch.rand(shape) * 4 - 1).round() if name.startswith("Spiking")
              else torch.randn(shape) * 2 for shape in shapes]
    results = []
    for module in (sl, ss):
        layer = getattr(module, name)(*args)
        leaves = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
        torch.manual_seed(6)
        out = layer(*leaves)
        grads = []
        if out.requires_grad:
            (out * torch.arange(out.numel()).reshape(out.shape)).sum().backward()
            grads = [leaf.grad for leaf in leaves]
        results.append((out, grads, {k: v for k, v in vars(layer).items()
                                     if k in ("spikes_number", "tw", "activity", "out_shape")}))
    (ref_out, ref_grads, ref_attrs), (out, grads, attrs) = results
    assert_close(out, ref_out, f"{name} output")
    for grad, ref_grad in zip(grads, ref_grads):
        assert_close(grad, ref_grad, f"{name} input grad")
    assert attrs.keys() == ref_attrs.keys()
    for key, value in ref_attrs.items():
        assert (attrs[key] == value) if not isinstance(value, torch.Tensor) else torch.equal(attrs[key], value)


def test_every_sinabs_layer_and_activation_is_offered_with_its_signature():
    for name in dir(sl):
        obj = getattr(sl, name)
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj is not sl.StatefulLayer:
            assert name in ss.__all__, name
    for name in dir(sa):
        obj = getattr(sa, name)
        if not inspect.isclass(obj):
            continue
        ours = getattr(ss.activation, name)
        if issubclass(obj, torch.autograd.Function) and name in ("Quantize", "StochasticRounding"):
            x = torch.tensor([0.2, 1.7, -0.4], requires_grad=True)
            torch.manual_seed(0)
            expected = obj.apply(x)
            torch.manual_seed(0)
            assert torch.equal(ours.apply(x), expected), name
        elif not issubclass(obj, torch.autograd.Function):
            theirs = inspect.signature(obj.__init__).parameters
            assert list(inspect.signature(ours.__init__).parameters) == list(theirs), name


def test_sinabs_stays_optional():
    """Without sinabs the modules derive from nn.Module and still work."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['sinabs'] = None\n"
            "import copy, torch, sinabs_swift.torch as ss\n"
            "layer = ss.IAFSqueeze(batch_size=1)\n"
            "out = layer(torch.ones(4, 3) * 0.6)\n"
            "assert ss.IAF.__mro__[3] is torch.nn.Module, ss.IAF.__mro__\n"
            "assert out.sum() == 6 and copy.deepcopy(layer).v_mem.shape == (1, 3)\n"
            "assert ss.SumPool2d(2)(torch.ones(1, 1, 4, 4)).sum() == 16\n")
    subprocess.run([sys.executable, "-c", code], check=True)


SURROGATES = ["SingleExponential", "Heaviside", "Gaussian", "MultiGaussian", "PeriodicExponential"]


@pytest.mark.parametrize("spike", ["MultiSpike", "SingleSpike", "MaxSpike"])
@pytest.mark.parametrize("surrogate", SURROGATES)
def test_activation_functions_compute_like_sinabs(spike, surrogate):
    """Custom sinabs code calls the activation functions directly."""
    torch.manual_seed(0)
    v = torch.randn(50) * 3
    upstream = torch.randn(50)
    results = []
    for module in (sa, ss.activation):
        leaf = v.clone().requires_grad_(True)
        grad_fn = getattr(module, surrogate)()
        fn = getattr(module, spike)
        fn = fn(2) if spike == "MaxSpike" else fn
        spikes = fn.apply(leaf, 0.7, grad_fn)
        (spikes * upstream).sum().backward()
        results.append((spikes, leaf.grad, grad_fn(v, 0.7)))
    for ours, reference, what in zip(results[1], results[0], ("spikes", "grad", "surrogate")):
        assert_close(ours, reference, f"{spike}/{surrogate} {what}")


def test_reset_functions_compute_like_sinabs():
    spikes = torch.tensor([0.0, 1.0, 2.0])
    state = {"v_mem": torch.tensor([0.5, 1.2, 2.5])}
    for reset in (lambda m: m.MembraneSubtract(), lambda m: m.MembraneSubtract(0.3),
                  lambda m: m.MembraneReset()):
        ours, theirs = reset(ss.activation)(spikes, state, 1.0), reset(sa)(spikes, state, 1.0)
        assert torch.equal(ours["v_mem"], theirs["v_mem"])
    # MembraneReset(reset_value): only spiking neurons (libsinabs' documented difference).
    assert ss.activation.MembraneReset(0.25)(spikes, state, 1.0)["v_mem"].tolist() == [0.5, 0.25, 0.25]


def test_our_activation_objects_configure_the_neuron_layers():
    x = torch.rand(2, 6, 4) * 3
    outputs = []
    for module in (sa, ss.activation):
        layer = ss.LIF(tau_mem=5.0, spike_fn=module.MaxSpike(2), reset_fn=module.MembraneSubtract(0.5),
                       surrogate_grad_fn=module.Gaussian(sigma=0.3))
        outputs.append(layer(x))
    assert torch.equal(outputs[0], outputs[1])
