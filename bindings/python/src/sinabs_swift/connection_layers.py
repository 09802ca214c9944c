"""Convolution, pooling and shape layers on libsinabs, with torch's / sinabs'
constructor arguments: Conv2d, AvgPool2d, SumPool2d, MaxPool2d, Flatten,
FlattenTime, UnflattenTime, ZeroPad2d, Cropping2dLayer, ChannelShift, ReLU,
Dropout, Repeat and Merge (two inputs).

Each wraps one native layer made by ``_native.create_layer(kind, *args)``:
inputs are any float32 C-contiguous array (numpy, torch CPU, Tensor), read
without copying; outputs are sinabs_swift.Tensor (``np.asarray`` views them).
Training: ``layer.train()`` makes forward keep what ``layer.backward(grad)``
needs; parameter gradients accumulate (``layer.grad("weight")``,
``layer.zero_grad()``). Conv2d and Dropout draw their initial weights / masks
from numpy's global generator, so ``np.random.seed`` makes them reproducible.
"""
import numpy as np

from . import _native
from ._convert import float32_array


def _pair(value, name):
    """torch's _pair: an int for both sides, or two ints."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = tuple(int(v) for v in value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return values


def _seed():
    return int(np.random.randint(1, 2**63 - 1, dtype=np.int64))


class _NativeLayer:
    """What every layer here shares: the native handle, forward/backward,
    parameters as attributes, train/eval, pickling by constructor arguments."""

    _kind = ""

    def _build(self, arguments, **init):
        object.__setattr__(self, "_native", _native.create_layer(self._kind, *arguments))
        object.__setattr__(self, "_init", init)
        object.__setattr__(self, "training", False)
        object.__setattr__(self, "_parameter_names", self._native.parameter_names())

    @property
    def native(self):
        """The _native.Layer this object drives."""
        return self._native

    def forward(self, input_data, out=None):
        """The output for `input_data` (not copied); into `out` when given."""
        return self._native.forward(input_data, out)

    __call__ = forward

    def backward(self, grad_output):
        """Gradient w.r.t. the input of the last training forward; adds the
        parameter gradients to their accumulators."""
        return self._native.backward(grad_output)

    def train(self, mode=True):
        object.__setattr__(self, "training", bool(mode))
        self._native.set_training(bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def named_parameters(self):
        """(name, Tensor) pairs sharing the layer's memory."""
        return [(name, self._native.get_parameter(name)) for name in self._parameter_names]

    def parameters(self):
        return [tensor for _, tensor in self.named_parameters()]

    def grad(self, name):
        return self._native.grad(name)

    def zero_grad(self):
        self._native.zero_grad()

    def __getattr__(self, name):
        native = self.__dict__.get("_native")
        if native is not None and name in self._parameter_names:
            return native.get_parameter(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        native = self.__dict__.get("_native")
        if native is not None and name in self._parameter_names:
            native.set_parameter(name, float32_array(value, native.get_parameter(name).shape))
        else:
            object.__setattr__(self, name, value)

    def __getstate__(self):
        return {"init": self._init, "training": self.training,
                "parameters": {n: np.array(t) for n, t in self.named_parameters()}}

    def __setstate__(self, saved):
        self.__init__(**saved["init"])
        for name, value in saved["parameters"].items():
            self._native.set_parameter(name, value)
        self.train(saved["training"])

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self._init.items())
        return f"{type(self).__name__}({arguments})"


