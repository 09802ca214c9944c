"""ANN-to-SNN weight transfer: ``from_model``, as ``sinabs.from_model``.

    snn = sinabs_swift.from_model(ann, input_shape=(1, 28, 28), batch_size=8)
    rates = snn(spike_trains)        # (batch_size * T, ...) squeezed input

``ann`` is a ``sinabs_swift.Sequential`` (Linear, Conv2d, ReLU, AvgPool2d,
SumPool2d, Flatten, Dropout, NeuromorphicReLU, QuantizeLayer, ...) or a
``torch.nn.Sequential`` of the torch equivalents (and sinabs' NeuromorphicReLU
and QuantizeLayer). The conversion runs in libsinabs (``sinabs_model_from_ann``);
the ANN is left unchanged.

From a torch model the Linear and Conv2d weights are taken over without
copying: the SNN's parameters are the torch tensors' memory (through DLPack;
the SNN keeps them alive), so an in-place change of the torch weight is seen by
the SNN and training the SNN updates the torch module (sinabs deep-copies
instead: pass ``copy.deepcopy(ann)`` for that). A parameter is copied where
sharing cannot work: not float32, not contiguous or not on the CPU (torch's
memory does not hold our layout), and biases when ``bias_rescaling`` != 1 (the
SNN's bias is the divided copy).
"""
from typing import Any, Optional, Sequence

import numpy as np

from . import _native
from . import encoders as _encoders
from . import layers as _layers
from .activation import MembraneSubtract, MultiSpike, SingleExponential


def from_model(model: Any, input_shape: Optional[Sequence[int]] = None, spike_threshold: float = 1.0,
               spike_fn=MultiSpike, reset_fn=MembraneSubtract(), surrogate_grad_fn=SingleExponential(),
               min_v_mem: Optional[float] = -1.0, bias_rescaling: float = 1.0,
               batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
               add_spiking_output: bool = False, spike_layer_class: Any = None,
               kwargs_backend: Optional[dict] = None) -> "_layers.Sequential":
    """A new spiking Sequential: `model`'s layers with their parameters copied,
    every ReLU (and NeuromorphicReLU) replaced by ``spike_layer_class`` (default
    ``IAFSqueeze``) built with these arguments, biases of Linear and Conv2d
    divided by `bias_rescaling`, and a spiking output appended when
    `add_spiking_output` and the model does not end in a ReLU.

    As sinabs' Network does, a given `input_shape` (without the batch
    dimension) runs one forward of zeros shaped (batch_size * num_timesteps,
    *input_shape) first: biases charge the membranes, and the network starts
    from that state exactly like sinabs' (``reset_states()`` drops it).

    Args:
        model: a sinabs_swift.Sequential or a torch.nn.Sequential.
        input_shape: the shape of one sample, e.g. (1, 28, 28); optional.
        spike_threshold, spike_fn, reset_fn, surrogate_grad_fn, min_v_mem: the
            spiking layers' arguments (sinabs' from_model defaults; min_v_mem -1).
        bias_rescaling: biases are divided by it (finite, non-zero).
        batch_size, num_timesteps: for squeeze layers; one of them is needed
            (num_timesteps wins when both are given, as in sinabs).
        add_spiking_output: append a spiking layer after a final non-ReLU layer.
        spike_layer_class: a sinabs_swift.layers neuron class (IAFSqueeze, IAF,
            LIFSqueeze with kwargs_backend={"tau_mem": ...}, ...).
        kwargs_backend: more constructor arguments of the spiking layer.
    """
    if spike_layer_class is None:
        spike_layer_class = _layers.IAFSqueeze
    ann = model if isinstance(model, _layers.Sequential) else _from_torch(model)
    arguments = dict(kwargs_backend or {})
    if issubclass(spike_layer_class, _layers._Squeeze):
        arguments.update(batch_size=None if num_timesteps else batch_size, num_timesteps=num_timesteps)
    template = spike_layer_class(spike_threshold=spike_threshold, spike_fn=spike_fn, reset_fn=reset_fn,
                                 surrogate_grad_fn=surrogate_grad_fn, min_v_mem=min_v_mem, **arguments)
    neuron_model, options = template._spec
    if input_shape is not None:
        input_shape = tuple(int(d) for d in input_shape)
        if not input_shape:
            raise ValueError("input_shape must have at least one dimension")
    native = _native.model_from_ann(ann.native, neuron_model, float(bias_rescaling),
                                    bool(add_spiking_output), input_shape, **options)
    if ann is not model:
        _share_torch_parameters(model, native, share_bias=float(bias_rescaling) == 1.0)
    kinds = [_kind(layer) for layer in ann]
    spike_kind = spike_layer_class.__name__
    kinds = [spike_kind if kind in _ACTIVATIONS else kind for kind in kinds]
    if len(native) > len(kinds):
        kinds.append(spike_kind)
    snn = _layers.Sequential()
    snn._model = native
    snn._layers = [_layers._LoadedLayer(native[i], kinds[i]) for i in range(len(native))]
    return snn


