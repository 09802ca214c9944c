"""What every `sinabs_swift.torch` neuron module shares: the autograd
Function that reaches the native fused backward, parameter pushing, states
as attributes, recordings, firing rate and state_dict support."""

import copy

import torch
import torch.nn as nn

from .torch_native import TRAINABLE, NativeNeuron, as_native_input, copy_of, to_torch


class NeuronFunction(torch.autograd.Function):
    """Native forward; backward through this call's own fused BPTT tape.

    Inputs: the native layer, the trainable parameter names, the input, the
    trainable parameter tensors (so torch accumulates their `.grad`), then
    the states before the call in the native state order (graph tensors, or
    None for constants). Outputs: the output, the states after the call
    (copies: the native states change at the next call), so that a loss on
    them, or a later call that starts from them, reaches this call; then,
    with record_states, the recordings (new tensors every call).
    The node holds the tape (freed with the node) and the native layer, not
    the module: no reference cycle through `layer.firing_rate`."""

    @staticmethod
    def forward(ctx, native, names, x, *tensors):
        ctx.set_materialize_grads(False)
        output = native.forward(as_native_input(x), training=True)
        ctx.tape = native.layer.take_tape()
        ctx.native, ctx.names = native, names
        ctx.dtype, ctx.output_shape = x.dtype, output.shape
        ctx.save_for_backward(x)  # so torch refuses in-place edits of x before backward
        names = native.state_names
        recordings = [native.recording(name) for name in names] if native.records else []
        return (output, *(copy_of(native.state(name)) for name in names), *recordings)

    @staticmethod
    def backward(ctx, grad_output, *grads):
        inputs = ctx.saved_tensors  # the version check
        native, tape = ctx.native, ctx.tape
        if tape is None:
            raise RuntimeError(
                "sinabs_swift: backward through this neuron layer call a second time. "
                "retain_graph=True is not supported by sinabs_swift: the first backward consumes "
                "the call's BPTT tape (its memory becomes the input gradient). Detach or reset "
                "the states between training steps (reset_states / zero_grad), or run the "
                "forward again.")
        with torch.no_grad():
            result = NeuronFunction._backward(ctx, native, tape, grad_output, grads)
        return _first_order_only("sinabs_swift neuron layer", result, inputs)

    @staticmethod
    def _backward(ctx, native, tape, grad_output, grads):
        if grad_output is None:
            grad_output = torch.zeros(ctx.output_shape)
        grads = [None if g is None else as_native_input(g) for g in grads]
        count = len(native.state_names)
        recordings = grads[count:] if any(g is not None for g in grads[count:]) else None
        native.layer.zero_grad()
        grad_input, *grad_initial = native.layer.tape_backward(
            tape, as_native_input(grad_output), grads[:count], recordings)
        ctx.tape = None  # its memory goes now
        # The accumulators are reused by the next backward: hand out copies.
        grads = [to_torch(native.layer.grad(name)).clone() for name in ctx.names]
        n_params = len(ctx.names)
        initial = [to_torch(g) if ctx.needs_input_grad[3 + n_params + k] else None
                   for k, g in enumerate(grad_initial)]
        return (None, None, to_torch(grad_input).to(ctx.dtype), *grads, *initial)


def _first_order_only(what, grads, inputs):
    """The gradients; under create_graph=True they are exact first-order
    values whose own gradient raises (libsinabs' fused backward is not
    differentiable) instead of silently counting as constants: each is
    linked to the forward's inputs by a zero term, through torch's
    DelayedError node."""
    if not torch.is_grad_enabled():
        return grads
    link = sum((t.reshape(-1)[0] * 0 for t in inputs if t.requires_grad and t.numel() > 0),
               torch.zeros(()))
    present = [k for k, grad in enumerate(grads) if grad is not None]
    refuse = torch._C._functions.DelayedError(
        f"{what}: second-order gradients (differentiating a gradient taken with "
        "create_graph=True) are not supported by sinabs_swift: its fused BPTT backward is "
        "not itself differentiable. First-order gradients are exact.".encode(), len(present))
    aliases = []
    for k in present:
        alias = grads[k].detach() + link
        if not alias.requires_grad:
            alias.requires_grad = True
        aliases.append(alias)
    result = refuse(*aliases)
    result = list(result) if isinstance(result, tuple) else [result]
    grads = list(grads)
    for k, alias in zip(present, result):
        grads[k] = alias
    return tuple(grads)


