"""Helpers of the sinabs_swift.torch tests: random layer configurations built
twice (real sinabs and ours) and a tolerance check in the reference cases'
terms (1e-4 relative, 1e-5 absolute, scaled by the reference's magnitude).

Deliberate differences of libsinabs from sinabs (see test_reference_parity.py)
are kept out of the comparison: MembraneReset with a non-zero value, ALIF's
i_syn state (sinabs never writes it back, so every call restarts from 0) and
the recordings of ALIF and recurrent layers (sinabs records a dict it then
mutates)."""

import copy
import random

import sinabs.activation as sa
import sinabs.layers.alif
import sinabs.layers as sl
import torch
import torch.nn as nn

import sinabs_swift.torch as ss

RTOL, ATOL = 1e-4, 1e-5

SPIKE_FNS = [lambda: sa.MultiSpike, lambda: sa.SingleSpike, lambda: sa.MaxSpike(2)]
RESET_FNS = [lambda: sa.MembraneSubtract(), lambda: sa.MembraneSubtract(subtract_value=0.7),
             lambda: sa.MembraneReset()]
# Not MembraneReset(reset_value != 0): sinabs adds the value to neurons that did
# not spike too; libsinabs deliberately resets only spiking neurons.
SURROGATES = [lambda: sa.SingleExponential(), lambda: sa.SingleExponential(0.3, 2.0),
              lambda: sa.Heaviside(0.5), lambda: sa.Gaussian(), lambda: sa.MultiGaussian(),
              lambda: sa.PeriodicExponential()]


def assert_close(ours, reference, what, atol=ATOL):
    """Close to 1e-4 relative, `atol` absolute times the reference's largest
    magnitude (at least 1)."""
    if reference is None:  # sinabs: parameter not in the graph (e.g. tau_adapt
        reference = torch.zeros_like(ours)  # without a threshold reset); ours: 0
    ours, reference = ours.detach().float(), reference.detach().float()
    assert ours.shape == reference.shape, f"{what}: shape {ours.shape} != {reference.shape}"
    scale = max(1.0, reference.abs().max().item()) if reference.numel() else 1.0
    torch.testing.assert_close(ours, reference, rtol=RTOL, atol=atol * scale,
                               msg=lambda m: f"{what}: {m}")


def random_config(seed):
    """(class name, kwargs, form, trailing shape) of one random layer."""
    rng = random.Random(seed)
    model = rng.choice(["IAF", "LIF", "ExpLeak", "ALIF"])
    form = rng.choice(["plain", "squeeze"] + ([] if model == "ExpLeak" else ["recurrent"]))
    kwargs = {}
    if model in ("LIF", "ExpLeak", "ALIF"):
        kwargs["tau_mem"] = rng.choice([3.0, 10.0, 25.0])
        kwargs["train_alphas"] = rng.random() < 0.4
        kwargs["norm_input"] = rng.random() < 0.5
    if model == "ALIF":
        kwargs["tau_adapt"] = rng.choice([5.0, 30.0])
        kwargs["adapt_scale"] = rng.choice([1.8, 0.5])
    if model != "ExpLeak":
        kwargs["spike_fn"] = rng.choice(SPIKE_FNS)()
        kwargs["reset_fn"] = rng.choice(RESET_FNS)()
        kwargs["surrogate_grad_fn"] = rng.choice(SURROGATES)()
        kwargs["spike_threshold"] = rng.choice([1.0, 0.6])
        if rng.random() < 0.5:
            kwargs["tau_syn"] = rng.choice([2.0, 8.0])
    if rng.random() < 0.4:
        kwargs["min_v_mem"] = rng.choice([-0.5, 0.0])
    kwargs["record_states"] = rng.random() < 0.5
    trailing = (6,) if form == "recurrent" else rng.choice([(6,), (2, 3)])
    return model, kwargs, form, trailing


def build_pair(model, kwargs, form, trailing, batch, seed=0):
    """The same layer from sinabs and from sinabs_swift.torch."""
    name = model + {"plain": "", "squeeze": "Squeeze", "recurrent": "Recurrent"}[form]
    extra = {}
    if form == "squeeze":
        extra["batch_size"] = batch
    pair = []
    torch.manual_seed(seed)
    # Half torch's default init (|w| < 0.2): with stronger feedback, MultiSpike
    # IAF membranes run away to 1e5 and beyond, where float32 rounding alone
    # (e.g. PeriodicExponential's floor(v / threshold)) changes gradients.
    rec = nn.Linear(trailing[0], trailing[0], bias=seed % 2 == 0) if form == "recurrent" else None
    if rec is not None:
        with torch.no_grad():
            rec.weight.mul_(0.5)
    for module in (sl, ss):
        args = dict(kwargs, **extra)
        if rec is not None:
            args["rec_connect"] = copy.deepcopy(rec)
        cls = getattr(module, name, None) or getattr(sinabs.layers.alif, name)  # ALIFSqueeze
        pair.append(cls(**args))
    return pair


def make_input(form, batch, time, trailing, scale, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, time, *trailing), generator=generator) * scale
    grad = torch.randn((batch, time, *trailing), generator=generator)
    if form == "squeeze":
        x, grad = x.flatten(0, 1), grad.flatten(0, 1)
    return x, grad


def run(layer, x, grad):
    """Forward + backward of sum(output * grad): output, input grad, param grads."""
    x = x.clone().requires_grad_(True)
    for p in layer.parameters():
        p.grad = None
    out = layer(x)
    out.backward(grad)
    grads = {n: p.grad for n, p in layer.named_parameters() if p.requires_grad}
    return out, x.grad, grads


def state_names(layer):
    return [n for n in ("v_mem", "i_syn", "b", "spike_threshold")
            if isinstance(getattr(layer, n, None), torch.Tensor)]
