"""Input encoders and ANN helpers of sinabs.layers, run by libsinabs:
``Img2SpikeLayer``, ``Sig2SpikeLayer``, ``NeuromorphicReLU``, ``QuantizeLayer``
and ``events_to_frames`` (DVS events binned into frames without a Python loop).

Random draws come from the core's stream of each layer (SplitMix64, one draw
per output element, in output order), so the same ``seed`` gives the same
spikes from Python, C (``sinabs_img2spike_layer_create``...) and Swift. Without
a seed a layer's stream is seeded from the process-wide generator:
``sinabs_swift.manual_seed(s)`` before creating it makes it reproducible.
The layers are usable inside ``sinabs_swift.Sequential`` and are saved in
model files; outputs are numpy arrays viewing the core's memory.
"""
import json
from typing import Optional, Sequence

import numpy as np

from . import _native
from .connection_layers import _NativeLayer


def _as_input(data):
    return np.ascontiguousarray(data, dtype=np.float32)


class _EncoderLayer(_NativeLayer):
    """A layer of this module: built from its description (kind + sinabs'
    constructor arguments + the stream's seed), outputs as numpy arrays."""

    def _describe(self, kind, arguments, **init):
        seed = init.get("seed")
        if seed is not None:
            seed = int(seed)
            if not 0 <= seed < 2**64:
                raise ValueError(f"seed must be in [0, 2**64), got {seed}")
            arguments["seed"] = seed - 2**64 if seed >= 2**63 else seed  # the core keeps the bit pattern
        native = _native.described_layer(kind, json.dumps(arguments))
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "_init", init)
        object.__setattr__(self, "training", False)
        object.__setattr__(self, "_parameter_names", ())
        object.__setattr__(self, "kind", kind)

    def forward(self, input_data, out=None):
        """The output for `input_data` as a numpy array (a view of the core's tensor)."""
        return np.asarray(self._native.forward(_as_input(input_data), out))

    __call__ = forward

    def backward(self, grad_output):
        """Gradient w.r.t. the input of the last training forward (``train()``)."""
        return np.asarray(self._native.backward(_as_input(grad_output)))


class Img2SpikeLayer(_EncoderLayer):
    """Rate coding of an image into `tw` steps of spikes: each step fires where
    a uniform draw < (input / norm) * (max_rate / 1000); with negative_spikes,
    |input| drives the rate and the spike carries the input's sign (sinabs)."""

    def __init__(self, image_shape=None, tw: int = 100, max_rate: float = 1000, norm: float = 255.0,
                 squeeze: bool = False, negative_spikes: bool = False, seed: Optional[int] = None):
        if int(tw) < 1:
            raise ValueError(f"tw must be >= 1, got {tw}")
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(f"norm must be finite and non-zero, got {norm}")
        self._describe("Img2SpikeLayer", {"tw": int(tw), "max_rate": float(max_rate), "norm": float(norm),
                                          "squeeze": bool(squeeze), "negative_spikes": bool(negative_spikes)},
                       image_shape=image_shape, tw=tw, max_rate=max_rate, norm=norm, squeeze=squeeze,
                       negative_spikes=negative_spikes, seed=seed)
        self.image_shape, self.tw, self.max_rate, self.norm = image_shape, int(tw), float(max_rate), float(norm)
        self.squeeze, self.negative_spikes = bool(squeeze), bool(negative_spikes)
        self.spikes_number = 0.0

    def forward(self, image, out=None):
        spikes = super().forward(image, out)
        self.spikes_number = float(np.abs(spikes).sum())
        return spikes

    __call__ = forward


class Sig2SpikeLayer(_EncoderLayer):
    """A (channels, time) signal into (time * tw, channels) spikes: each sample
    repeated `tw` times, a spike where a uniform draw * norm_level < signal;
    with spk_out=False the upsampled signal itself (sinabs)."""

    def __init__(self, channels_in: int, tw: int = 1, norm_level: float = 1, spk_out: bool = True,
                 seed: Optional[int] = None):
        if int(tw) < 1:
            raise ValueError(f"tw must be >= 1, got {tw}")
        self._describe("Sig2SpikeLayer", {"channels_in": int(channels_in), "tw": int(tw),
                                          "norm_level": float(norm_level), "spk_out": bool(spk_out)},
                       channels_in=channels_in, tw=tw, norm_level=norm_level, spk_out=spk_out, seed=seed)
        self.channels_in, self.tw, self.norm_level, self.spk_out = int(channels_in), int(tw), float(norm_level), spk_out
        self.spikes_number = 0.0

    def forward(self, signal, out=None):
        signal = _as_input(signal)
        if signal.ndim != 2:
            raise ValueError(f"signal must be (channels, time), got shape {signal.shape}")
        spikes = super().forward(signal, out)
        self.spikes_number = float(np.abs(spikes).sum())
        return spikes

    __call__ = forward


