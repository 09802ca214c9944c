"""NIR, the Neuromorphic Intermediate Representation: export and import.

    import nir, sinabs_swift.nir as snir
    graph = snir.to_nir(model, input_shape=(1, 8, 8))     # -> nir.NIRGraph
    nir.write("net.nir", graph)                           # HDF5, any NIR library reads it
    model = snir.from_nir("net.nir", batch_size=16)        # -> sinabs_swift.Sequential

Needs the ``nir`` package (and ``h5py`` for files). ``to_nir`` takes a
``sinabs_swift.Sequential`` or a ``torch.nn.Sequential`` of torch layers and
``sinabs_swift.torch`` (or sinabs) neuron modules; ``from_nir`` builds a
``sinabs_swift.Sequential``. The mapping, the time-step conventions and the
differences from ``sinabs.nir`` are in docs/nir.md; in short:

- Affine/Linear <-> Linear, Conv2d <-> Conv2d, SumPool2d/AvgPool2d, Flatten
  (NIR dims exclude the batch), IF <-> IAF, LIF <-> LIF(norm_input=False),
  LI <-> ExpLeak, CubaLIF <-> LIF with tau_syn, a neuron <-> Affine cycle <->
  the Recurrent forms.
- ``dt=None``: one NIR time unit per step (sinabs); ``dt``: forward Euler
  with that step (snnTorch writes dt = 1e-4).
- Anything NIR cannot say (min_v_mem, ALIF, MaxPool2d, ...) and anything we
  cannot run (v_leak != 0, graphs that are not chains, ...) raises an error
  naming the layer or node; nothing is dropped silently.
"""
from typing import Any, Optional, Sequence

from .activation import MultiSpike, SingleExponential

__all__ = ["to_nir", "from_nir"]


def to_nir(model: Any, input_shape: Sequence[int], dt: Optional[float] = None) -> "nir.NIRGraph":  # noqa: F821
    """The NIR graph of `model`: nodes "0", "1", ... named like its layers
    (a recurrent layer k adds "k.rec_connect"), edges input -> 0 -> ... -> output.

    Args:
        model: a sinabs_swift.Sequential, or a torch.nn.Sequential of torch
            Linear/Conv2d/AvgPool2d/Flatten/ZeroPad2d/Dropout modules and
            sinabs_swift.torch (or sinabs.layers) neuron and SumPool2d modules.
        input_shape: one sample's shape, without batch and time, e.g. (1, 8, 8).
        dt: None to write one NIR time unit per step (sinabs' convention), or
            the Euler step the graph's time constants are written for.

    Raises:
        NotImplementedError: a layer NIR cannot express (named with its index).
        ValueError: input_shape does not fit the model.
        TypeError: `model` is not a Sequential.
    """
    from ._nir_export import to_nir as export
    return export(model, input_shape, dt)


def from_nir(graph: Any, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
             dt: Optional[float] = None, reset: str = "subtract", spike_fn: Any = MultiSpike,
             surrogate_grad_fn: Any = SingleExponential()) -> "Sequential":  # noqa: F821
    """A sinabs_swift.Sequential that runs `graph`.

    With `batch_size` or `num_timesteps` (as sinabs.nir.from_nir) the neuron
    layers are Squeeze forms and the model takes (Batch*Time, ...) input;
    with neither, plain forms on (Batch, Time, ...) input (conv and pool
    layers then run per frame inside Repeat).

    Args:
        graph: a nir.NIRGraph, or the path of a .nir file (nir.read).
        batch_size, num_timesteps: the squeeze form's sizes (recurrent
            neurons in the squeeze form need batch_size).
        dt: None when one NIR time unit is one step (sinabs); the Euler step
            otherwise (1e-4 for snnTorch's graphs).
        reset: "subtract" (sinabs and snnTorch's default) or "zero" (a reset
            to v_reset, 0 unless the graph says otherwise).
        spike_fn: MultiSpike (sinabs' default) or SingleSpike (NIR's own
            definition: at most one spike per step).
        surrogate_grad_fn: for training the imported model.

    Raises:
        FileNotFoundError: no file at the path.
        NotImplementedError: a node or parameter we cannot run (named).
        ValueError: a graph that is not a chain, shapes that do not fit, bad
            arguments (named).
        TypeError: `graph` is neither a NIRGraph nor a path.
    """
    from ._nir_import import from_nir as build
    return build(graph, batch_size, num_timesteps, dt, reset, spike_fn, surrogate_grad_fn)
