"""NIR -> ours: one layer (or a few) per node of the chain, neuron gains (r,
w_in and the dt convention) folded into the preceding weights. See
docs/nir.md for the table."""
import os
from types import SimpleNamespace

import numpy as np
import nir

from . import _nir_units as units
from . import layers as L
from .activation import MembraneReset, MembraneSubtract
from ._nir_graph import chain

# A gain this close to 1 is float rounding of an exporter's r = tau / dt.
_UNIT_GAIN_TOLERANCE = 1e-6


def from_nir(source, batch_size, num_timesteps, dt, reset, spike_fn, surrogate_grad_fn):
    options = _Options(batch_size, num_timesteps, dt, reset, spike_fn, surrogate_grad_fn)
    graph = read(source)
    start, steps, end = chain(graph)
    declared = _declared_shape(start.input_type, "input")
    shape = _sample_shape(declared, steps)
    build = _Import(options, shape)
    for step in steps:
        kind = type(step.node).__name__
        handler = _HANDLERS.get(type(step.node))
        if handler is None:
            raise NotImplementedError(
                f"NIR node {step.name!r} ({kind}) is not supported"
                + (": 1-d convolutions have no libsinabs layer" if kind == "Conv1d" else
                   "; supported: Input, Output, Affine, Linear, Conv2d, SumPool2d, AvgPool2d, Flatten, IF, LIF, LI, "
                   "CubaLIF and neuron <-> Affine recurrent cycles"))
        try:
            handler(build, step)
        except (ValueError, NotImplementedError) as error:
            raise type(error)(f"NIR node {step.name!r} ({kind}): {error}") from error
    expected = _declared_shape(end.output_type, "output")
    if expected is not None and shape != declared:
        expected = expected[1:]  # written with the batch dimension, like the Input
    if expected is not None and build.shape is not None and expected != build.shape:
        raise ValueError(f"NIR graph: the Output node declares shape {expected}, the chain gives {build.shape}")
    return L.Sequential(*build.finish())