_ACTIVATIONS = frozenset({"ReLU", "NeuromorphicReLU"})


def _kind(layer):
    return getattr(layer, "kind", type(layer).__name__)


def _from_torch(model):
    """A sinabs_swift.Sequential with the layers and parameters of a torch.nn.Sequential."""
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"from_model takes a sinabs_swift.Sequential or a torch.nn.Sequential, "
                        f"got {type(model).__name__}")
    converted = [_torch_layer(index, module) for index, module in enumerate(model)]
    return _layers.Sequential(*converted)


def _torch_layer(index, m):
    import torch.nn as nn
    name = type(m).__name__
    if isinstance(m, nn.Linear):
        layer = _layers.Linear(m.in_features, m.out_features, bias=m.bias is not None)
    elif isinstance(m, nn.Conv2d):
        layer = _layers.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation,
                               m.groups, m.bias is not None, m.padding_mode)
    elif isinstance(m, nn.AvgPool2d):
        layer = _layers.AvgPool2d(m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad,
                                  m.divisor_override)
    elif name == "SumPool2d":
        layer = _layers.SumPool2d(m.kernel_size, m.stride, m.ceil_mode)
    elif isinstance(m, nn.MaxPool2d):
        layer = _layers.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation, False, m.ceil_mode)
    elif isinstance(m, nn.Flatten):
        layer = _layers.Flatten(m.start_dim, m.end_dim)
    elif isinstance(m, nn.Dropout):
        layer = _layers.Dropout(m.p)
    elif name == "NeuromorphicReLU":
        return _encoders.NeuromorphicReLU(m.quantize, m.fanout, m.stochastic_rounding)
    elif name == "QuantizeLayer":
        return _encoders.QuantizeLayer(m.quantize)
    elif isinstance(m, nn.ReLU):
        return _layers.ReLU()
    else:
        raise TypeError(f"from_model: layer {index} ({name}) has no libsinabs equivalent")
    for pname, value in m.named_parameters(recurse=False):
        _take_over(layer.native, pname, value)
    return layer


def _shareable(value):
    """A torch parameter whose memory a libsinabs parameter can be: float32, contiguous, CPU."""
    import torch
    return value.dtype == torch.float32 and value.device.type == "cpu" and value.is_contiguous()


def _take_over(native, name, value):
    """Parameter `name` of `native` becomes `value`'s memory, or a float32 copy where it cannot."""
    value = value.detach()  # same memory; DLPack refuses tensors that require grad
    if _shareable(value):
        native.share_parameter(name, value)
    else:
        native.set_parameter(name, np.ascontiguousarray(value.cpu().numpy(), dtype=np.float32))


def _share_torch_parameters(model, snn, share_bias):
    """The converted layers (one per torch module, same index) over the torch parameters' memory:
    from_ann copied them (its ANN is left unchanged), with identical values, so the state of
    the dummy forward stays right."""
    for index, module in enumerate(model):
        for name, value in module.named_parameters(recurse=False):
            if (name == "weight" or share_bias) and _shareable(value):
                snn[index].share_parameter(name, value.detach())


__all__ = ["from_model"]
