"""The conv SNN fast paths give the numbers of the plain ones: Sequential's
fused inference blocks (Conv2d -> squeeze neuron -> SumPool2d, frame by
frame) equal the layers run one by one (outputs, states, firing rates, over
consecutive calls), and the event-driven weight gradient equals the dense
one and torch's."""
import numpy as np
import pytest
import torch

import sinabs.layers as sl
import sinabs_swift as ss
from sinabs_swift import layers as L

BATCH, STEPS = 3, 6


@pytest.fixture(autouse=True)
def seeded_weights():
    """Conv2d draws its initial weights' seed from numpy's global generator
    (Linear from sinabs_swift's): seeded, the networks here are the same, and
    active, in every run. Unseeded, about 3% of draws left the conv SNN
    silent, and a silent SumPool2d passes no gradient."""
    np.random.seed(0)
    ss.manual_seed(0)


def conv_snn(bias=False, stride=1, groups=1):
    """Two fused-able blocks and a readout, sinabs-like (squeeze form)."""
    return [L.Conv2d(2, 8, 3, padding=1, bias=bias), L.IAFSqueeze(batch_size=BATCH), L.SumPool2d(2),
            L.Conv2d(8, 8, 3, stride=stride, padding=1, groups=groups, bias=bias),
            L.LIFSqueeze(tau_mem=4.0, batch_size=BATCH), L.SumPool2d(2),
            L.Flatten(), L.Linear(8 * 3 * 3 if stride == 1 else 8 * 1 * 1, 5, bias=False),
            L.IAFSqueeze(batch_size=BATCH)]


def copy_weights(source, target):
    """The same weights (x3: enough drive to spike) and biases in both."""
    for a, b in zip(source, target):
        if not isinstance(a, (L.Conv2d, L.Linear)):
            continue
        for name, factor in (("weight", 3), ("bias", 1)):
            if getattr(a, name, None) is not None:
                value = np.asarray(getattr(a, name)) * factor
                setattr(a, name, value)
                setattr(b, name, value)


def spikes(rng, activity, size=12):
    return (rng.random((BATCH * STEPS, 2, size, size)) < activity).astype(np.float32)


BLOCK_CROSSOVER = 0.75  # ConvBlock.sparseCrossoverDensity


def by_hand(layers, x):
    """The layers one after another (no Sequential: no fusion), each conv with
    the kernel the fused block picks (same sums in the same order)."""
    for layer in layers:
        if isinstance(layer, L.Conv2d):
            layer.set_kernel("sparse" if np.count_nonzero(x) < BLOCK_CROSSOVER * x.size else "dense")
        x = np.asarray(layer(x)).copy()
    return x


@pytest.mark.parametrize("options", [{}, {"bias": True}, {"groups": 2}, {"stride": 2, "bias": True}])
@pytest.mark.parametrize("activity", [0.05, 0.6, 0.9])
def test_fused_blocks_equal_the_layers_one_by_one(options, activity):
    rng = np.random.default_rng(1)
    torch.manual_seed(0)
    fused_layers, plain_layers = conv_snn(**options), conv_snn(**options)
    copy_weights(fused_layers, plain_layers)
    model = ss.Sequential(*fused_layers)
    for call in range(2):  # states carry from one call to the next
        x = spikes(rng, activity)
        fused = np.asarray(model(x)).copy()
        plain = by_hand(plain_layers, x)
        np.testing.assert_array_equal(fused, plain)
        for a, b in zip(fused_layers, plain_layers):
            if not isinstance(a, (L.IAFSqueeze, L.LIFSqueeze)):
                continue
            for name in a.state_names:
                np.testing.assert_array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name)),
                                              err_msg=f"{name} after call {call}")
            assert a.firing_rate == pytest.approx(b.firing_rate, rel=1e-6)
        assert fused_layers[1].firing_rate > 0


