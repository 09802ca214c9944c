"""sinabs.activation for torch users: the spike, reset and surrogate
functions with sinabs' names, fields and call signatures, computed in torch
(for custom layers that call them: ``MultiSpike.apply(v_mem, threshold,
surrogate)``, ``SingleExponential()(v_mem, threshold)``, ``reset(spikes,
state, threshold)``), and the two autograd functions of sinabs' quantising
layers. The neuron layers accept these as well as the descriptions of
`sinabs_swift.activation` (matched by class name and fields).
`from sinabs_swift.torch import activation as sa` stands in for
`import sinabs.activation as sa`."""

import math

import torch

from . import activation as _descriptions

__all__ = ["Gaussian", "Heaviside", "MaxSpike", "MembraneReset", "MembraneSubtract",
           "MultiGaussian", "MultiSpike", "PeriodicExponential", "SingleExponential",
           "SingleSpike", "Quantize", "StochasticRounding"]


# --- spike functions: spikes forward, grad * surrogate(v_mem) backward ------

class _SurrogateBackward:
    @staticmethod
    def backward(ctx, grad_output):
        (v_mem,) = ctx.saved_tensors
        return (grad_output * ctx.surrogate_grad_fn(v_mem, ctx.spike_threshold),) + (None,) * ctx.extra


def _remember(ctx, v_mem, spike_threshold, surrogate_grad_fn, extra):
    ctx.save_for_backward(v_mem.clone())
    ctx.spike_threshold, ctx.surrogate_grad_fn, ctx.extra = spike_threshold, surrogate_grad_fn, extra


def _multi(v_mem, spike_threshold):
    return (v_mem > 0) * torch.div(v_mem, spike_threshold, rounding_mode="trunc").float()


class MultiSpike(_SurrogateBackward, torch.autograd.Function):
    """(v > 0) * trunc(v / threshold) spikes per step."""

    required_states = ["v_mem"]

    @staticmethod
    def forward(ctx, v_mem, spike_threshold, surrogate_grad_fn):
        _remember(ctx, v_mem, spike_threshold, surrogate_grad_fn, 2)
        return _multi(v_mem, spike_threshold)


class SingleSpike(_SurrogateBackward, torch.autograd.Function):
    """One spike where v >= threshold."""

    required_states = ["v_mem"]

    @staticmethod
    def forward(ctx, v_mem, spike_threshold, surrogate_grad_fn):
        _remember(ctx, v_mem, spike_threshold, surrogate_grad_fn, 2)
        return (v_mem - spike_threshold >= 0).float()


class _ClampedSpikes(_SurrogateBackward, torch.autograd.Function):
    @staticmethod
    def forward(ctx, v_mem, limit, spike_threshold, surrogate_grad_fn):
        _remember(ctx, v_mem, spike_threshold, surrogate_grad_fn, 3)
        spikes = _multi(v_mem, spike_threshold)
        return spikes if limit is None else torch.clamp(spikes, max=limit)


class MaxSpike(_descriptions.MaxSpike):
    """MultiSpike clamped to max_num_spikes_per_bin."""

    def apply(self, v_mem, spike_threshold, surrogate_grad_fn):
        return _ClampedSpikes.apply(v_mem, self.max_num_spikes_per_bin, spike_threshold,
                                    surrogate_grad_fn)

    @property
    def required_states(self):
        return ["v_mem"]


# --- surrogate gradients: d spikes / d v_mem ---------------------------------

def _normal(x, mu, sigma):
    return torch.exp(-((x - mu) ** 2) / (2 * sigma ** 2)) / (sigma * math.sqrt(2 * math.pi))


class SingleExponential(_descriptions.SingleExponential):
    def __call__(self, v_mem, spike_threshold):
        width = spike_threshold * self.grad_width
        return self.grad_scale / width * torch.exp(-torch.abs(v_mem - spike_threshold) / width)


class Heaviside(_descriptions.Heaviside):
    def __call__(self, v_mem, spike_threshold):
        return (v_mem >= spike_threshold - self.window).float() / spike_threshold


class Gaussian(_descriptions.Gaussian):
    def __call__(self, v_mem, spike_threshold):
        return _normal(v_mem - spike_threshold, self.mu, self.sigma) * self.grad_scale


class MultiGaussian(_descriptions.MultiGaussian):
    def __call__(self, v_mem, spike_threshold):
        x, wide = v_mem - spike_threshold, self.s * self.sigma
        return ((1 + self.h) * _normal(x, self.mu, self.sigma) - self.h * _normal(x, self.sigma, wide)
                - self.h * _normal(x, -self.sigma, wide)) * self.grad_scale


class PeriodicExponential(_descriptions.PeriodicExponential):
    def __call__(self, v_mem, spike_threshold):
        phase = v_mem / spike_threshold - 0.5
        periodic = spike_threshold * (2 * (phase - torch.floor(phase)) - 1)
        shifted = torch.where(v_mem < spike_threshold, v_mem - spike_threshold, periodic)
        return self.grad_scale * torch.exp(-torch.abs(shifted) / self.grad_width)


# --- resets: the state after the spikes --------------------------------------

class MembraneSubtract(_descriptions.MembraneSubtract):
    def __call__(self, spikes, state, threshold):
        amount = threshold if self.subtract_value is None else self.subtract_value
        return {**state, "v_mem": state["v_mem"] - spikes * amount}


class MembraneReset(_descriptions.MembraneReset):
    """v_mem = reset_value where a neuron spiked (libsinabs' rule: sinabs also
    adds reset_value to the neurons that did not spike)."""

    def __call__(self, spikes, state, spike_threshold):
        v_mem = state["v_mem"]
        return {**state, "v_mem": torch.where(spikes > 0, torch.full_like(v_mem, self.reset_value),
                                              v_mem)}


class Quantize(torch.autograd.Function):
    """floor() forward, the gradient passed straight through."""

    @staticmethod
    def forward(ctx, inp):
        return inp.floor()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clone()


class StochasticRounding(torch.autograd.Function):
    """Rounds up with probability equal to the fractional part (torch's
    generator); the gradient passed straight through."""

    @staticmethod
    def forward(ctx, inp):
        whole = inp.floor()
        return whole + (torch.rand_like(inp) < inp - whole).float()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clone()
