"""Ours -> NIR: a chain of nodes named "0", "1", ... like the Sequential's
layers, edges input -> 0 -> 1 -> ... -> output. See docs/nir.md for the table."""
import numpy as np
import nir

from . import _nir_units as units
from ._nir_describe import NEURON_KINDS, describe, neuron_kind


def to_nir(model, input_shape, dt=None):
    layers = describe(model)
    export = _Export(_sample_shape(input_shape), _sample_offset(layers), _time_step(dt))
    for layer in layers:
        export.add(layer)
    return export.graph()


def _sample_shape(input_shape):
    try:
        shape = tuple(int(d) for d in input_shape)
    except TypeError:
        raise TypeError(f"input_shape must be a sequence of ints (one sample, without batch and time), "
                        f"got {input_shape!r}") from None
    if not shape or any(d < 1 for d in shape):
        raise ValueError(f"input_shape must be one or more positive sizes, got {input_shape!r}")
    return shape


def _time_step(dt):
    if dt is None:
        return None
    dt = float(dt)
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt}")
    return dt


def _sample_offset(layers):
    """Where a sample's dims start in our tensors: 1 after (Batch*Time) in the
    squeeze form, 2 after (Batch, Time) in the plain form."""
    forms = {neuron_kind(layer.kind)[1] == "Squeeze" for layer in layers
             if neuron_kind(layer.kind)[0] in NEURON_KINDS and not layer.per_frame}
    if len(forms) > 1:
        raise ValueError("to_nir: the model mixes squeeze-form (Batch*Time, ...) and (Batch, Time, ...) neuron layers")
    return 2 if forms == {False} else 1


def _pair(value, what):
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values[0], values[0]
    if len(values) != 2:
        raise ValueError(f"{what} must be an int or two ints, got {value!r}")
    return values


def _f32(value):
    return np.ascontiguousarray(value, dtype=np.float32)


def _window_output(size, kernel, stride, padding, dilation=1):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