def test_fused_blocks_equal_sinabs_and_the_training_forward():
    """Workload-B-like network at 5%: fused inference = training forward = sinabs."""
    rng = np.random.default_rng(2)
    torch.manual_seed(0)
    reference = torch.nn.Sequential(
        torch.nn.Conv2d(2, 8, 3, padding=1, bias=False), sl.IAFSqueeze(batch_size=BATCH), sl.SumPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1, bias=False), sl.IAFSqueeze(batch_size=BATCH), sl.SumPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 4 * 4, 10, bias=False), sl.IAFSqueeze(batch_size=BATCH))
    layers = []
    for module in reference:
        if isinstance(module, torch.nn.Conv2d):
            with torch.no_grad():
                module.weight.mul_(3)
            layer = L.Conv2d(module.in_channels, module.out_channels, 3, padding=1, bias=False)
            layer.weight = module.weight.detach().numpy()
        elif isinstance(module, torch.nn.Linear):
            with torch.no_grad():
                module.weight.mul_(3)
            layer = L.Linear(module.in_features, module.out_features, bias=False)
            layer.weight = module.weight.detach().numpy()
        elif isinstance(module, sl.IAFSqueeze):
            layer = L.IAFSqueeze(batch_size=BATCH)
        elif isinstance(module, sl.SumPool2d):
            layer = L.SumPool2d(2)
        else:
            layer = L.Flatten()
        layers.append(layer)
    model = ss.Sequential(*layers)
    x = spikes(rng, 0.05, size=16)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    inference = np.asarray(model(x)).copy()
    np.testing.assert_array_equal(inference, expected)
    model.reset_states()
    model.train()
    np.testing.assert_array_equal(np.asarray(model(x)), expected)
    assert expected.sum() > 0


@pytest.mark.parametrize("groups,stride,bias,outputs", [(1, 1, False, 6), (2, 1, True, 6), (1, 2, True, 6),
                                                        (1, 1, True, 16), (2, 1, False, 32)])
def test_sparse_weight_gradient_equals_dense_and_torch(groups, stride, bias, outputs):
    rng = np.random.default_rng(3)
    x = (rng.random((20, 4, 11, 11)) < 0.05).astype(np.float32) * rng.integers(1, 4, (20, 4, 11, 11))
    x = x.astype(np.float32)
    torch.manual_seed(0)
    reference = torch.nn.Conv2d(4, outputs, 3, stride=stride, padding=1, groups=groups, bias=bias)
    grads = {}
    for kernel in ("dense", "sparse", "auto"):
        conv = L.Conv2d(4, outputs, 3, stride=stride, padding=1, groups=groups, bias=bias)
        conv.weight = reference.weight.detach().numpy()
        if bias:
            conv.bias = reference.bias.detach().numpy()
        conv.set_kernel(kernel)
        conv.native.set_training(True)
        y = np.asarray(conv(x))
        gy = np.random.default_rng(4).standard_normal(y.shape).astype(np.float32)
        gx = np.asarray(conv.native.backward(gy)).copy()
        grads[kernel] = (gx, np.asarray(conv.native.grad("weight")).copy(), gy)
    xt = torch.from_numpy(x).requires_grad_(True)
    reference(xt).backward(torch.from_numpy(grads["dense"][2]))
    for kernel, (gx, gw, _) in grads.items():
        np.testing.assert_allclose(gw, reference.weight.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=kernel)
        np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=kernel)


