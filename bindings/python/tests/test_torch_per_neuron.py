"""Per-neuron time constants: tau_mem, tau_syn, tau_adapt (alpha_* with
train_alphas) as tensors that broadcast against the states (Batch, ...),
against live sinabs on random configurations: outputs, states, input
gradients and the gradients of the tensors (summed over broadcast dims)."""

import random

import pytest
import sinabs.layers as sl
import torch

import sinabs_swift.torch as ss
from torch_parity import assert_close, build_pair, make_input, random_config

CONFIGS = list(range(80))


def tensor_taus(kwargs, trailing, seed):
    """kwargs with each time constant a random tensor of a shape that
    broadcasts against (Batch, *trailing): trailing, its last dim, or with 1s."""
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    shapes = [trailing, trailing[-1:], (1,) + tuple(trailing), tuple(1 if rng.random() < 0.5 else d
                                                                       for d in trailing)]
    out = dict(kwargs)
    for name in ("tau_mem", "tau_syn", "tau_adapt"):
        if name in out and rng.random() < 0.8:
            shape = rng.choice(shapes)
            out[name] = out[name] * (0.5 + torch.rand(shape, generator=generator))
    return out


@pytest.mark.parametrize("seed", CONFIGS)
def test_per_neuron_time_constants_match_sinabs(seed):
    model, kwargs, form, trailing = random_config(seed)
    if model == "IAF":
        return  # no tau_mem; tau_syn alone is covered by the LIF configurations
    kwargs = tensor_taus(kwargs, trailing, seed)
    if form == "squeeze" or (model == "ALIF" and "tau_syn" in kwargs):
        kwargs.pop("tau_syn", None)  # sinabs' ALIF i_syn differs (deliberate)
    batch, time = 3, 10
    reference, ours = build_pair(model, kwargs, form, trailing, batch, seed)
    scale = 3.0 if kwargs.get("norm_input", model in ("LIF", "ALIF")) else 0.8
    x, grad = make_input(form, batch, time, trailing, scale, seed)
    results = []
    for layer in (reference, ours):
        leaf = x.clone().requires_grad_(True)
        out = layer(leaf)
        (out * grad).sum().backward()
        results.append((out, leaf.grad, {n: p.grad for n, p in layer.named_parameters()
                                        if p.requires_grad}, layer.v_mem))
    what = f"{type(ours).__name__}{ {k: (tuple(v.shape) if torch.is_tensor(v) else v) for k, v in kwargs.items()} }"
    atol = 1e-4 if form == "recurrent" else 1e-5
    assert_close(results[1][0], results[0][0], f"{what} output")
    assert_close(results[1][3], results[0][3], f"{what} v_mem")
    assert_close(results[1][1], results[0][1], f"{what} input grad", atol)
    assert sorted(results[1][2]) == sorted(results[0][2])
    for name, grad_ref in results[0][2].items():
        assert_close(results[1][2][name], grad_ref, f"{what} grad {name}", atol)


def test_channel_time_constants_between_convolutions():
    """tau_mem of shape (C, 1, 1) in a conv network, trained for a step."""
    torch.manual_seed(0)
    x = (torch.rand(2, 6, 1, 8, 8) < 0.3).float() * 3
    weights = []
    for module in (sl, ss):
        torch.manual_seed(1)
        conv = torch.nn.Conv2d(1, 4, 3)
        tau = torch.tensor([2.0, 5.0, 9.0, 20.0]).reshape(4, 1, 1)
        layer = module.LIFSqueeze(tau_mem=tau, batch_size=2)
        model = torch.nn.Sequential(torch.nn.Flatten(0, 1), conv, layer)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        model(x).sum().backward()
        optimizer.step()
        weights.append([p.detach().clone() for p in model.parameters()])
    for ours, reference in zip(weights[1], weights[0]):
        assert_close(ours, reference, "parameters after a step")
    assert weights[1][2].shape == (4, 1, 1)


@pytest.mark.parametrize("tau,match", [
    (torch.tensor([1.0, 2.0]), "does not broadcast"),
    (torch.ones(2, 3, 4), "more dimensions than the states"),
])
def test_time_constants_that_do_not_broadcast_are_refused(tau, match):
    layer = ss.LIF(tau_mem=tau)
    with pytest.raises(ValueError, match="tau_mem.*" + match):
        layer(torch.rand(2, 5, 3))
    assert not layer.is_state_initialised()  # unchanged
    layer.tau_mem.data = torch.full((3,), 4.0)
    layer(torch.rand(2, 5, 3))


@pytest.mark.parametrize("make,name", [
    (lambda: ss.LIF(tau_mem=torch.tensor([3.0, -1.0])), "tau_mem"),
    (lambda: ss.LIF(tau_mem=torch.tensor([3.0, float("nan")])), "tau_mem"),
    (lambda: ss.ALIF(tau_mem=3.0, tau_adapt=torch.tensor([0.0, 2.0])), "tau_adapt"),
    (lambda: ss.LIF(tau_mem=torch.tensor([0.5, 0.9]).log().neg().reciprocal(), train_alphas=True,
                    tau_syn=torch.tensor([2.0, 3.0])), None),
])
def test_bad_time_constant_tensors_are_refused_at_construction(make, name):
    if name is None:
        make()  # valid: alpha = exp(-1/tau) in (0, 1)
        return
    with pytest.raises(ValueError, match=name):
        make()


def test_alpha_tensor_outside_the_unit_interval_is_refused():
    layer = ss.LIF(tau_mem=torch.tensor([3.0, 4.0]), train_alphas=True)
    layer(torch.rand(1, 3, 2))
    layer.alpha_mem.data[1] = 1.5
    with pytest.raises(ValueError, match="alpha_mem"):
        layer(torch.rand(1, 3, 2))


def test_numpy_layers_take_per_neuron_time_constants():
    """sinabs_swift.layers: arrays of time constants at construction and by
    assignment, the same numbers as sinabs; gradients through the native
    backward in the parameter's shape."""
    import numpy as np
    import sinabs_swift.layers as nl
    rng = np.random.default_rng(0)
    tau_mem = rng.uniform(2, 12, size=(4,)).astype(np.float32)
    tau_syn = rng.uniform(1, 5, size=(2, 1, 4)).astype(np.float32)
    x = (rng.random((2, 9, 3, 4)) * 3).astype(np.float32)
    ours = nl.LIF(tau_mem=tau_mem, tau_syn=tau_syn[0])
    reference = sl.LIF(tau_mem=torch.tensor(tau_mem), tau_syn=torch.tensor(tau_syn[0]))
    assert np.array_equal(np.asarray(ours.tau_mem), tau_mem)
    out = np.asarray(ours(x))
    expected = reference(torch.tensor(x))
    assert_close(torch.tensor(out), expected, "numpy LIF output")
    assert_close(torch.tensor(np.asarray(ours.i_syn)), reference.i_syn, "numpy LIF i_syn")
    ours.tau_mem = np.full((3, 4), 6.0, dtype=np.float32)  # a new shape by assignment
    assert np.asarray(ours.tau_mem).shape == (3, 4)
    ours(x)
    native = ours.native
    native.set_training(True)
    native.forward(x)
    native.backward(np.ones_like(x))
    assert np.asarray(native.grad("tau_mem")).shape == (3, 4)
    assert np.asarray(native.grad("tau_syn")).shape == (1, 4)
