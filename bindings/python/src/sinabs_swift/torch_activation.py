"""sinabs.activation for torch users: the spike, reset and surrogate
descriptions of `sinabs_swift.activation` (which the neuron layers compute
natively) and the two autograd functions sinabs' quantising layers use.
`from sinabs_swift.torch import activation as sa` stands in for
`import sinabs.activation as sa`."""

import torch

from .activation import (  # noqa: F401  (re-exported)
    Gaussian, Heaviside, MaxSpike, MembraneReset, MembraneSubtract, MultiGaussian, MultiSpike,
    PeriodicExponential, SingleExponential, SingleSpike)

__all__ = ["Gaussian", "Heaviside", "MaxSpike", "MembraneReset", "MembraneSubtract",
           "MultiGaussian", "MultiSpike", "PeriodicExponential", "SingleExponential",
           "SingleSpike", "Quantize", "StochasticRounding"]


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