@pytest.mark.parametrize("first", ["conv", "linear"])
def test_backward_without_input_gradient_accumulates_the_same(first):
    """model.backward(gy, input_grad=False): the same parameter gradients, no
    input gradient (a first Conv2d or Linear skips that product)."""
    rng = np.random.default_rng(5)
    grads = []
    for input_grad in (True, False):
        if first == "conv":
            layers = conv_snn(bias=True)
            copy_weights(layers, conv_snn(bias=True))  # x3: active enough for gradients
            model = ss.Sequential(*layers)
            x = spikes(np.random.default_rng(6), 0.1)
        else:
            model = ss.Sequential(L.Linear(6, 8), L.IAFSqueeze(batch_size=BATCH))
            x = rng.uniform(0, 2, (BATCH * STEPS, 6)).astype(np.float32)
            rng = np.random.default_rng(5)
        if grads:  # the first round's weights
            for name, value in model.named_parameters():
                np.asarray(value)[...] = weights[name]
        weights = {name: np.asarray(value).copy() for name, value in model.named_parameters()}
        model.train()
        y = np.asarray(model(x))
        result = model.backward(np.ones_like(y), input_grad=input_grad)
        assert (result is None) == (not input_grad)
        grads.append({name: np.asarray(g).copy() for name, g in model.named_grads()})
        with pytest.raises(Exception):
            model.backward(np.ones_like(y), input_grad=False)  # one backward per forward
    assert grads[0].keys() == grads[1].keys() and grads[0]
    for name in grads[0]:
        np.testing.assert_array_equal(grads[0][name], grads[1][name], err_msg=name)
    assert any(np.abs(g).sum() > 0 for g in grads[0].values())


def block_model(out_channels, neuron, pool, size, bias):
    """Conv2d(3 -> out_channels) -> neuron -> pool -> Flatten, as one fused block."""
    layers = [L.Conv2d(3, out_channels, 3, padding=1, bias=bias), neuron()]
    if pool is not None:
        layers.append(pool())
    return layers + [L.Flatten()]


NEURONS = {
    "IAF": lambda: L.IAFSqueeze(batch_size=BATCH),
    "IAF threshold 0.5": lambda: L.IAFSqueeze(spike_threshold=0.5, batch_size=BATCH),
    "IAF threshold 0.75": lambda: L.IAFSqueeze(spike_threshold=0.75, batch_size=BATCH),
    "IAF min_v_mem": lambda: L.IAFSqueeze(min_v_mem=-0.5, batch_size=BATCH),
    "IAF reset": lambda: L.IAFSqueeze(reset_fn=ss.activation.MembraneReset(), batch_size=BATCH),
    "LIF synaptic": lambda: L.LIFSqueeze(tau_mem=4.0, tau_syn=3.0, batch_size=BATCH),
    "ALIF": lambda: L.ALIFSqueeze(tau_mem=4.0, tau_adapt=6.0, batch_size=BATCH),
}
POOLS = {"2x2": lambda: L.SumPool2d(2), "3x3": lambda: L.SumPool2d(3), "none": None}


@pytest.mark.parametrize("out_channels", [16, 32, 24, 40])
@pytest.mark.parametrize("neuron", sorted(NEURONS))
@pytest.mark.parametrize("pool", sorted(POOLS))
def test_fused_block_configurations_equal_the_layers_one_by_one(out_channels, neuron, pool):
    """Every path of the fused block (registers for 16 and 32 channels, 8-wide
    vectors for 24, per-event scatter above 32; the 2x2 pool by row pairs, other
    pools and none; every neuron state carried channels-last between calls;
    odd frame sizes, where the last row and column are outside the 2x2 windows)
    gives the layers' numbers, bit for bit."""
    rng = np.random.default_rng(out_channels)
    make = lambda: block_model(out_channels, NEURONS[neuron], POOLS[pool], 15, bias=True)  # noqa: E731
    fused_layers, plain_layers = make(), make()
    copy_weights(fused_layers, plain_layers)
    model = ss.Sequential(*fused_layers)
    for call in range(2):
        x = ((rng.random((BATCH * STEPS, 3, 15, 15)) < 0.1) * rng.integers(1, 4, (1, 3, 1, 1))).astype(np.float32)
        fused = np.asarray(model(x)).copy()
        plain = by_hand(plain_layers, x)
        np.testing.assert_array_equal(fused, plain)
        for name in fused_layers[1].state_names:
            np.testing.assert_array_equal(np.asarray(getattr(fused_layers[1], name)),
                                          np.asarray(getattr(plain_layers[1], name)), err_msg=f"{name}, call {call}")
        assert fused_layers[1].firing_rate == pytest.approx(plain_layers[1].firing_rate, rel=1e-6)
    assert fused_layers[1].firing_rate > 0.001  # the neurons do spike