class QuantizeLayer(_EncoderLayer):
    """floor(x) forward; backward passes the gradient straight through."""

    def __init__(self, quantize: bool = True):
        self._describe("QuantizeLayer", {"quantize": bool(quantize)}, quantize=quantize)
        self.quantize = bool(quantize)

    def backward(self, grad_output):
        """The gradient itself (straight-through: it needs no forward)."""
        return _as_input(grad_output).copy()


class NeuromorphicReLU(_EncoderLayer):
    """ReLU then floor (quantize); with stochastic_rounding, training rounds
    up with probability frac(x) and evaluation rounds to nearest (sinabs).
    `activity` = output sum / batch * fanout. from_model turns it into a
    spiking layer; backward is straight-through where the input was > 0."""

    def __init__(self, quantize: bool = True, fanout: int = 1, stochastic_rounding: bool = False,
                 seed: Optional[int] = None):
        self._describe("NeuromorphicReLU", {"quantize": bool(quantize), "fanout": int(fanout),
                                            "stochastic_rounding": bool(stochastic_rounding)},
                       quantize=quantize, fanout=fanout, stochastic_rounding=stochastic_rounding, seed=seed)
        self.quantize, self.fanout, self.stochastic_rounding = bool(quantize), fanout, bool(stochastic_rounding)
        self.activity = 0.0

    def forward(self, x, out=None):
        output = super().forward(x, out)
        self.activity = float(output.sum() / max(len(output) if output.ndim else 1, 1) * self.fanout)
        return output

    __call__ = forward

    def backward(self, grad_output):
        """Gradient where the input of the last training forward was > 0.
        RuntimeError without a training forward since the last backward."""
        return super().backward(grad_output)


def events_to_frames(t, x, y, p, sensor_size: Sequence[int], n_time_bins: Optional[int] = None,
                     dt: Optional[float] = None, t_start: Optional[float] = None):
    """DVS events (t, x, y, polarity) counted into frames (Time, 2, H, W) by
    libsinabs (``sinabs_events_to_frames``; no Python loop). Bins: `n_time_bins`
    equal bins over [t_start, last t] (the last event in the last bin), or bins
    of width `dt` from t_start (default: the first event), up to the bin of the
    last event: tonic's ``ToFrame(time_window=dt, include_incomplete=True)``.
    Polarity > 0 is channel 1, else channel 0. Events outside the sensor or
    before t_start raise ValueError (nothing is binned).

    Args:
        t, x, y, p: 1-d arrays of one length (t as float64, the rest as int32).
        sensor_size: (H, W).
    """
    t = np.ascontiguousarray(np.asarray(t).ravel(), dtype=np.float64)
    coordinates = []
    for name, values in (("x", x), ("y", y), ("p", p)):
        values = np.asarray(values).ravel()
        if name != "p" and values.size and (values.min() < np.iinfo(np.int32).min or values.max() > np.iinfo(np.int32).max):
            raise ValueError(f"an event's {name} lies outside the sensor")
        coordinates.append(np.ascontiguousarray(values > 0 if name == "p" else values, dtype=np.int32))
    if not (len(t) == len(coordinates[0]) == len(coordinates[1]) == len(coordinates[2])):
        raise ValueError("t, x, y and p must have one length")
    height, width = (int(s) for s in sensor_size)
    if (n_time_bins is None) == (dt is None):
        raise ValueError("give exactly one of n_time_bins and dt")
    if dt is not None and not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt}")
    bins = 0 if n_time_bins is None else int(n_time_bins)
    if n_time_bins is not None and bins < 1:
        raise ValueError(f"n_time_bins must be >= 1, got {n_time_bins}")
    frames = _native.events_to_frames(t, *coordinates, height, width, bins, 0.0 if dt is None else float(dt),
                                      None if t_start is None else float(t_start))
    return np.asarray(frames)


__all__ = ["Img2SpikeLayer", "Sig2SpikeLayer", "QuantizeLayer", "NeuromorphicReLU", "events_to_frames"]
