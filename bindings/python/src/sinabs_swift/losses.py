"""Losses on a model's output, computed by libsinabs: each returns
(value, gradient w.r.t. the output) -- the gradient is what
Sequential.backward takes."""
import numpy as np

from . import _native


def _as_target(target, kind):
    """Class labels may be any integer array; libsinabs takes float32."""
    if kind == _native.LOSS_MSE or isinstance(target, _native.Tensor):
        return target
    array = np.asarray(target)
    if array.dtype.kind in "iub":
        return np.ascontiguousarray(array, dtype=np.float32)
    return target


def mse_loss(output, target):
    """mean((output - target)^2) (torch's mse_loss)."""
    return _native.loss(output, target, _native.LOSS_MSE)


def cross_entropy(output, labels, over_time="sum"):
    """torch's cross_entropy of the output summed (or averaged, over_time="mean")
    over time. output: (Batch, Time, C) or (Batch*Time, C); labels: Batch ints."""
    kinds = {"sum": _native.LOSS_CROSS_ENTROPY_SUM, "mean": _native.LOSS_CROSS_ENTROPY_MEAN}
    if over_time not in kinds:
        raise ValueError(f"over_time must be 'sum' or 'mean', got {over_time!r}")
    kind = kinds[over_time]
    return _native.loss(output, _as_target(labels, kind), kind)