class RateFunction(torch.autograd.Function):
    """The mean of `output` in the graph without a pass over its data: the
    value comes from libsinabs (counted during forward), the backward
    spreads the gradient evenly as mean's does."""

    @staticmethod
    def forward(ctx, output, rate):
        ctx.shape, ctx.count = output.shape, output.numel()
        return torch.tensor(rate, dtype=output.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape) / ctx.count, None


def _sinabs_bases():
    """sinabs' StatefulLayer and SqueezeMixin when sinabs is installed, else
    nn.Module and object. sinabs' tools (reset_states, zero_grad,
    SNNAnalyzer, from_model, Network) find layers by isinstance on these; a
    real class cannot be registered as a virtual subclass, so ours derive
    from them (overriding every method that touches states). sinabs stays
    optional."""
    try:
        from sinabs.layers import SqueezeMixin, StatefulLayer
    except ImportError:
        return nn.Module, object
    return StatefulLayer, SqueezeMixin


StatefulBase, SqueezeBase = _sinabs_bases()


class NeuronModule(StatefulBase):
    """Base of the neuron modules. Subclasses call `_setup` at the end of
    __init__ and define `_parameter_sources`."""

    _model = None          # "IAF", "LIF", "ExpLeak" or "ALIF"

    def __init__(self):
        nn.Module.__init__(self)  # not StatefulLayer's: the states live in libsinabs

    def __deepcopy__(self, memo):
        """A copy through __getstate__/__setstate__ (a new native layer with
        copies of the states), whatever sinabs' base class does."""
        duplicate = type(self).__new__(type(self))
        memo[id(self)] = duplicate
        duplicate.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return duplicate

    def _setup(self, options, state_names, record_states, shape=None):
        object.__setattr__(self, "_state_names", tuple(state_names))
        self.record_states = record_states
        native = NativeNeuron(self._model, record_states=record_states,
                              **options, **self._form_options())
        object.__setattr__(self, "_native", native)
        assert set(native.state_names) == set(state_names), (native.state_names, state_names)
        self._keep_graph_states({})
        self._push_parameters()  # tensors of time constants: checked now, by libsinabs
        if shape:
            self.init_state_with_shape(shape)

    def _form_options(self):
        """Extra native options of the form (squeeze, recurrent)."""
        return {}

    def _parameter_sources(self):
        """(native name, torch tensor) of every value the native layer holds."""
        raise NotImplementedError

    def _push_parameters(self):
        """Copies every parameter value into the native layer (a few scalars;
        always, so that `.data` edits and optimizer steps are never missed).
        Returns (names, tensors) of the trainable ones."""
        plan = self.__dict__.get("_push_plan")
        if plan is None:
            held = self._native.parameter_names
            # Not what libsinabs fixed at construction (ALIF's min_v_mem).
            plan = [(name, value) for name, value in self._parameter_sources()
                    if name in held or name in TRAINABLE]
            if "rec_connect" not in self._modules:  # its Linear may change deep inside
                object.__setattr__(self, "_push_plan", plan)  # until the next setattr
        names, tensors = [], []
        for name, value in plan:
            self._native.set_parameter(name, value)
            if name in TRAINABLE:
                names.append(name)
                tensors.append(value)
        return names, tensors

    # --- forward ----------------------------------------------------------

    def forward(self, input_data):
        """Output (spikes; ExpLeak: v_mem) with the input's shape."""
        object.__setattr__(self, "_rate", None)  # frees the last output for reuse
        names, trainable = self._push_parameters()
        self._resample_for_batch_size(input_data.shape)
        graph = self._graph_states_for(input_data)
        track = torch.is_grad_enabled() and (
            input_data.requires_grad or any(p.requires_grad for p in trainable)
            or any(t.requires_grad for t in graph.values()))
        native = self._native
        if track:
            initial = [graph.get(name) for name in native.state_names]
            output, *rest = NeuronFunction.apply(native, tuple(names), input_data, *trainable,
                                                 *initial)
            count = len(native.state_names)
            self._keep_graph_states(dict(zip(native.state_names, rest[:count])))
            object.__setattr__(self, "_graph_recordings", dict(zip(native.state_names, rest[count:])))
        else:
            output = native.forward(as_native_input(input_data), training=False)
            self._keep_graph_states({})
            object.__setattr__(self, "_graph_recordings", {})
        # sinabs' firing_rate = spikes.mean(), in the graph after a tracked
        # call: made when read (a Function node costs microseconds per call).
        # The output is held for that until the next call starts.
        object.__setattr__(self, "_rate", (output if track else None, native.firing_rate()))
        return output

    @property
    def firing_rate(self):
        rate = self.__dict__.get("_rate")
        if rate is None:
            return torch.tensor(self._native.firing_rate())
        if isinstance(rate, tuple):
            output, value = rate
            rate = RateFunction.apply(output, value) if output is not None else torch.tensor(value)
            object.__setattr__(self, "_rate", rate)
        return rate

    # --- states with autograd history --------------------------------------
    # After a call with autograd, each state is a copy of the native state
    # that is an output of the call's autograd node (as sinabs' buffers are
    # results of its step graph); the next call starts from it, so backward
    # flows across calls until zero_grad / reset_states / a call without
    # autograd detaches them. In-place edits of these tensors and
    # assignments reach the native layer before it next reads its states.

    def _keep_graph_states(self, graph):
        object.__setattr__(self, "_graph", graph)
        object.__setattr__(self, "_graph_versions", {n: t._version for n, t in graph.items()})
        # The states as module buffers (named_buffers, state_dict, _apply),
        # in sinabs' order: graph tensors, else views of the native states
        # (unchanged while the native views are: nothing to do per call).
        native = self.__dict__["_native"]
        if not graph and self.__dict__.get("_buffers_from") is native.views:
            return
        for name in self._state_names:
            self._buffers[name] = graph[name] if name in graph else native.state(name)
        object.__setattr__(self, "_buffers_from", None if graph else native.views)

    def _sync_states(self):
        """Copies graph states that were edited or assigned into the native
        layer; returns the graph states."""
        graph = self.__dict__.get("_graph", {})
        versions = self.__dict__.get("_graph_versions", {})
        for name, tensor in graph.items():
            if versions.get(name) != tensor._version:
                self._native.set_state(name, tensor.detach())
                versions[name] = tensor._version
        return graph

    def _graph_states_for(self, input_data):
        """The graph states the next call starts from: none when the call
        will re-create the states (a new shape)."""
        graph = self._sync_states()
        if graph and not self.state_has_shape(self._state_shape_for(input_data.shape)):
            graph = {}
        return graph

    def _state_shape_for(self, shape):
        """(Batch, ...) of the states for an input of `shape`."""
        return (shape[0], *shape[2:])

    # sinabs' LIF, IAF and ExpLeak (and their Squeeze forms) keep their states
    # when only the batch size changes, drawing old samples at random; ALIF
    # and the recurrent forms start from zeros (as libsinabs does).
    _resamples_batch = True

    def _resample_for_batch_size(self, input_shape):
        """sinabs' handle_state_batch_size_mismatch, with torch's generator."""
        if (not self._resamples_batch or input_shape == self._native._input_shape
                or not self.is_state_initialised()):
            return
        new = self._state_shape_for(input_shape)
        old = self._buffers["v_mem"].shape
        if tuple(old) == tuple(new) or tuple(old[1:]) != tuple(new[1:]):
            return  # same shape, or new trailing dimensions: zeros (forward)
        self._sync_states()
        drawn = {}
        for name in self._state_names:  # the draws in sinabs' order, before any change
            buffer = self._buffers[name]
            indices = torch.randint(low=0, high=buffer.shape[0], size=(new[0],))
            drawn[name] = torch.index_select(buffer, 0, indices)
        for name, value in drawn.items():
            self._set_state(name, value)

    def _detach_states(self):
        self._sync_states()
        self._keep_graph_states({})

    # --- states as attributes ---------------------------------------------

    # States are found in self._buffers by nn.Module.__getattr__.

    def __setattr__(self, name, value):
        self.__dict__.pop("_push_plan", None)  # a parameter may be replaced
        if name in self.__dict__.get("_state_names", ()) and isinstance(value, torch.Tensor):
            self._set_state(name, value)
        else:
            super().__setattr__(name, value)

    def _set_state(self, name, value):
        """Copies `value` into state `name`; a new shape re-creates every
        state (the others as zeros), as sinabs' init_state_with_shape. A
        value with autograd history stays in the graph of the next call."""
        self._sync_states()
        graph = {k: v for k, v in self._graph.items() if k != name}
        current = self._native.state(name).shape
        if current != torch.Size([0]) and current != value.shape:
            # libsinabs keeps a state's shape until a forward changes it: start afresh.
            object.__setattr__(self, "_native", NativeNeuron.rebuild(self._native.spec, {}))
            graph = {}
        self._native.set_state(name, value)
        if value.requires_grad:
            graph[name] = value
        self._keep_graph_states(graph)

    def is_state_initialised(self):
        return self._native.state("v_mem").shape != torch.Size([0])

    def state_has_shape(self, shape):
        return self._native.state("v_mem").shape == torch.Size(shape)

    def init_state_with_shape(self, shape, randomize=False):
        """Every state as zeros of `shape`, then randomised with `randomize`."""
        zeros = torch.zeros(tuple(shape))
        for name in self._state_names:
            self._set_state(name, zeros)
        self.reset_states(randomize=randomize)

    def reset_states(self, randomize=False, value_ranges=None):
        """Zero, or uniform in value_ranges[name] (default [0, 1)) with
        `randomize`, drawn as sinabs does (torch's generator, state by state
        in order): torch.manual_seed gives sinabs' values. Detaches."""
        self._keep_graph_states({})
        if not randomize:
            self._native.reset_states(False, None, 0)
        elif self.is_state_initialised():
            for name in self._state_names:
                low, high = (value_ranges or {}).get(name, (0.0, 1.0))
                values = torch.nn.init.uniform_(torch.empty(self._buffers[name].shape))
                self._native.set_state(name, values * (high - low) + low)

    def zero_grad(self, set_to_none=True):
        """Zeroes parameter gradients and detaches the states from the graph
        of earlier calls (as sinabs)."""
        super().zero_grad(set_to_none)
        self._detach_states()

    @property
    def recordings(self):
        """{state: (Batch, Time, ...)} of the last call, with record_states."""
        if not self.record_states:
            return {}
        graph = self.__dict__.get("_graph_recordings") or {}
        return {name: graph[name] if name in graph else self._native.recording(name)
                for name in self._state_names}

    @property
    def shape(self):
        return self._native.state("v_mem").shape if self.is_state_initialised() else None

    @property
    def does_spike(self):
        return getattr(self, "spike_fn", None) is not None

    @property
    def arg_dict(self):
        return self._param_dict

    # --- pickle and deepcopy: rebuild the native layer with its states ------

    def __getstate__(self):
        self._sync_states()
        state = dict(self.__dict__)
        state["_graph"], state["_graph_versions"] = {}, {}  # copies start detached
        state["_graph_recordings"] = {}
        state["_buffers"] = {k: v for k, v in self._buffers.items() if k not in self._state_names}
        native = state.pop("_native")
        state["_native_spec"] = (native.spec, native.states())
        state["_rate"] = None  # a graph node; copies read the native rate
        state.pop("_push_plan", None)
        state.pop("_buffers_from", None)
        return state

    def __setstate__(self, state):
        spec, states = state.pop("_native_spec")
        super().__setstate__(state)
        object.__setattr__(self, "_native", NativeNeuron.rebuild(spec, states))
        self._keep_graph_states({})

    # --- .to(), .cpu(), .float(): CPU float32 only --------------------------

    def _apply(self, fn, *args, **kwargs):
        probe = fn(torch.zeros(1))
        if probe.dtype != torch.float32 or probe.device.type != "cpu":
            raise TypeError(
                f"{type(self).__name__} computes in float32 on the CPU (libsinabs); "
                f"it cannot be moved to dtype {probe.dtype} / device {probe.device}")
        self._sync_states()
        self.__dict__.pop("_push_plan", None)
        result = super()._apply(fn, *args, **kwargs)
        for name in self._state_names:  # whatever fn made of them, keep the values
            self._native.set_state(name, self._buffers[name].detach())
        self._keep_graph_states({})
        return result

    # --- state_dict: states are saved like sinabs' buffers -----------------

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        self._sync_states()
        super()._save_to_state_dict(destination, prefix, keep_vars)
        if not keep_vars:  # views of native memory change with the next call: copies
            for name in self._state_names:
                destination[prefix + name] = copy_of(self._native.state(name))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        states = {prefix + name: name for name in self._state_names}
        for key, name in states.items():
            if key not in state_dict:
                missing_keys.append(key)
            elif state_dict[key].numel() > 0:
                self._set_state(name, state_dict[key])
        rest = {k: v for k, v in state_dict.items() if k not in states}
        buffers = self._buffers  # the states are loaded above, whatever their shape
        object.__setattr__(self, "_buffers", {})
        try:
            super()._load_from_state_dict(rest, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)
        finally:
            object.__setattr__(self, "_buffers", buffers)

    def extra_repr(self):
        shown = ("tau_mem", "tau_syn", "tau_adapt", "adapt_scale", "spike_threshold",
                 "min_v_mem", "norm_input", "batch_size", "num_timesteps")
        return ", ".join(f"{k}={v}" for k, v in self._param_dict.items()
                         if k in shown and v is not None)
