"""Each layer of a model as (kind, constructor arguments, parameters): what NIR
export reads, from a sinabs_swift.Sequential or a torch.nn.Sequential alike.

Arguments are spelled as in a model file's architecture ("spike_fn":
"MultiSpike", "reset_fn.subtract_value": None, ...); parameters are float64
numpy copies by name ("weight", "tau_mem", "rec_connect.weight", ...).
"""
import json
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _native


@dataclass
class Described:
    index: int            # position in the Sequential (the NIR node name)
    kind: str             # "Linear", "Conv2d", "IAFSqueeze", ...
    arguments: dict
    parameters: dict = field(default_factory=dict)
    per_frame: bool = False  # inside a Repeat: a per-frame layer of a (Batch, Time, ...) model


def describe(model):
    """[Described] for a sinabs_swift.Sequential or a torch.nn.Sequential."""
    from .layers import Sequential
    if isinstance(model, Sequential):
        return [_native_layer(index, layer) for index, layer in enumerate(model)]
    try:
        import torch.nn as nn
    except ImportError:  # pragma: no cover - torch absent: only our Sequential exists
        nn = None
    if nn is not None and isinstance(model, nn.Sequential):
        return [_torch_module(index, module) for index, module in enumerate(model)]
    raise TypeError(f"to_nir takes a sinabs_swift.Sequential or a torch.nn.Sequential, "
                    f"got {type(model).__name__}")


# ---- sinabs_swift layers -------------------------------------------------------

def _native_layer(index, layer):
    from .connection_layers import Repeat
    if isinstance(layer, Repeat):
        inner = _native_layer(index, layer._init["module"])
        inner.per_frame = True
        return inner
    native = layer.native
    kind, arguments = _file_description(native)
    parameters = {name: np.array(native.get_parameter(name), dtype=np.float64)
                  for name in native.parameter_names()}
    return Described(index, kind, arguments, parameters)


def _file_description(native):
    """(kind, arguments) as libsinabs writes them into a model file: the one
    place every layer (also loaded, converted and described ones) spells out
    its constructor arguments."""
    single = _native.Model()
    single.append(native)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.safetensors"
        single.save(str(path), False)
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
    layer = json.loads(header["__metadata__"]["sinabs.architecture"])["layers"][0]
    return layer["kind"], layer["arguments"]


# ---- torch modules ---------------------------------------------------------------

NEURON_KINDS = ("IAF", "LIF", "ExpLeak", "ALIF")


def neuron_kind(kind):
    """("LIF", "Squeeze") for "LIFSqueeze"; (kind, "") for plain forms and non-neurons."""
    for form in ("Squeeze", "Recurrent"):
        if kind.endswith(form):
            return kind[:-len(form)], form
    return kind, ""


def _array(value):
    return np.array(value.detach().cpu().numpy() if hasattr(value, "detach") else value, dtype=np.float64)


def _torch_module(index, m):
    import torch.nn as nn
    name = type(m).__name__
    params = {}
    if isinstance(m, nn.Linear):
        args = {"in_features": m.in_features, "out_features": m.out_features, "bias": m.bias is not None}
        kind = "Linear"
    elif isinstance(m, nn.Conv2d):
        if m.padding_mode != "zeros":
            raise NotImplementedError(f"layer {index} (Conv2d): padding_mode={m.padding_mode!r} has no NIR form")
        args = {"in_channels": m.in_channels, "out_channels": m.out_channels, "kernel_size": list(m.kernel_size),
                "stride": list(m.stride), "padding": m.padding if isinstance(m.padding, str) else list(m.padding),
                "dilation": list(m.dilation), "groups": m.groups, "bias": m.bias is not None}
        kind = "Conv2d"
    elif isinstance(m, nn.AvgPool2d):
        args = {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding, "ceil_mode": m.ceil_mode,
                "count_include_pad": m.count_include_pad, "divisor_override": m.divisor_override}
        kind = "AvgPool2d"
    elif name == "SumPool2d" or (isinstance(m, nn.LPPool2d) and float(m.norm_type) == 1.0):
        args = {"kernel_size": m.kernel_size, "stride": m.stride, "ceil_mode": m.ceil_mode}
        kind = "SumPool2d"
    elif isinstance(m, nn.Flatten):
        args, kind = {"start_dim": m.start_dim, "end_dim": m.end_dim}, "Flatten"
    elif isinstance(m, nn.ZeroPad2d):
        args, kind = {"padding": list(m.padding)}, "ZeroPad2d"
    elif isinstance(m, nn.Dropout):
        args, kind = {"p": m.p}, "Dropout"
    elif neuron_kind(name)[0] in NEURON_KINDS:
        return Described(index, name, _torch_neuron_arguments(m), _torch_neuron_parameters(m))
    else:
        args, kind = {}, name
    for pname, value in m.named_parameters(recurse=False):
        params[pname] = _array(value)
    return Described(index, kind, args, params)


def _function_arguments(prefix, function):
    """{"spike_fn": "MaxSpike", "spike_fn.max_num_spikes_per_bin": 2}: a spike or
    reset function (class or instance, ours or sinabs') as a model file spells it."""
    if function is None:
        return {prefix: None}
    cls = function if isinstance(function, type) else type(function)
    spelled = {prefix: cls.__name__}
    if not isinstance(function, type):
        for key, value in vars(function).items():
            if not key.startswith("_"):
                spelled[f"{prefix}.{key}"] = value.item() if hasattr(value, "item") else value
    return spelled


def _torch_neuron_arguments(m):
    args = {"norm_input": bool(getattr(m, "norm_input", False)),
            "train_alphas": bool(getattr(m, "train_alphas", False))}
    args.update(_function_arguments("spike_fn", getattr(m, "spike_fn", None)))
    args.update(_function_arguments("reset_fn", getattr(m, "reset_fn", None)))
    for key in ("batch_size", "num_timesteps"):
        if hasattr(m, key):
            args[key] = getattr(m, key)
    return args


def _torch_neuron_parameters(m):
    params = {}
    for key in ("tau_mem", "tau_syn", "alpha_mem", "alpha_syn", "spike_threshold", "min_v_mem", "tau_adapt"):
        value = getattr(m, key, None)
        if value is not None:
            params[key] = _array(value)
    rec = getattr(m, "rec_connect", None)
    if rec is not None:
        from .torch import _recurrent_linear
        linear = _recurrent_linear(rec)
        params["rec_connect.weight"] = _array(linear.weight)
        if linear.bias is not None:
            params["rec_connect.bias"] = _array(linear.bias)
    return params
