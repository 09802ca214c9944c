"""What every `sinabs_swift.torch` neuron module shares: the autograd
Function that reaches the native fused backward, parameter pushing, states
as attributes, recordings, firing rate and state_dict support."""

import torch
import torch.nn as nn

from .torch_native import TRAINABLE, NativeNeuron, as_native_input


class NeuronFunction(torch.autograd.Function):
    """Native forward; backward through the layer's fused BPTT tape.

    Inputs: the module, the trainable parameter names, the input, then the
    trainable parameter tensors (so torch accumulates their `.grad`). The
    graph keeps the native layer, not the module: no reference cycle through
    `layer.firing_rate`."""

    @staticmethod
    def forward(ctx, layer, names, x, *parameters):
        native = layer._native
        output = native.forward(as_native_input(x), training=True)
        native.tape_serial += 1
        ctx.native, ctx.names, ctx.serial = native, names, native.tape_serial
        ctx.what, ctx.dtype = type(layer).__name__, x.dtype
        ctx.save_for_backward(x, *parameters)  # so torch refuses in-place edits before backward
        return output

    @staticmethod
    def backward(ctx, grad_output):
        inputs = ctx.saved_tensors  # the version check
        native = ctx.native
        if getattr(ctx, "consumed", False):
            raise RuntimeError(
                f"{ctx.what}: backward through this forward ran already. retain_graph=True is "
                "not supported by sinabs_swift: the first backward consumes the layer's BPTT "
                "tape (its memory becomes the input gradient). Run the forward again.")
        if ctx.serial != native.tape_serial:
            raise RuntimeError(
                f"{ctx.what}: backward through an earlier forward call. sinabs_swift keeps "
                "one BPTT tape per layer: call backward before the next training forward "
                "of the same layer.")
        with torch.no_grad():
            grad_input, grads = native.backward(as_native_input(grad_output), ctx.names)
        ctx.consumed = True
        return (None, None, *_first_order_only(ctx.what, [grad_input.to(ctx.dtype), *grads], inputs))


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
    refuse = torch._C._functions.DelayedError(
        f"{what}: second-order gradients (differentiating a gradient taken with "
        "create_graph=True) are not supported by sinabs_swift: its fused BPTT backward is "
        "not itself differentiable. First-order gradients are exact.".encode(), len(grads))
    aliases = []
    for grad in grads:
        alias = grad.detach() + link
        if not alias.requires_grad:
            alias.requires_grad = True
        aliases.append(alias)
    result = refuse(*aliases)
    return list(result) if isinstance(result, tuple) else [result]


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


class NeuronModule(nn.Module):
    """Base of the neuron modules. Subclasses call `_setup` at the end of
    __init__ and define `_parameter_sources`."""

    _model = None          # "IAF", "LIF", "ExpLeak" or "ALIF"

    def _setup(self, options, state_names, record_states, shape=None):
        object.__setattr__(self, "_state_names", tuple(state_names))
        self.record_states = record_states
        native = NativeNeuron(self._model, record_states=record_states,
                              **options, **self._form_options())
        object.__setattr__(self, "_native", native)
        assert set(native.state_names) == set(state_names), (native.state_names, state_names)
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
        names, tensors = [], []
        held = self._native.parameter_names
        for name, value in self._parameter_sources():
            if name not in held and name not in TRAINABLE:
                continue  # fixed at construction in libsinabs (ALIF's min_v_mem)
            self._native.set_parameter(name, value)
            if name in TRAINABLE:
                names.append(name)
                tensors.append(value)
        return names, tensors

    # --- forward ----------------------------------------------------------

    def forward(self, input_data):
        """Output (spikes; ExpLeak: v_mem) with the input's shape."""
        names, trainable = self._push_parameters()
        track = torch.is_grad_enabled() and (
            input_data.requires_grad or any(p.requires_grad for p in trainable))
        if track:
            output = NeuronFunction.apply(self, tuple(names), input_data, *trainable)
        else:
            output = self._native.forward(as_native_input(input_data), training=False)
        # sinabs' firing_rate = spikes.mean(), differentiable.
        self.firing_rate = RateFunction.apply(output, self._native.firing_rate())
        return output

    # --- states as attributes ---------------------------------------------

    def __getattr__(self, name):
        if name in self.__dict__.get("_state_names", ()):
            return self.__dict__["_native"].state(name)
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name in self.__dict__.get("_state_names", ()) and isinstance(value, torch.Tensor):
            self._set_state(name, value)
        else:
            super().__setattr__(name, value)

    def _set_state(self, name, value):
        """Copies `value` into state `name`; a new shape re-creates every
        state (the others as zeros), as sinabs' init_state_with_shape."""
        current = self._native.state(name).shape
        if current != torch.Size([0]) and current != value.shape:
            # libsinabs keeps a state's shape until a forward changes it: start afresh.
            object.__setattr__(self, "_native", NativeNeuron.rebuild(self._native.spec, {}))
        self._native.set_state(name, value)

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
        `randomize`; the draw follows torch's global seed."""
        seed = int(torch.randint(0, 2**62, (1,)).item()) if randomize else 0
        self._native.reset_states(randomize, value_ranges, seed)

    def zero_grad(self, set_to_none=True):
        """Zeroes parameter gradients. States never carry autograd history,
        so there is nothing to detach (sinabs detaches its buffers here)."""
        super().zero_grad(set_to_none)

    @property
    def recordings(self):
        """{state: (Batch, Time, ...)} of the last call, with record_states."""
        if not self.record_states:
            return {}
        return {name: self._native.recording(name) for name in self._state_names}

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
        state = dict(self.__dict__)
        native = state.pop("_native")
        state["_native_spec"] = (native.spec, native.states())
        if "firing_rate" in state:  # a graph node; copies get its value
            state["firing_rate"] = state["firing_rate"].detach()
        return state

    def __setstate__(self, state):
        spec, states = state.pop("_native_spec")
        super().__setstate__(state)
        object.__setattr__(self, "_native", NativeNeuron.rebuild(spec, states))

    # --- state_dict: states are saved like sinabs' buffers -----------------

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        for name in self._state_names:
            state = self._native.state(name)
            destination[prefix + name] = state if keep_vars else state.clone()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        states = {prefix + name: name for name in self._state_names}
        for key, name in states.items():
            if key not in state_dict:
                missing_keys.append(key)
            elif state_dict[key].numel() > 0:
                self._set_state(name, state_dict[key])
        rest = {k: v for k, v in state_dict.items() if k not in states}
        super()._load_from_state_dict(rest, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def extra_repr(self):
        shown = ("tau_mem", "tau_syn", "tau_adapt", "adapt_scale", "spike_threshold",
                 "min_v_mem", "norm_input", "batch_size", "num_timesteps")
        return ", ".join(f"{k}={v}" for k, v in self._param_dict.items()
                         if k in shown and v is not None)