class Conv2d(_NativeLayer):
    """torch.nn.Conv2d (zero padding). Forward picks a dense (im2col + BLAS)
    or event-driven kernel by the input's density; ``kernel`` forces one
    ("auto", "dense", "sparse")."""

    _kind = "conv2d"
    _kernels = {"auto": _native.CONV_KERNEL_AUTO, "dense": _native.CONV_KERNEL_DENSE,
                "sparse": _native.CONV_KERNEL_SPARSE}

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"padding_mode={padding_mode!r}: only 'zeros' is supported")
        kernel = _pair(kernel_size, "kernel_size")
        stride2, dilation2 = _pair(stride, "stride"), _pair(dilation, "dilation")
        if padding == "valid":
            pad = (0, 0)
        elif padding == "same":
            if stride2 != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation2, kernel)]
            if any(t % 2 for t in total):
                raise NotImplementedError("padding='same' needs an asymmetric pad for this kernel")
            pad = (total[0] // 2, total[1] // 2)
        else:
            pad = _pair(padding, "padding")
        self._build((int(in_channels), int(out_channels), *kernel, *stride2, *pad, *dilation2,
                     int(groups), int(bool(bias)), _seed()),
                    in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                    stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bool(bias))
        object.__setattr__(self, "kernel", "auto")

    def set_kernel(self, kernel):
        """Forces the forward kernel: "auto" (by density), "dense" or "sparse"."""
        self._native.set_kernel(self._kernels[kernel])
        object.__setattr__(self, "kernel", kernel)

    @property
    def bias(self):
        return self._native.get_parameter("bias") if "bias" in self._parameter_names else None

    @bias.setter
    def bias(self, value):
        self._native.set_parameter("bias", float32_array(value, self._native.get_parameter("bias").shape))


def _pool_arguments(kernel_size, stride, padding=0, dilation=1, ceil_mode=False,
                    count_include_pad=True, divisor_override=None):
    kernel = _pair(kernel_size, "kernel_size")
    stride2 = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _pair(stride, "stride")
    divisor = 0 if divisor_override is None else int(divisor_override)
    if divisor_override is not None and divisor < 1:
        raise ValueError(f"divisor_override must be >= 1, got {divisor_override}")
    return (*kernel, *stride2, *_pair(padding, "padding"), *_pair(dilation, "dilation"),
            int(bool(ceil_mode)), int(bool(count_include_pad)), divisor)


class AvgPool2d(_NativeLayer):
    """torch.nn.AvgPool2d."""

    _kind = "avg_pool2d"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        self._build(_pool_arguments(kernel_size, stride, padding, 1, ceil_mode, count_include_pad,
                                    divisor_override),
                    kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
                    count_include_pad=count_include_pad, divisor_override=divisor_override)


class SumPool2d(_NativeLayer):
    """sinabs.layers.SumPool2d (torch's LPPool2d with p=1: window sums)."""

    _kind = "sum_pool2d"

    def __init__(self, kernel_size, stride=None, ceil_mode=False):
        self._build(_pool_arguments(kernel_size, stride, ceil_mode=ceil_mode),
                    kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode)


class MaxPool2d(_NativeLayer):
    """torch.nn.MaxPool2d (return_indices is not supported)."""

    _kind = "max_pool2d"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        if return_indices:
            raise NotImplementedError("MaxPool2d(return_indices=True) is not supported")
        self._build(_pool_arguments(kernel_size, stride, padding, dilation, ceil_mode),
                    kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                    ceil_mode=ceil_mode)


class Flatten(_NativeLayer):
    """torch.nn.Flatten; forward returns a view of the input."""

    _kind = "flatten"

    def __init__(self, start_dim=1, end_dim=-1):
        self._build((int(start_dim), int(end_dim)), start_dim=start_dim, end_dim=end_dim)


class FlattenTime(_NativeLayer):
    """sinabs.layers.FlattenTime: (Batch, Time, ...) -> (Batch*Time, ...)."""

    _kind = "flatten_time"

    def __init__(self):
        self._build(())


class UnflattenTime(_NativeLayer):
    """sinabs.layers.UnflattenTime: (Batch*Time, ...) -> (Batch, Time, ...)."""

    _kind = "unflatten_time"

    def __init__(self, batch_size):
        self._build((int(batch_size),), batch_size=batch_size)


class ZeroPad2d(_NativeLayer):
    """torch.nn.ZeroPad2d: an int or (left, right, top, bottom); negative crops."""

    _kind = "zero_pad2d"

    def __init__(self, padding):
        amounts = (padding,) * 4 if isinstance(padding, (int, np.integer)) else tuple(padding)
        if len(amounts) != 4:
            raise ValueError(f"padding must be an int or (left, right, top, bottom), got {padding!r}")
        self._build(tuple(int(v) for v in amounts), padding=padding)


class Cropping2dLayer(_NativeLayer):
    """sinabs.layers.Cropping2dLayer(((top, bottom), (left, right)))."""

    _kind = "cropping2d"

    def __init__(self, cropping=((0, 0), (0, 0))):
        (top, bottom), (left, right) = cropping
        self._build((int(top), int(bottom), int(left), int(right)), cropping=cropping)


class ChannelShift(_NativeLayer):
    """sinabs.layers.ChannelShift: zero channels in front of channel_axis."""

    _kind = "channel_shift"

    def __init__(self, channel_shift=0, channel_axis=-3):
        self._build((int(channel_shift), int(channel_axis)), channel_shift=channel_shift,
                    channel_axis=channel_axis)


class ReLU(_NativeLayer):
    """torch.nn.ReLU (inplace is accepted and ignored: the output is new memory)."""

    _kind = "relu"

    def __init__(self, inplace=False):
        self._build((), inplace=inplace)


class Dropout(_NativeLayer):
    """torch.nn.Dropout: masks only in training (``train()``), identity in eval."""

    _kind = "dropout"

    def __init__(self, p=0.5, inplace=False):
        p = float(p)
        if not 0.0 <= p <= 1.0:  # also refuses NaN
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self._build((p, _seed()), p=p, inplace=inplace)


class Repeat(_NativeLayer):
    """sinabs.layers.Repeat(module): runs a per-frame layer of this module on
    (Batch, Time, ...) inputs; parameters are "module.<name>"."""

    _kind = "repeat"

    def __init__(self, module):
        native = getattr(module, "native", None)
        if not isinstance(native, _native.Layer):
            raise TypeError(f"Repeat needs a sinabs_swift layer, got {type(module).__name__}")
        self._build((native,), module=module)

    @property
    def module(self):
        """The per-frame layer this Repeat runs (shares its parameters)."""
        return self._init["module"]

    def train(self, mode=True):
        if hasattr(self._init["module"], "train"):
            object.__setattr__(self._init["module"], "training", bool(mode))
        return super().train(mode)


class Merge(_NativeLayer):
    """sinabs.layers.Merge: ``merge(a, b)`` adds two inputs of the same rank,
    each zero-padded to the larger size; ``backward(grad)`` returns both input
    gradients."""

    _kind = "merge"

    def __init__(self):
        self._build(())

    def forward(self, data1, data2):
        return self._native.forward_pair(data1, data2)

    __call__ = forward

    def backward(self, grad_output):
        return self._native.backward_pair(grad_output)


__all__ = ["Conv2d", "AvgPool2d", "SumPool2d", "MaxPool2d", "Flatten", "FlattenTime",
           "UnflattenTime", "ZeroPad2d", "Cropping2dLayer", "ChannelShift", "ReLU", "Dropout",
           "Repeat", "Merge"]