def read(source):
    """A NIRGraph from a graph or a .nir file path."""
    if isinstance(source, nir.NIRGraph):
        return source
    if isinstance(source, (str, bytes, os.PathLike)):
        path = os.fsdecode(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no NIR file at {path!r}")
        try:
            graph = nir.read(path)
        except (OSError, KeyError, ValueError, TypeError, AssertionError) as error:
            raise ValueError(f"{path!r} is not a NIR file nir.read understands: {error}") from error
        if not isinstance(graph, nir.NIRGraph):
            raise ValueError(f"{path!r} holds a single {type(graph).__name__} node, not a NIRGraph")
        return graph
    raise TypeError(f"from_nir takes a nir.NIRGraph or the path of a .nir file, got {type(source).__name__}")


class _Options:
    def __init__(self, batch_size, num_timesteps, dt, reset, spike_fn, surrogate_grad_fn):
        self.batch_size = _positive(batch_size, "batch_size")
        self.num_timesteps = _positive(num_timesteps, "num_timesteps")
        self.squeeze = bool(self.batch_size or self.num_timesteps)
        if dt is not None:
            dt = float(dt)
            if not (np.isfinite(dt) and dt > 0):
                raise ValueError(f"dt must be a positive number, got {dt}")
        self.dt = dt
        if reset not in ("subtract", "zero"):
            raise ValueError(f"reset must be 'subtract' or 'zero', got {reset!r}")
        self.reset = reset
        self.spike_fn = spike_fn
        self.surrogate_grad_fn = surrogate_grad_fn


def _positive(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be positive, got {value}")
    return int(value)


def _values(x, what):
    """float64 numpy of a NIR field (numpy, torch tensor, list or number)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be numeric, got {type(x).__name__}") from None
    if not np.all(np.isfinite(array)) and what not in ("tau", "tau_mem", "tau_syn"):
        raise ValueError(f"{what} must be finite")
    return array


def _declared_shape(types, key):
    """The shape an Input/Output type declares, or None when it declares none."""
    value = (types or {}).get(key)
    if value is None:
        return None
    shape = np.asarray(value).reshape(-1)
    if shape.size == 0 or shape.dtype == object:
        return None
    return tuple(int(d) for d in shape)


def _sample_shape(shape, steps):
    """The Input's shape without a leading batch dimension some exporters keep
    (snnTorch's without ignore_dims): recognised by the first node's rank."""
    first = steps[0].node if steps else None
    rank = 1 if isinstance(first, (nir.Affine, nir.Linear)) else 3 if isinstance(first, nir.Conv2d) else None
    if shape is not None and rank is not None and len(shape) == rank + 1:
        return shape[1:]
    return shape


def _pair(value, what):
    array = np.asarray(value).reshape(-1)
    if array.size == 1:
        return int(array[0]), int(array[0])
    if array.size != 2:
        raise ValueError(f"{what} must be one or two ints, got {value!r}")
    return int(array[0]), int(array[1])


def _uniform(array):
    """A float when every element is the same, else None."""
    flat = array.reshape(-1)
    return float(flat[0]) if flat.size and np.all(flat == flat[0]) else None


class _Import:
    def __init__(self, options, shape):
        self.options = options
        self.shape = shape          # one sample's shape, None while unknown
        self.layers = []            # (layer, per_frame): per-frame layers get a Repeat in the (Batch, Time) form
        self.weighted = None        # the Linear/Conv2d just added: where a neuron's input gain folds in

    def finish(self):
        wrap = not self.options.squeeze
        return [L.Repeat(layer) if per_frame and wrap else layer for layer, per_frame in self.layers]

    def _add(self, layer, shape, per_frame=False, weighted=False):
        self.layers.append((layer, per_frame))
        self.shape = shape
        self.weighted = layer if weighted else None

    # ---- connections --------------------------------------------------------------

    def affine(self, step):
        node = step.node
        weight = _values(node.weight, "weight")
        if weight.ndim != 2:
            raise NotImplementedError(f"weight of shape {weight.shape}: only 2-d (out, in) weights are supported")
        out_features, in_features = weight.shape
        if self.shape is not None and self.shape != (in_features,):
            raise ValueError(f"takes {in_features} features per sample; its input has shape {self.shape}")
        has_bias = isinstance(node, nir.Affine)
        layer = L.Linear(in_features, out_features, bias=has_bias)
        layer.weight = weight
        if has_bias:
            layer.bias = np.broadcast_to(_values(node.bias, "bias"), (out_features,))
        self._add(layer, (out_features,), weighted=True)

    def conv2d(self, step):
        node = step.node
        weight = _values(node.weight, "weight")
        if weight.ndim != 4:
            raise ValueError(f"weight must be (out, in/groups, kH, kW), got shape {weight.shape}")
        groups = int(np.asarray(node.groups).reshape(-1)[0])
        in_channels = weight.shape[1] * groups
        shape = self.shape
        if shape is None and node.input_shape is not None:
            shape = (in_channels, *_pair(node.input_shape, "input_shape"))
        if shape is not None and (len(shape) != 3 or shape[0] != in_channels):
            raise ValueError(f"expects (C={in_channels}, H, W) samples; its input has shape {shape}")
        padding = node.padding
        if isinstance(padding, bytes):
            padding = padding.decode()
        if not isinstance(padding, str):
            padding = _pair(padding, "padding")
        stride, dilation = _pair(node.stride, "stride"), _pair(node.dilation, "dilation")
        layer = L.Conv2d(in_channels, weight.shape[0], weight.shape[2:], stride, padding, dilation, groups, bias=True)
        layer.weight = weight
        layer.bias = np.broadcast_to(_values(node.bias, "bias"), (weight.shape[0],))
        out = None
        if shape is not None:
            pads = (0, 0) if padding == "valid" else \
                tuple(d * (k - 1) // 2 for d, k in zip(dilation, weight.shape[2:])) if padding == "same" else padding
            out = (weight.shape[0], *[(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in
                                      zip(shape[1:], pads, dilation, weight.shape[2:], stride)])
            if min(out[1:]) < 1:
                raise ValueError(f"input {shape} is too small for this convolution")
        self._add(layer, out, per_frame=True, weighted=True)

    def pool(self, step):
        node = step.node
        kernel, stride = _pair(node.kernel_size, "kernel_size"), _pair(node.stride, "stride")
        padding = _pair(node.padding, "padding")
        shape = self.shape
        if shape is not None and len(shape) != 3:
            raise ValueError(f"expects (C, H, W) samples; its input has shape {shape}")
        if isinstance(node, nir.AvgPool2d):
            layers = [L.AvgPool2d(kernel, stride, padding)]
        else:
            layers = [L.SumPool2d(kernel, stride)]
            if any(padding):
                layers.insert(0, L.ZeroPad2d((padding[1], padding[1], padding[0], padding[0])))
        out = None
        if shape is not None:
            out = (shape[0], *[(n + 2 * p - k) // s + 1 for n, p, k, s in zip(shape[1:], padding, kernel, stride)])
            if min(out[1:]) < 1:
                raise ValueError(f"input {shape} is too small for this pooling window")
        for layer in layers:
            self._add(layer, out, per_frame=True)

    def flatten(self, step):
        node = step.node
        declared = _declared_shape(node.input_type, "input")
        shape = self.shape if self.shape is not None else declared
        if declared is not None and self.shape is not None and declared != self.shape:
            raise ValueError(f"declares input shape {declared}, its input has shape {self.shape}")
        start, end = int(node.start_dim), int(node.end_dim)
        offset = 1 if self.options.squeeze else 2
        ours = [d + offset if d >= 0 else d for d in (start, end)]
        out = None
        if shape is not None:
            rank = len(shape)
            first, last = (d if d >= 0 else d + rank for d in (start, end))
            if not 0 <= first <= last < rank:
                raise ValueError(f"start_dim={start}, end_dim={end} do not fit samples of shape {shape}")
            out = shape[:first] + (int(np.prod(shape[first:last + 1])),) + shape[last + 1:]
        self._add(L.Flatten(*ours), out)

    # ---- neurons ---------------------------------------------------------------------

    def neuron(self, step):
        node, options = step.node, self.options
        fields = {name: _values(getattr(node, name), name) for name in
                  ("r", "v_leak", "v_threshold", "tau", "tau_mem", "tau_syn", "w_in", "v_reset")
                  if getattr(node, name, None) is not None}
        shape = self.shape
        if shape is None:
            shape = max((f.shape for f in fields.values()), key=len)
        for name, value in fields.items():
            try:
                fields[name] = np.broadcast_to(value, shape)
            except ValueError:
                raise ValueError(f"{name} has shape {value.shape}; the neurons here have shape {shape}") from None
        for name in ("tau", "tau_mem", "tau_syn"):
            if name in fields and not np.all(fields[name] > 0):
                raise ValueError(f"{name} must be positive, got {fields[name].min()}")
        if np.any(fields.get("v_leak", 0) != 0):
            raise NotImplementedError("v_leak != 0 is not supported (our neurons rest at 0)")
        dt = options.dt
        arguments = {}
        if isinstance(node, nir.IF):
            kind, gain = "IAF", units.if_gain(fields["r"], dt)
        elif isinstance(node, (nir.LIF, nir.LI)):
            kind = "LIF" if isinstance(node, nir.LIF) else "ExpLeak"
            tau = units.our_tau(fields["tau"], dt)
            gain = units.leaky_gain(fields["r"], fields["tau"], dt)
            arguments.update(tau_mem=_per_neuron(tau), **self._norm_input(gain, tau))
        else:
            kind = "LIF"
            tau_mem, tau_syn = units.our_tau(fields["tau_mem"], dt), units.our_tau(fields["tau_syn"], dt)
            gain = units.cuba_gain(fields["r"], fields["w_in"], fields["tau_syn"], fields["tau_mem"], dt)
            arguments.update(tau_mem=_per_neuron(tau_mem), tau_syn=_per_neuron(tau_syn),
                             **self._norm_input(gain, tau_mem))
        if arguments.get("norm_input"):
            gain = np.ones(shape)
        if kind != "ExpLeak" and _uniform(fields["v_threshold"]) is None:
            gain, fields = _per_neuron_thresholds(gain, fields)
        if kind != "ExpLeak":
            arguments.update(self._spiking(fields))
        recurrent = self._recurrent(step, shape)
        self._fold(gain, recurrent)
        self._add_neuron(kind, arguments, recurrent, shape)

    def _norm_input(self, gain, tau):
        """norm_input=True when the gain is (1 - alpha): the exact zero-order-hold input of r = 1."""
        if np.all(np.abs(gain - 1.0) <= _UNIT_GAIN_TOLERANCE):
            return {"norm_input": False}
        return {"norm_input": bool(np.allclose(gain, 1.0 - np.exp(-1.0 / tau), rtol=1e-5, atol=0))}

    def _spiking(self, fields):
        threshold = _uniform(fields["v_threshold"])
        if threshold is None:
            raise NotImplementedError("per-neuron v_threshold values are not supported (our threshold is one number)")
        reset_value = _uniform(fields.get("v_reset", np.zeros(1)))
        if self.options.reset == "zero":
            if reset_value is None:
                raise NotImplementedError("per-neuron v_reset values are not supported")
            reset_fn = MembraneReset(reset_value=reset_value)
        else:
            if reset_value != 0:
                raise NotImplementedError("v_reset != 0 needs reset='zero' (a reset to v_reset)")
            reset_fn = MembraneSubtract()
        return dict(spike_threshold=threshold, spike_fn=self.options.spike_fn, reset_fn=reset_fn,
                    surrogate_grad_fn=self.options.surrogate_grad_fn)

    def _recurrent(self, step, shape):
        if step.recurrent is None:
            return None
        weights = step.recurrent
        weight = _values(weights.weight, "weight")
        n = int(np.prod(shape))
        if shape != (n,) or weight.shape != (n, n):
            raise ValueError(f"recurrent weights {step.recurrent_name!r} are {weight.shape} for neurons of shape "
                             f"{shape}; they must be (N, N) for N neurons")
        bias = _values(weights.bias, "bias") if isinstance(weights, nir.Affine) else None
        return SimpleNamespace(weight=weight, bias=None if bias is None else np.broadcast_to(bias, (n,)).copy())

    def _fold(self, gain, recurrent):
        """Multiplies the neuron's input (preceding weights and recurrent weights) by `gain`."""
        if np.all(np.abs(gain - 1.0) <= _UNIT_GAIN_TOLERANCE):
            return
        layer = self.weighted
        if layer is None:
            raise NotImplementedError(f"its input gain (r, w_in, dt: {_describe_gain(gain)}) must fold into a "
                                      "directly preceding Affine, Linear or Conv2d node, and there is none")
        if _uniform(gain) is not None:
            rows = np.full(layer.weight.shape[0], _uniform(gain))
        elif isinstance(layer, L.Linear):
            rows = gain.reshape(-1)
        else:
            rows = gain.reshape(gain.shape[0], -1)[:, 0]
            if not np.allclose(gain, rows.reshape(-1, 1, 1), rtol=1e-7, atol=0):
                raise NotImplementedError("its input gain varies within a channel; it can only fold into the "
                                          "preceding Conv2d per output channel")
        layer.weight = np.asarray(layer.weight, dtype=np.float64) * rows.reshape(-1, *[1] * (layer.weight.ndim - 1))
        if layer.bias is not None:
            layer.bias = np.asarray(layer.bias, dtype=np.float64) * rows
        if recurrent is not None:
            recurrent.weight = recurrent.weight * rows.reshape(-1, 1)
            if recurrent.bias is not None:
                recurrent.bias = recurrent.bias * rows

    def _add_neuron(self, kind, arguments, recurrent, shape):
        options = self.options
        if recurrent is None:
            if options.squeeze:
                layer = getattr(L, kind + "Squeeze")(batch_size=options.batch_size,
                                                     num_timesteps=options.num_timesteps, **arguments)
            else:
                layer = getattr(L, kind)(**arguments)
            self._add(layer, shape)
            return
        if kind == "ExpLeak":
            raise NotImplementedError("a recurrent LI has no libsinabs layer (ExpLeak has no recurrent form)")
        layer = getattr(L, kind + "Recurrent")(rec_connect=recurrent, **arguments)
        if not options.squeeze:
            self._add(layer, shape)
            return
        if options.batch_size is None:
            raise ValueError("a recurrent neuron in the squeeze form needs batch_size (to unflatten "
                             "(Batch*Time, N) around it); pass batch_size, or neither for the (Batch, Time, N) form")
        for part in (L.UnflattenTime(options.batch_size), layer, L.FlattenTime()):
            self._add(part, shape)


def _per_neuron_thresholds(gain, fields):
    """Our threshold is one number: each neuron's membrane is counted in units
    of its own threshold instead (threshold 1, input and v_reset divided by
    it). The same spikes; v_mem reads v / v_threshold."""
    threshold = fields["v_threshold"]
    if not np.all(threshold > 0):
        raise NotImplementedError("per-neuron v_threshold values must all be positive (each neuron's membrane "
                                  "is rescaled by its threshold)")
    rescaled = dict(fields, v_threshold=np.ones_like(threshold))
    rescaled["v_reset"] = fields.get("v_reset", np.zeros_like(threshold)) / threshold
    return gain / threshold, rescaled


def _per_neuron(tau):
    """A float when uniform, else a float32 array (our layers broadcast it against their states)."""
    value = _uniform(tau)
    return value if value is not None else np.ascontiguousarray(tau, dtype=np.float32)


def _describe_gain(gain):
    low, high = float(np.min(gain)), float(np.max(gain))
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"


_HANDLERS = {
    nir.Affine: _Import.affine,
    nir.Linear: _Import.affine,
    nir.Conv2d: _Import.conv2d,
    nir.SumPool2d: _Import.pool,
    nir.AvgPool2d: _Import.pool,
    nir.Flatten: _Import.flatten,
    nir.IF: _Import.neuron,
    nir.LIF: _Import.neuron,
    nir.LI: _Import.neuron,
    nir.CubaLIF: _Import.neuron,
}
