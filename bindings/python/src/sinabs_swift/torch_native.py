"""The boundary between `sinabs_swift.torch` and the native layer object.

Everything the torch modules need from the extension goes through here:
native options from sinabs-style arguments, and torch tensors in and out of
the native layer without copying (DLPack both ways).
"""

import torch

from . import _native
from .activation import reset_options, spike_options, surrogate_options

# Native parameter names that get gradients (sinabs trains these; threshold
# and min_v_mem are Parameters with requires_grad=False there).
TRAINABLE = frozenset({"tau_mem", "tau_syn", "tau_adapt", "alpha_mem", "alpha_syn",
                       "alpha_adapt", "rec_connect.weight", "rec_connect.bias"})

MODELS = {"IAF": _native.NEURON_IAF, "LIF": _native.NEURON_LIF,
          "ExpLeak": _native.NEURON_EXPLEAK, "ALIF": _native.NEURON_ALIF}


def scalar(value, name):
    """A float from a number or a one-element tensor (time constants are scalars)."""
    value = torch.as_tensor(value)
    if value.numel() != 1:
        raise NotImplementedError(
            f"{name} must be a scalar in sinabs_swift; got shape {tuple(value.shape)}")
    return float(value.reshape(()))


def time_constant(value, name):
    """The constructor value of a time constant: its float if a scalar; for
    a tensor (per-neuron: it broadcasts against the states) any valid
    placeholder, since the module pushes the tensor itself right away."""
    value = torch.as_tensor(value)
    return float(value.reshape(())) if value.numel() == 1 else 1.0


def activation_options(spike_fn, reset_fn, surrogate_grad_fn):
    """Native options for sinabs' (or our) activation objects; {} without spikes."""
    if spike_fn is None:
        return {}
    return {**spike_options(spike_fn), **reset_options(reset_fn),
            **surrogate_options(surrogate_grad_fn)}


def as_native_input(x):
    """A float32, contiguous CPU tensor with x's values (copies only if it must)."""
    if x.is_cpu and x.dtype == torch.float32 and x.is_contiguous():
        return x.detach()  # the common case, without three dispatches
    if x.device.type != "cpu":
        raise ValueError(f"sinabs_swift.torch runs on CPU tensors, got device {x.device}")
    return x.detach().to(torch.float32).contiguous()


def _sole_owner(tensor):
    """True if no other tensor shares the memory of `tensor`. The count is of
    tensors on the storage, plus the storage object made for asking."""
    try:
        return torch._C._storage_Use_Count(tensor.untyped_storage()._cdata) <= 2
    except (AttributeError, RuntimeError):  # a torch without that hook: never reuse
        return False


def copy_of(tensor):
    """A copy of a float32 CPU tensor without autograd history. numpy copies
    in the calling thread: torch's clone of a state-sized tensor goes to its
    OpenMP pool, which costs milliseconds when the cores are busy (e.g.
    with libsinabs' own workers just finished)."""
    return torch.from_numpy(tensor.numpy().copy())


def to_torch(native_tensor):
    """A torch tensor sharing the memory of a native tensor (DLPack)."""
    return torch.from_dlpack(native_tensor)


class NativeNeuron:
    """A native neuron layer driven with torch tensors."""

    def __init__(self, model, **options):
        options = {k: (int(v) if isinstance(v, bool) else v) for k, v in options.items()}
        self.spec = (model, options)  # to rebuild it (pickle, deepcopy)
        self.records = bool(options.get("record_states"))
        self.layer = _native.neuron_layer(MODELS[model], **options)
        self.parameter_names = self.layer.parameter_names()
        self.state_names = self.layer.state_names()
        self.training = False
        self._output_buffer = None
        # Views of the native states, made once: the native layer re-creates
        # its states only for a new input shape or through set_state, and
        # then this dict is replaced (so its identity tells the views are current).
        self.views = {}
        self._input_shape = None
        self._pushed = {}  # scalar parameter values last pushed, by name

    def states(self):
        """{name: copy} of every state (empty before the first forward)."""
        if self.state("v_mem").shape == torch.Size([0]):
            return {}
        return {name: copy_of(self.state(name)) for name in self.state_names}

    @classmethod
    def rebuild(cls, spec, states):
        """A new layer from `spec` with copies of `states` (see `states`)."""
        model, options = spec
        native = cls(model, **options)
        for name, value in states.items():
            native.set_state(name, value)
        return native

    def set_training(self, training):
        if training != self.training:
            self.layer.set_training(training)
            self.training = training

    def forward(self, x, training):
        """The output for the float32 contiguous CPU tensor `x` (no copies)."""
        self.set_training(training)
        if x.shape != self._input_shape:
            self.views = {}
            self._input_shape = x.shape
        output = self._output_for(x)
        self.layer.forward(x, out=output)
        return output

    def _output_for(self, x):
        """A tensor for the next output. Fresh memory costs page faults on first
        touch (about 1.3 ns per neuron-step, as much as the kernels), so the
        last output's memory is reused once nobody else holds it."""
        buffer = self._output_buffer
        if buffer is None or buffer.shape != x.shape or not _sole_owner(buffer):
            buffer = self._output_buffer = torch.empty_like(x)
        return buffer.detach()  # a new tensor object on the same memory

    def set_parameter(self, name, value):
        """Pushes a parameter value. A float32 scalar still holding the value
        last pushed (same memory, same value: read through a numpy view, far
        cheaper than .item()) is skipped: a streaming call would otherwise
        spend a third of its time here. Optimizer steps and `.data` edits
        change the value or the memory, so they are never missed."""
        if value.numel() != 1 or value.dtype != torch.float32 or not value.is_cpu:
            self.layer.set_parameter(name, as_native_input(value))
            return
        entry = self._pushed.get(name)
        address = value.data_ptr()
        if entry is not None and entry[0] == address and entry[1][()] == entry[2]:
            return  # NaN never equals itself: refused again at every call
        self.layer.set_parameter(name, as_native_input(value))
        view = value.detach().reshape(()).numpy()
        self._pushed[name] = (address, view, view.item())

    def state(self, name):
        """The state as a torch view of the native memory (cached)."""
        view = self.views.get(name)
        if view is None:
            view = self.views[name] = to_torch(self.layer.get_state(name))
        return view

    def set_state(self, name, value):
        self.views = {}
        self.layer.set_state(name, as_native_input(value))

    def recording(self, name):
        return to_torch(self.layer.recording(name))

    def reset_states(self, randomize=False, value_ranges=None, seed=0):
        ranges = None
        if value_ranges:
            ranges = {name: (scalar(low, name), scalar(high, name))
                      for name, (low, high) in value_ranges.items()}
        self.layer.reset_states(bool(randomize), ranges, int(seed))

    def firing_rate(self):
        return self.layer.firing_rate()
