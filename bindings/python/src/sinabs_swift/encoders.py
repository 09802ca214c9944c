"""Input encoders and ANN helpers of sinabs.layers, on numpy (no torch):
``Img2SpikeLayer``, ``Sig2SpikeLayer``, ``NeuromorphicReLU``, ``QuantizeLayer``
and ``events_to_frames`` (DVS events binned into frames without a Python loop).

Random draws come from a numpy Generator seeded by ``seed`` (reproducible
within Python; not yet the core's process generator shared with C and Swift).
"""
from typing import Optional, Sequence

import numpy as np


def _generator(seed):
    return np.random.default_rng(seed)


class Img2SpikeLayer:
    """Rate coding of an image into `tw` steps of spikes: each step fires where
    a uniform draw < (input / norm) * (max_rate / 1000); with negative_spikes,
    |input| drives the rate and the spike carries the input's sign (sinabs)."""

    def __init__(self, image_shape=None, tw: int = 100, max_rate: float = 1000, norm: float = 255.0,
                 squeeze: bool = False, negative_spikes: bool = False, seed: Optional[int] = None):
        if int(tw) < 1:
            raise ValueError(f"tw must be >= 1, got {tw}")
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(f"norm must be finite and non-zero, got {norm}")
        self.image_shape, self.tw, self.max_rate, self.norm = image_shape, int(tw), float(max_rate), float(norm)
        self.squeeze, self.negative_spikes = bool(squeeze), bool(negative_spikes)
        self._rng = _generator(seed)
        self.spikes_number = 0.0

    def forward(self, image):
        image = np.asarray(image, dtype=np.float32)
        if self.squeeze:
            image = image.squeeze()
        draws = self._rng.random((self.tw,) + image.shape, dtype=np.float32)
        drive = np.abs(image) if self.negative_spikes else image
        spikes = (draws < drive / self.norm * (self.max_rate / 1000)).astype(np.float32)
        if self.negative_spikes:
            spikes *= np.sign(image)
        self.spikes_number = float(np.abs(spikes).sum())
        return spikes

    __call__ = forward


class Sig2SpikeLayer:
    """A (channels, time) signal into (time * tw, channels) spikes: each sample
    repeated `tw` times, a spike where a uniform draw * norm_level < signal;
    with spk_out=False the upsampled signal itself (sinabs)."""

    def __init__(self, channels_in: int, tw: int = 1, norm_level: float = 1, spk_out: bool = True,
                 seed: Optional[int] = None):
        if int(tw) < 1:
            raise ValueError(f"tw must be >= 1, got {tw}")
        self.channels_in, self.tw, self.norm_level, self.spk_out = int(channels_in), int(tw), float(norm_level), spk_out
        self._rng = _generator(seed)
        self.spikes_number = 0.0

    def forward(self, signal):
        signal = np.asarray(signal, dtype=np.float32)
        if signal.ndim != 2:
            raise ValueError(f"signal must be (channels, time), got shape {signal.shape}")
        upsampled = np.repeat(signal, self.tw, axis=1).T
        if self.spk_out:
            draws = self._rng.random(upsampled.shape, dtype=np.float32) * self.norm_level
            upsampled = (draws < upsampled).astype(np.float32)
        self.spikes_number = float(np.abs(upsampled).sum())
        return np.ascontiguousarray(upsampled)

    __call__ = forward


class QuantizeLayer:
    """floor(x) forward; backward passes the gradient straight through."""

    def __init__(self, quantize: bool = True):
        self.quantize = bool(quantize)

    def forward(self, x):
        x = np.asarray(x, dtype=np.float32)
        return np.floor(x) if self.quantize else x.copy()

    __call__ = forward

    def backward(self, grad_output):
        return np.asarray(grad_output, dtype=np.float32).copy()


class NeuromorphicReLU:
    """ReLU then floor (quantize); with stochastic_rounding, training rounds
    up with probability frac(x) and evaluation rounds to nearest (sinabs).
    `activity` = output sum / batch * fanout. from_model turns it into a
    spiking layer; backward is straight-through where the input was > 0."""

    def __init__(self, quantize: bool = True, fanout: int = 1, stochastic_rounding: bool = False,
                 seed: Optional[int] = None):
        self.quantize, self.fanout, self.stochastic_rounding = bool(quantize), fanout, bool(stochastic_rounding)
        self.training = False
        self._rng = _generator(seed)
        self._input = None
        self.activity = 0.0

    def train(self, mode: bool = True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def forward(self, x):
        x = np.asarray(x, dtype=np.float32)
        self._input = x
        out = np.maximum(x, 0)
        if self.quantize:
            if self.stochastic_rounding:
                if self.training:
                    floor = np.floor(out)
                    out = floor + (self._rng.random(out.shape, dtype=np.float32) < out - floor)
                else:
                    out = np.round(out)
            else:
                out = np.floor(out)
        out = out.astype(np.float32)
        self.activity = float(out.sum() / max(len(out), 1) * self.fanout)
        return out

    __call__ = forward

    def backward(self, grad_output):
        if self._input is None:
            raise RuntimeError("backward needs a forward first")
        return np.where(self._input > 0, np.asarray(grad_output, dtype=np.float32), 0).astype(np.float32)


def events_to_frames(t, x, y, p, sensor_size: Sequence[int], n_time_bins: Optional[int] = None,
                     dt: Optional[float] = None, t_start: Optional[float] = None):
    """DVS events (t, x, y, polarity) counted into frames (Time, 2, H, W) with
    one np.add.at (no Python loop). Bins: `n_time_bins` equal bins over
    [t_start, last t], or bins of width `dt` from t_start (default: the first
    event). Polarity > 0 is channel 1, else channel 0. Events outside the
    sensor raise ValueError.

    Args:
        t, x, y, p: 1-d arrays of one length.
        sensor_size: (H, W).
    """
    t, x, y, p = (np.asarray(a).ravel() for a in (t, x, y, p))
    if not (len(t) == len(x) == len(y) == len(p)):
        raise ValueError("t, x, y and p must have one length")
    height, width = (int(s) for s in sensor_size)
    if height < 1 or width < 1:
        raise ValueError(f"sensor_size must be >= 1, got {sensor_size}")
    if (n_time_bins is None) == (dt is None):
        raise ValueError("give exactly one of n_time_bins and dt")
    if len(t) and ((x < 0).any() or (x >= width).any() or (y < 0).any() or (y >= height).any()):
        raise ValueError("an event lies outside the sensor")
    t = t.astype(np.float64)
    start = float(t.min()) if t_start is None and len(t) else float(t_start or 0)
    if dt is not None:
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        bins = np.floor((t - start) / dt).astype(np.int64)
        count = int(bins.max()) + 1 if len(t) else 0
    else:
        count = int(n_time_bins)
        if count < 1:
            raise ValueError(f"n_time_bins must be >= 1, got {n_time_bins}")
        span = (float(t.max()) - start) if len(t) else 0.0
        bins = np.zeros(len(t), np.int64) if span <= 0 else np.minimum(((t - start) / span * count).astype(np.int64), count - 1)
    if len(t) and bins.min() < 0:
        raise ValueError("an event lies before t_start")
    frames = np.zeros((count, 2, height, width), np.float32)
    np.add.at(frames, (bins, (p > 0).astype(np.int64), y.astype(np.int64), x.astype(np.int64)), 1)
    return frames


__all__ = ["Img2SpikeLayer", "Sig2SpikeLayer", "QuantizeLayer", "NeuromorphicReLU", "events_to_frames"]
