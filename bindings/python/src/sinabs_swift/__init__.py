"""sinabs_swift: sinabs-compatible spiking neural network layers on libsinabs.

    import numpy as np, sinabs_swift as ss
    layer = ss.layers.IAF()
    spikes = layer(np.random.rand(2, 100, 16).astype(np.float32))   # no input copy
    np.asarray(spikes)                                              # no output copy

Only numpy is needed; torch tensors are accepted (and returned via
torch.from_dlpack) when torch is installed.
"""
from . import _native
from ._native import Tensor, as_tensor, get_num_threads, set_num_threads, zeros
from . import activation, layers, losses, optim
from .layers import Linear, Sequential

__version__ = "0.1.0"
library_version = _native.library_version()

__all__ = [
    "Tensor", "as_tensor", "zeros", "activation", "layers", "losses", "optim", "Linear", "Sequential",
    "get_num_threads", "set_num_threads", "__version__", "library_version",
]
