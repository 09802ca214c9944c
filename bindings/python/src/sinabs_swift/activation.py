"""Spike, reset and surrogate-gradient functions, as in sinabs.activation.

Same names, fields and defaults as sinabs 3.1.3. They are descriptions only:
the arithmetic runs in libsinabs. The real sinabs.activation classes and
instances are accepted wherever these are (matched by class name and fields).
"""
from dataclasses import dataclass
from typing import Optional

from . import _native


class MultiSpike:
    """Several spikes per step: (v > 0) * floor(v / threshold). Pass the class."""


class SingleSpike:
    """At most one spike per step: v >= threshold. Pass the class."""


@dataclass
class MaxSpike:
    """MultiSpike clamped to max_num_spikes_per_bin (None: no clamp)."""

    max_num_spikes_per_bin: Optional[int] = None


@dataclass
class MembraneSubtract:
    """Subtract subtract_value (None: the threshold) per spike."""

    subtract_value: Optional[float] = None


@dataclass
class MembraneReset:
    """Set v_mem to reset_value where a spike occurred."""

    reset_value: float = 0.0


@dataclass
class SingleExponential:
    grad_width: float = 0.5
    grad_scale: float = 1.0


@dataclass
class Heaviside:
    window: float = 1.0


@dataclass
class Gaussian:
    mu: float = 0.0
    sigma: float = 0.5
    grad_scale: float = 1.0


@dataclass
class MultiGaussian:
    mu: float = 0.0
    sigma: float = 0.5
    h: float = 0.15
    s: float = 6
    grad_scale: float = 1.0


@dataclass
class PeriodicExponential:
    grad_width: float = 0.5
    grad_scale: float = 1.0


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
