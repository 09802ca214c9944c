"""Small conversions between Python values and what _native takes."""
import numpy as np

from . import _native


def scalar(value, name: str) -> float:
    """A float from a Python number, numpy scalar or one-element torch tensor."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"{name} must be a scalar; got shape {array.shape} "
                         "(per-neuron values are not supported)")
    return float(array.reshape(-1)[0])


def float32_array(value, shape=None):
    """A float32 C-contiguous array (or Tensor) holding `value`, for calls that
    copy it anyway (set_state, set_parameter). `shape`: reshape to this."""
    if isinstance(value, _native.Tensor):
        return value if shape is None or value.shape == tuple(shape) else value.reshape(*shape)
    if hasattr(value, "detach"):  # torch: drop autograd, come to the CPU
        value = value.detach().cpu().numpy()
    array = np.ascontiguousarray(value, dtype=np.float32)
    if shape is not None and array.shape != tuple(shape):
        if array.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"expected a value of shape {tuple(shape)}, got {array.shape}")
        array = array.reshape(shape)
    return array
