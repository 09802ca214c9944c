"""Spike, reset and surrogate-gradient functions, as in sinabs.activation.

Same names, fields and defaults as sinabs 3.1.3. They are descriptions only:
the arithmetic runs in libsinabs. The real sinabs.activation classes and
instances are accepted wherever these are (matched by class name and fields).
"""
from dataclasses import dataclass
from typing import Any, Optional, Type, Union

from . import _native


class MultiSpike:
    """Several spikes per step: ``s = (v > 0) * trunc(v / threshold)``.

    Pass the class itself (``spike_fn=MultiSpike``), as in sinabs. The default of
    IAF and LIF."""


class SingleSpike:
    """At most one spike per step: ``s = 1 if v >= threshold else 0``.

    Pass the class itself. The default of ALIF."""


@dataclass
class MaxSpike:
    """MultiSpike clamped: ``s = min(MultiSpike(v), max_num_spikes_per_bin)``.

    Args:
        max_num_spikes_per_bin: the most spikes per neuron and step (>= 1);
            ``None`` (default): no clamp, i.e. MultiSpike."""

    max_num_spikes_per_bin: Optional[int] = None


@dataclass
class MembraneSubtract:
    """Reset by subtraction: ``v <- v - s * subtract_value`` after ``s`` spikes.

    Args:
        subtract_value: what one spike subtracts; ``None`` (default): the
            threshold (for ALIF the adaptive one of that step)."""

    subtract_value: Optional[float] = None


@dataclass
class MembraneReset:
    """Reset to a value: ``v <- reset_value`` where the neuron spiked.

    Only neurons that spiked are reset (sinabs 3.1.3 also shifts every other
    neuron by ``reset_value``; a deliberate, tested difference).

    Args:
        reset_value: the membrane after a spike. Default 0."""

    reset_value: float = 0.0


@dataclass
class SingleExponential:
    """Surrogate gradient ``ds/dv = grad_scale / w * exp(-|v - threshold| / w)``
    with ``w = threshold * grad_width`` (sinabs' default).

    Args:
        grad_width: width relative to the threshold. Default 0.5.
        grad_scale: height factor. Default 1."""

    grad_width: float = 0.5
    grad_scale: float = 1.0


@dataclass
class Heaviside:
    """Surrogate gradient ``ds/dv = 1 / threshold`` where
    ``v >= threshold - window``, else 0.

    Args:
        window: how far below the threshold the gradient reaches. Default 1."""

    window: float = 1.0


@dataclass
class Gaussian:
    """Surrogate gradient ``ds/dv = grad_scale * N(v - threshold; mu, sigma)``,
    a normal density.

    Args:
        mu: centre, relative to the threshold. Default 0.
        sigma: standard deviation. Default 0.5.
        grad_scale: height factor. Default 1."""

    mu: float = 0.0
    sigma: float = 0.5
    grad_scale: float = 1.0


@dataclass
class MultiGaussian:
    """Surrogate gradient of Yin et al. 2021: with ``x = v - threshold``,
    ``ds/dv = grad_scale * ((1 + h) N(x; mu, sigma) - h N(x; sigma, s sigma)
    - h N(x; -sigma, s sigma))``.

    Args:
        mu: centre of the main Gaussian. Default 0.
        sigma: its standard deviation. Default 0.5.
        h: weight of the two negative side lobes. Default 0.15.
        s: width of the side lobes relative to sigma. Default 6.
        grad_scale: height factor. Default 1."""

    mu: float = 0.0
    sigma: float = 0.5
    h: float = 0.15
    s: float = 6
    grad_scale: float = 1.0


@dataclass
class PeriodicExponential:
    """Surrogate gradient for MultiSpike: ``ds/dv = grad_scale * exp(-|y| / grad_width)``
    with ``y = v - threshold`` below the threshold and, above it, the distance
    to the nearest multiple of the threshold
    (``y = threshold * (2 * frac(v / threshold - 0.5) - 1)``), so every spike
    count boundary gets a peak.

    Args:
        grad_width: width (absolute). Default 0.5.
        grad_scale: height factor. Default 1."""

    grad_width: float = 0.5
    grad_scale: float = 1.0


# What spike_fn, reset_fn and surrogate_grad_fn accept: these classes (spike
# functions) or instances, or sinabs.activation's, matched by name and fields.
SpikeFn = Union[Type[MultiSpike], Type[SingleSpike], MaxSpike, Any]
ResetFn = Union[MembraneSubtract, MembraneReset, Any]
SurrogateFn = Union[SingleExponential, Heaviside, Gaussian, MultiGaussian, PeriodicExponential, Any]


def _kind(fn) -> str:
    return fn.__name__ if isinstance(fn, type) else type(fn).__name__


def _field(fn, name, default):
    value = getattr(fn, name, default) if not isinstance(fn, type) else default
    return default if value is None and default is not None else value


def spike_options(fn) -> dict:
    """sinabs_neuron_options fields for a spike function (class or instance)."""
    kind = _kind(fn)
    if kind == "MultiSpike":
        return {"spike_fn": _native.SPIKE_MULTI}
    if kind == "SingleSpike":
        return {"spike_fn": _native.SPIKE_SINGLE}
    if kind == "MaxSpike":
        limit = None if isinstance(fn, type) else fn.max_num_spikes_per_bin
        if limit is None:  # sinabs: no clamp, i.e. MultiSpike
            return {"spike_fn": _native.SPIKE_MULTI}
        return {"spike_fn": _native.SPIKE_MAX, "max_num_spikes_per_bin": int(limit)}
    raise TypeError(f"unsupported spike_fn {fn!r}; expected MultiSpike, SingleSpike or MaxSpike")


def reset_options(fn) -> dict:
    """sinabs_neuron_options fields for a reset function."""
    kind = _kind(fn)
    if kind == "MembraneSubtract":
        value = None if isinstance(fn, type) else fn.subtract_value
        return {"reset_fn": _native.RESET_SUBTRACT,
                "subtract_value": None if value is None else float(value)}
    if kind == "MembraneReset":
        value = 0.0 if isinstance(fn, type) else fn.reset_value
        return {"reset_fn": _native.RESET_MEMBRANE, "reset_value": float(value)}
    raise TypeError(f"unsupported reset_fn {fn!r}; expected MembraneSubtract or MembraneReset")


_SURROGATES = {
    "SingleExponential": (_native.SURROGATE_SINGLE_EXPONENTIAL,
                          {"grad_width": 0.5, "grad_scale": 1.0}),
    "Heaviside": (_native.SURROGATE_HEAVISIDE, {"window": 1.0}),
    "Gaussian": (_native.SURROGATE_GAUSSIAN, {"mu": 0.0, "sigma": 0.5, "grad_scale": 1.0}),
    "MultiGaussian": (_native.SURROGATE_MULTI_GAUSSIAN,
                      {"mu": 0.0, "sigma": 0.5, "h": 0.15, "s": 6.0, "grad_scale": 1.0}),
    "PeriodicExponential": (_native.SURROGATE_PERIODIC_EXPONENTIAL,
                            {"grad_width": 0.5, "grad_scale": 1.0}),
}


def surrogate_options(fn) -> dict:
    """sinabs_neuron_options fields for a surrogate gradient function."""
    kind = _kind(fn)
    if kind not in _SURROGATES:
        raise TypeError(f"unsupported surrogate_grad_fn {fn!r}; expected one of "
                        f"{', '.join(_SURROGATES)}")
    code, defaults = _SURROGATES[kind]
    options = {"surrogate_fn": code}
    for name, default in defaults.items():
        options[name] = float(_field(fn, name, default))
    return options