class _Export:
    def __init__(self, shape, offset, dt):
        self.input_shape = shape
        self.shape = shape        # one sample's shape before the next layer
        self.offset = offset
        self.dt = dt
        self.nodes = {"input": nir.Input(input_type={"input": np.array(shape)})}
        self.edges = []
        self.last = "input"
        self.pad = None           # (layer index, (pad_h, pad_w)) of a ZeroPad2d awaiting its conv/pool

    def graph(self):
        if self.pad is not None:
            raise NotImplementedError(f"layer {self.pad[0]} (ZeroPad2d): NIR has no padding node; it can only be "
                                      "merged into a following Conv2d, SumPool2d or AvgPool2d")
        self.nodes["output"] = nir.Output(output_type={"output": np.array(self.shape)})
        self.edges.append((self.last, "output"))
        try:  # nir 1.0.5+ re-checks the types we computed, and gets grouped convolutions wrong
            return nir.NIRGraph(nodes=self.nodes, edges=self.edges, type_check=False)
        except TypeError:
            return nir.NIRGraph(nodes=self.nodes, edges=self.edges)

    def _append(self, name, node, shape):
        self.nodes[name] = node
        self.edges.append((self.last, name))
        self.last = name
        self.shape = tuple(int(d) for d in shape)

    def add(self, layer):
        what = f"layer {layer.index} ({layer.kind})"
        handler = _HANDLERS.get(layer.kind)
        if handler is None and neuron_kind(layer.kind)[0] in NEURON_KINDS:
            handler = _Export._neuron
        if handler is None:
            raise NotImplementedError(f"{what} has no NIR equivalent (NIR export supports Linear, Conv2d, "
                                      "SumPool2d, AvgPool2d, Flatten, ZeroPad2d before a conv/pool, Dropout "
                                      "(skipped: identity at inference), IAF, LIF and ExpLeak layers)")
        if self.pad is not None and layer.kind not in ("Conv2d", "SumPool2d", "AvgPool2d"):
            self.graph()  # raises: the padding has nothing to merge into
        handler(self, layer, what)

    # ---- connections ----------------------------------------------------------

    def _linear(self, layer, what):
        weight = layer.parameters["weight"]
        out_features, in_features = weight.shape
        if self.shape != (in_features,):
            raise ValueError(f"{what}: NIR's Affine maps one vector of {in_features} per sample; "
                             f"the input here has shape {self.shape}")
        bias = layer.parameters.get("bias", np.zeros(out_features))
        self._append(str(layer.index), nir.Affine(weight=_f32(weight), bias=_f32(bias)), (out_features,))

    def _image_shape(self, what):
        if len(self.shape) != 3:
            raise ValueError(f"{what} takes (C, H, W) samples; the input here has shape {self.shape}")
        return self.shape

    def _take_pad(self, padding):
        pad = (0, 0) if self.pad is None else self.pad[1]
        self.pad = None
        return padding[0] + pad[0], padding[1] + pad[1]

    def _conv2d(self, layer, what):
        a = layer.arguments
        weight = layer.parameters["weight"]
        channels, height, width = self._image_shape(what)
        kernel = weight.shape[2:]
        stride, dilation = _pair(a.get("stride", 1), "stride"), _pair(a.get("dilation", 1), "dilation")
        groups = int(a.get("groups", 1))
        if channels != weight.shape[1] * groups:
            raise ValueError(f"{what} expects {weight.shape[1] * groups} input channels, the input has {channels}")
        padding = a.get("padding", 0)
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            padding = tuple(d * (k - 1) // 2 for d, k in zip(dilation, kernel))
        padding = self._take_pad(_pair(padding, "padding"))
        out = [_window_output(n, k, s, p, d) for n, k, s, p, d in zip((height, width), kernel, stride, padding,
                                                                    dilation)]
        bias = layer.parameters.get("bias", np.zeros(weight.shape[0]))
        node = nir.Conv2d(input_shape=(height, width), weight=_f32(weight), stride=stride, padding=padding,
                          dilation=dilation, groups=groups, bias=_f32(bias))
        node.input_type = {"input": np.array(self.shape)}  # nir takes weight.shape[1] channels, wrong with groups
        self._append(str(layer.index), node, (weight.shape[0], *out))

    def _pool(self, layer, what):
        a = layer.arguments
        channels, height, width = self._image_shape(what)
        if a.get("ceil_mode"):
            raise NotImplementedError(f"{what}: ceil_mode=True has no NIR form")
        kernel = _pair(a["kernel_size"], "kernel_size")
        stride = kernel if a.get("stride") in (None, [], ()) else _pair(a["stride"], "stride")
        padding = self._take_pad(_pair(a.get("padding", 0), "padding"))
        if layer.kind == "AvgPool2d":
            if a.get("divisor_override") is not None:
                raise NotImplementedError(f"{what}: divisor_override has no NIR form")
            if not a.get("count_include_pad", True) and any(padding):
                raise NotImplementedError(f"{what}: count_include_pad=False with padding has no NIR form")
        node_class = nir.AvgPool2d if layer.kind == "AvgPool2d" else nir.SumPool2d
        node = node_class(kernel_size=np.array(kernel), stride=np.array(stride), padding=np.array(padding))
        out = (channels, *[_window_output(n, k, s, p) for n, k, s, p in zip((height, width), kernel, stride, padding)])
        node.input_type, node.output_type = {"input": np.array(self.shape)}, {"output": np.array(out)}  # nir leaves them None
        self._append(str(layer.index), node, out)

    def _zero_pad(self, layer, what):
        left, right, top, bottom = (int(v) for v in layer.arguments["padding"])
        if left != right or top != bottom or min(left, top) < 0:
            raise NotImplementedError(f"{what}: only symmetric, non-negative padding merges into NIR's "
                                      f"conv/pool padding; got (left, right, top, bottom) = "
                                      f"{(left, right, top, bottom)}")
        self._image_shape(what)
        self.pad = (layer.index, (top, left))

    def _flatten(self, layer, what):
        offset = 1 if layer.per_frame else self.offset
        dims = []
        for key in ("start_dim", "end_dim"):
            dim = int(layer.arguments.get(key, 1 if key == "start_dim" else -1))
            if dim >= 0:
                if dim < offset:
                    raise ValueError(f"{what}: {key}={dim} would flatten the batch/time dimensions "
                                     f"(a sample starts at dim {offset} here)")
                dim -= offset
            dims.append(dim)
        node = nir.Flatten(input_type={"input": np.array(self.shape)}, start_dim=dims[0], end_dim=dims[1])
        self._append(str(layer.index), node, node.output_type["output"])

    def _skip(self, layer, what):
        """Dropout: the identity at inference."""

    # ---- neurons ----------------------------------------------------------------

    def _neuron(self, layer, what):
        base, form = neuron_kind(layer.kind)
        p, a = layer.parameters, layer.arguments
        if base == "ALIF":
            raise NotImplementedError(f"{what}: NIR has no adaptive-threshold neuron")
        if p.get("min_v_mem") is not None:
            raise NotImplementedError(f"{what}: min_v_mem={float(np.ravel(p['min_v_mem'])[0])} has no NIR form "
                                      "(NIR membranes have no lower bound); build the layer with min_v_mem=None")
        shape = self.shape
        full = lambda value: np.broadcast_to(np.asarray(value, dtype=np.float64), shape)  # noqa: E731
        tau_mem = _time_constant(p, "mem")
        tau_syn = _time_constant(p, "syn")
        fields = {}
        if base != "ExpLeak":
            _check_spike_and_reset(a, p, what)
            fields["v_threshold"] = _f32(full(p["spike_threshold"]))
        gain = np.ones(shape)
        if a.get("norm_input") and tau_mem is not None:
            gain = 1.0 - np.exp(-1.0 / full(tau_mem))
        if base == "IAF":
            if tau_syn is not None:
                raise NotImplementedError(f"{what}: an IAF with tau_syn has no NIR node (CubaLIF always leaks)")
            node = _node(nir.IF, r=_f32(units.if_r(gain, self.dt)), **fields)
        elif tau_syn is None:
            tau = units.nir_tau(full(tau_mem), self.dt)
            node_class = nir.LI if base == "ExpLeak" else nir.LIF
            node = _node(node_class, tau=_f32(tau), r=_f32(units.leaky_r(gain, tau, self.dt)),
                         v_leak=np.zeros(shape, np.float32), **fields)
        else:
            if base == "ExpLeak":
                raise NotImplementedError(f"{what}: an ExpLeak with tau_syn has no NIR node")
            tau_m, tau_s = units.nir_tau(full(tau_mem), self.dt), units.nir_tau(full(tau_syn), self.dt)
            r, w_in = units.cuba_r_w_in(gain, tau_s, tau_m, self.dt)
            node = _node(nir.CubaLIF, tau_syn=_f32(tau_s), tau_mem=_f32(tau_m), r=_f32(r), w_in=_f32(w_in),
                         v_leak=np.zeros(shape, np.float32), **fields)
        name = str(layer.index)
        self._append(name, node, shape)
        if form == "Recurrent":
            self._recurrent(name, p, what)

    def _recurrent(self, name, p, what):
        weight = p["rec_connect.weight"]
        if self.shape != (weight.shape[0],):
            raise ValueError(f"{what}: the recurrent weight is {weight.shape}, the neurons {self.shape}")
        bias = p.get("rec_connect.bias", np.zeros(weight.shape[0]))
        rec = f"{name}.rec_connect"
        self.nodes[rec] = nir.Affine(weight=_f32(weight), bias=_f32(bias))
        self.edges += [(name, rec), (rec, name)]


def _time_constant(p, which):
    """tau_mem / tau_syn from the layer's tau or (train_alphas) alpha parameter, or None."""
    if p.get("tau_" + which) is not None:
        return p["tau_" + which]
    alpha = p.get("alpha_" + which)
    if alpha is None:
        return None
    with np.errstate(divide="ignore"):
        return -1.0 / np.log(np.asarray(alpha, dtype=np.float64))


def _check_spike_and_reset(a, p, what):
    spike = a.get("spike_fn")
    if spike == "MaxSpike" and a.get("spike_fn.max_num_spikes_per_bin") is not None:
        raise NotImplementedError(f"{what}: MaxSpike({a['spike_fn.max_num_spikes_per_bin']}) has no NIR form "
                                  "(export MultiSpike or SingleSpike layers)")
    if spike not in ("MultiSpike", "SingleSpike", "MaxSpike"):
        raise NotImplementedError(f"{what}: spike_fn {spike} has no NIR form")
    reset = a.get("reset_fn")
    if reset == "MembraneSubtract":
        value = a.get("reset_fn.subtract_value")
        if value is not None and not np.all(np.asarray(value) == p["spike_threshold"]):
            raise NotImplementedError(f"{what}: MembraneSubtract(subtract_value={value}) differs from the "
                                      "threshold; NIR subtracts the threshold")
    elif reset == "MembraneReset":
        if float(a.get("reset_fn.reset_value", 0.0)) != 0.0:
            raise NotImplementedError(f"{what}: MembraneReset(reset_value={a['reset_fn.reset_value']}) has no "
                                      "NIR form (only a reset to zero: import it with reset='zero')")
    else:
        raise NotImplementedError(f"{what}: reset_fn {reset} has no NIR form")


def _node(node_class, **fields):
    """A NIR neuron node; nir 1.0.5 and later also have v_reset (written as 0, as sinabs and snnTorch do)."""
    if "v_reset" in getattr(node_class, "__dataclass_fields__", {}):
        fields["v_reset"] = np.zeros_like(fields["r"])
    return node_class(**fields)


_HANDLERS = {
    "Linear": _Export._linear,
    "Conv2d": _Export._conv2d,
    "SumPool2d": _Export._pool,
    "AvgPool2d": _Export._pool,
    "ZeroPad2d": _Export._zero_pad,
    "Flatten": _Export._flatten,
    "Dropout": _Export._skip,
}
