"""sinabs_swift: sinabs-compatible spiking neural network layers on libsinabs.

    import numpy as np, sinabs_swift as ss
    layer = ss.layers.IAF()
    spikes = layer(np.random.rand(2, 100, 16).astype(np.float32))   # no input copy
    np.asarray(spikes)                                              # no output copy

Only numpy is needed; torch tensors are accepted (and returned via
torch.from_dlpack) when torch is installed.

Modules: ``layers`` (IAF, LIF, ExpLeak, ALIF and their Squeeze/Recurrent
forms, Linear, Sequential; ``help()`` on each shows its equations and
arguments), ``activation`` (spike, reset and surrogate functions), ``torch``
(``torch.nn.Module`` drop-ins for ``sinabs.layers``, trained by fused BPTT).
``manual_seed(n)`` seeds the initial parameters of new layers.
"""
from . import _native
from ._native import Tensor, as_tensor, get_num_threads, set_num_threads, zeros
from . import activation, layers, losses, optim
from .layers import Linear, Sequential
from .conversion import from_model
from .analysis import SNNAnalyzer
from .normalize import compare_activations, normalize_weights
from . import encoders

__version__ = "0.1.0"


def manual_seed(seed: int) -> None:
    """Seed the process-wide generator that draws the initial parameters of
    layers created afterwards (``Linear``: torch's default init, uniform in
    ``[-1/sqrt(in_features), 1/sqrt(in_features))``), like ``torch.manual_seed``.

    The same seed and the same sequence of layer creations give the same
    parameters from Python, C (``sinabs_manual_seed``) and Swift
    (``SinabsCore.manualSeed``). Without a call the generator starts from a
    fixed seed. Thread-safe; layers created concurrently draw in the order
    the threads reach the generator.

    Args:
        seed: an integer in ``[0, 2**64)``.
    """
    import operator
    value = operator.index(seed)
    if not 0 <= value < 1 << 64:
        raise ValueError(f"seed must be in [0, 2**64), got {value}")
    _native.manual_seed(value)

library_version = _native.library_version()

__all__ = [
    "Tensor", "as_tensor", "zeros", "activation", "layers", "losses", "optim", "Linear", "Sequential",
    "get_num_threads", "set_num_threads", "__version__", "library_version", "manual_seed",
    "from_model", "SNNAnalyzer", "normalize_weights", "compare_activations", "encoders",
]
