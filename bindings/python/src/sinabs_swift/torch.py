"""Drop-in torch modules for sinabs' neuron layers, computed by libsinabs.

Replace ``import sinabs.layers as sl`` with ``import sinabs_swift.torch as sl``
for IAF, LIF, ExpLeak, ALIF, their Squeeze forms and IAFRecurrent,
LIFRecurrent, ALIFRecurrent: same constructor arguments and defaults, same
parameters (``tau_mem``, ``alpha_mem`` with ``train_alphas``, ...), same
states (``layer.v_mem``, ...), ``reset_states``, ``zero_grad``,
``record_states``/``recordings`` and ``firing_rate``. The layers mix freely
with torch's Conv2d, Linear, pooling, ... in ``nn.Sequential``. The
non-neuron modules of sinabs.layers (SumPool2d, Cropping2dLayer, Merge,
...) are here too, and ``activation`` stands in for sinabs.activation.

When sinabs is installed, the neuron modules derive from sinabs'
StatefulLayer (Squeeze forms also from SqueezeMixin), so sinabs' tools
(``sinabs.reset_states``, ``zero_grad``, ``SNNAnalyzer``, ``from_model(...,
spike_layer_class=...)``, ``utils.set_batch_size``, ``network.Network``)
handle them; sinabs is not needed otherwise.

How it runs
- Forward runs in Swift on CPU float32 tensors without copying them (inputs
  and outputs cross the boundary by DLPack; other dtypes are converted).
- Backward is the library's exact fused BPTT, reached through a
  ``torch.autograd.Function``: it returns the input gradient and the
  gradients of the trainable Parameters, which torch accumulates into
  ``.grad`` as usual. Parameter values are pushed to the native layer before
  each forward, so optimizer updates take effect at the next call.
- Every forward call with autograd owns its tape (held by its autograd
  node, freed with it), so any number of calls may precede a backward and a
  layer may appear several times in one graph. The states after such a call
  are outputs of its node, as in sinabs: a loss on ``layer.v_mem`` reaches
  the input and the parameters, and the next call starts from them, so
  backward through consecutive calls equals backward through one call over
  the concatenated time, until ``zero_grad``/``reset_states`` (or a call
  without autograd) detach them. Memory per call until its node is freed:
  4 bytes per neuron-step (the membrane record, later the input gradient),
  4 more each with tau_syn, for ALIF, and for recurrent forms, plus a copy of
  each state (4 bytes per neuron); the input is kept by reference.
- Time constants (tau_*, alpha_* with train_alphas) may be tensors that
  broadcast against the states (Batch, ...), e.g. (N,) or (C, H, W):
  per-neuron and trainable, their gradients summed over broadcast dims.
- States are module buffers in sinabs' order (``named_buffers()``,
  ``state_dict()``); a new batch size resamples old states with torch's
  generator as sinabs does, so ``torch.manual_seed`` gives sinabs' values
  (also for ``reset_states(randomize=True)``).
- States without autograd history are zero-copy views of the native state:
  in-place writes (``layer.v_mem.fill_(0.5)``) and assignment
  (``layer.v_mem = t``) change it; states with history are copies whose
  edits reach the native layer before its next call.

Differences from sinabs (on purpose)
- CPU float32 only (``.to(torch.float64)`` is
  refused with a clear error).
- Recurrent forms take ``rec_connect`` as a square nn.Linear (alone or in
  nn.Sequential with Flatten/Unflatten). ALIF's ``b0``, ``adapt_scale`` and
  ``min_v_mem`` are fixed at construction.
"""

from typing import Optional, Sequence, Union

import torch
import torch.nn as nn

from . import _native
from . import activation as _activation
from . import torch_activation as activation  # noqa: F401  (sinabs.activation)
from .torch_base import NeuronModule, SqueezeBase
from .torch_layers import *  # noqa: F401,F403  (the non-neuron modules of sinabs.layers)
from .torch_layers import __all__ as _other_layers
from .torch_native import NativeNeuron, activation_options, scalar, time_constant
from .activation import ResetFn, SpikeFn, SurrogateFn

FloatLike = Union[float, torch.Tensor]
ShapeLike = Optional[Sequence[int]]

__all__ = [
    "IAF", "IAFSqueeze", "IAFRecurrent", "LIF", "LIFSqueeze", "LIFRecurrent",
    "ExpLeak", "ExpLeakSqueeze", "ALIF", "ALIFSqueeze", "ALIFRecurrent",
] + list(_other_layers)

MultiSpike = _activation.MultiSpike
SingleSpike = _activation.SingleSpike
MembraneSubtract = _activation.MembraneSubtract
SingleExponential = _activation.SingleExponential


def _parameter(value, requires_grad=True):
    return nn.Parameter(torch.as_tensor(value, dtype=torch.float32), requires_grad=requires_grad)


def _decay_parameter(tau):
    return nn.Parameter(torch.exp(-1.0 / torch.as_tensor(tau, dtype=torch.float32)))


# ---------------------------------------------------------------------------
# LIF family: LIF, IAF, ExpLeak


class LIF(NeuronModule):
    """Leaky integrate-and-fire layer (sinabs.layers.LIF).

    Input (Batch, Time, ...); output spikes of the same shape."""

    _model = "LIF"

    def __init__(self, tau_mem: FloatLike, tau_syn: Optional[FloatLike] = None,
                 spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = MultiSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, train_alphas: bool = False,
                 shape: ShapeLike = None, norm_input: bool = True,
                 record_states: bool = False) -> None:
        super().__init__()
        self._init_lif(tau_mem, tau_syn, spike_threshold, spike_fn, reset_fn, surrogate_grad_fn,
                       min_v_mem, train_alphas, shape, norm_input, record_states)

    def _init_lif(self, tau_mem, tau_syn, spike_threshold, spike_fn, reset_fn, surrogate_grad_fn,
                  min_v_mem, train_alphas, shape, norm_input, record_states):
        """The body of sinabs' LIF.__init__ (IAF passes tau_mem=None)."""
        if train_alphas:
            self.alpha_mem = _decay_parameter(tau_mem) if tau_mem is not None else None
            self.alpha_syn = _decay_parameter(tau_syn) if tau_syn is not None else None
        else:
            self.tau_mem = _parameter(tau_mem) if tau_mem is not None else None
            self.tau_syn = _parameter(tau_syn) if tau_syn is not None else None
        self.spike_fn = spike_fn
        self.reset_fn = reset_fn
        self.surrogate_grad_fn = surrogate_grad_fn
        self.train_alphas = train_alphas
        self.norm_input = norm_input
        self.min_v_mem = _parameter(min_v_mem, False) if min_v_mem is not None else None
        self.spike_threshold = (_parameter(spike_threshold, False)
                                if spike_threshold is not None else None)
        options = activation_options(spike_fn, reset_fn, surrogate_grad_fn)
        options.update(norm_input=norm_input, train_alphas=train_alphas)
        for name, value in (("tau_mem", tau_mem), ("tau_syn", tau_syn)):
            if value is not None:
                options[name] = time_constant(value, name)
        for name, value in (("spike_threshold", spike_threshold), ("min_v_mem", min_v_mem)):
            if value is not None:
                options[name] = scalar(value, name)
        states = ["v_mem", "i_syn"] if tau_syn is not None else ["v_mem"]
        self._setup(options, states, record_states, shape)

    def _parameter_sources(self):
        names = ("alpha_mem", "alpha_syn") if self.train_alphas else ("tau_mem", "tau_syn")
        names += ("min_v_mem", "spike_threshold")
        return [(name, getattr(self, name)) for name in names
                if getattr(self, name, None) is not None]

    def __getattr__(self, name):
        if name == "i_syn" and "i_syn" not in self.__dict__.get("_state_names", ("i_syn",)):
            return None  # sinabs sets i_syn to None without synaptic dynamics
        return super().__getattr__(name)

    @property
    def alpha_mem_calculated(self):
        return self.alpha_mem if self.train_alphas else torch.exp(-1.0 / self.tau_mem)

    @property
    def alpha_syn_calculated(self):
        if self.train_alphas:
            return self.alpha_syn
        return torch.exp(-1.0 / self.tau_syn) if self.tau_syn is not None else None

    @property
    def tau_mem_calculated(self):
        if self.train_alphas:
            return None if self.alpha_mem is None else -1.0 / torch.log(self.alpha_mem)
        return self.tau_mem

    @property
    def tau_syn_calculated(self):
        if self.train_alphas:
            return None if self.alpha_syn is None else -1.0 / torch.log(self.alpha_syn)
        return self.tau_syn

    @property
    def _param_dict(self):
        tau_mem, tau_syn = self.tau_mem_calculated, self.tau_syn_calculated
        return dict(
            tau_mem=None if tau_mem is None else tau_mem.detach(),
            tau_syn=None if tau_syn is None else tau_syn.detach(),
            spike_threshold=self.spike_threshold, spike_fn=self.spike_fn, reset_fn=self.reset_fn,
            surrogate_grad_fn=self.surrogate_grad_fn, train_alphas=self.train_alphas,
            shape=self.shape, min_v_mem=self.min_v_mem, norm_input=self.norm_input,
            record_states=self.record_states)


class IAF(LIF):
    """Integrate-and-fire layer, LIF without leak (sinabs.layers.IAF)."""

    _model = "IAF"

    def __init__(self, spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = MultiSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 tau_syn: Optional[FloatLike] = None, min_v_mem: Optional[float] = None,
                 shape: ShapeLike = None, record_states: bool = False) -> None:
        NeuronModule.__init__(self)
        self._init_lif(None, tau_syn, spike_threshold, spike_fn, reset_fn, surrogate_grad_fn,
                       min_v_mem, False, shape, False, record_states)

    @property
    def alpha_mem_calculated(self):
        return torch.tensor(1.0)

    @property
    def _param_dict(self):
        params = super()._param_dict
        for key in ("tau_mem", "train_alphas", "norm_input"):
            params.pop(key)
        return params


class ExpLeak(LIF):
    """Leaky integrator without spikes, output = v_mem (sinabs.layers.ExpLeak)."""

    _model = "ExpLeak"

    def __init__(self, tau_mem: FloatLike, shape: ShapeLike = None, train_alphas: bool = False,
                 min_v_mem: Optional[float] = None, norm_input: bool = False,
                 record_states: bool = False) -> None:
        NeuronModule.__init__(self)
        self._init_lif(tau_mem, None, None, None, None, None, min_v_mem, train_alphas, shape,
                       norm_input, record_states)

    @property
    def _param_dict(self):
        params = super()._param_dict
        for key in ("tau_syn", "spike_fn", "reset_fn", "surrogate_grad_fn", "spike_threshold"):
            params.pop(key)
        return params


# ---------------------------------------------------------------------------
# ALIF


class ALIF(NeuronModule):
    """Adaptive LIF layer, Bellec et al. 2018 (sinabs.layers.ALIF).

    `spike_threshold` is a state (b0 + adapt_scale * b) as in sinabs; the
    base threshold is `b0`."""

    _model = "ALIF"
    _resamples_batch = False  # sinabs' ALIF starts from zeros

    def __init__(self, tau_mem: FloatLike, tau_adapt: FloatLike,
                 tau_syn: Optional[FloatLike] = None,
                 adapt_scale: FloatLike = 1.8, spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = SingleSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, shape: ShapeLike = None,
                 train_alphas: bool = False, norm_input: bool = True,
                 record_states: bool = False) -> None:
        super().__init__()
        self._init_alif(tau_mem, tau_adapt, tau_syn, adapt_scale, spike_threshold, spike_fn,
                        reset_fn, surrogate_grad_fn, min_v_mem, shape, train_alphas, norm_input,
                        record_states)

    def _init_alif(self, tau_mem, tau_adapt, tau_syn, adapt_scale, spike_threshold, spike_fn,
                   reset_fn, surrogate_grad_fn, min_v_mem, shape, train_alphas, norm_input,
                   record_states):
        """The body of sinabs' ALIF.__init__."""
        if train_alphas:
            self.alpha_mem = _decay_parameter(tau_mem)
            self.alpha_adapt = _decay_parameter(tau_adapt)
            self.alpha_syn = _decay_parameter(tau_syn) if tau_syn is not None else None
        else:
            self.tau_mem = _parameter(tau_mem)
            self.tau_adapt = _parameter(tau_adapt)
            self.tau_syn = _parameter(tau_syn) if tau_syn else None
        self.adapt_scale = adapt_scale
        self.b0 = spike_threshold
        self.spike_fn = spike_fn
        self.reset_fn = reset_fn
        self.surrogate_grad_fn = surrogate_grad_fn
        self.min_v_mem = min_v_mem
        self.train_alphas = train_alphas
        self.norm_input = norm_input
        has_syn = tau_syn is not None if train_alphas else bool(tau_syn)
        options = activation_options(spike_fn, reset_fn, surrogate_grad_fn)
        options.update(tau_mem=time_constant(tau_mem, "tau_mem"),
                       tau_adapt=time_constant(tau_adapt, "tau_adapt"),
                       adapt_scale=scalar(adapt_scale, "adapt_scale"),
                       spike_threshold=scalar(spike_threshold, "spike_threshold"),
                       norm_input=norm_input, train_alphas=train_alphas)
        if has_syn:
            options["tau_syn"] = time_constant(tau_syn, "tau_syn")
        if min_v_mem is not None:
            options["min_v_mem"] = scalar(min_v_mem, "min_v_mem")
        states = ["v_mem", "i_syn", "b", "spike_threshold"] if has_syn else \
            ["v_mem", "b", "spike_threshold"]
        self._setup(options, states, record_states, shape)

    def _parameter_sources(self):
        names = (("alpha_mem", "alpha_adapt", "alpha_syn") if self.train_alphas
                 else ("tau_mem", "tau_adapt", "tau_syn"))
        sources = [(n, getattr(self, n)) for n in names if getattr(self, n, None) is not None]
        if self.min_v_mem is not None:
            sources.append(("min_v_mem", torch.as_tensor(self.min_v_mem, dtype=torch.float32)))
        return sources

    @property
    def alpha_mem_calculated(self):
        return self.alpha_mem if self.train_alphas else torch.exp(-1 / self.tau_mem)

    @property
    def alpha_adapt_calculated(self):
        return self.alpha_adapt if self.train_alphas else torch.exp(-1 / self.tau_adapt)

    @property
    def alpha_syn_calculated(self):
        if self.train_alphas:
            return self.alpha_syn
        return torch.exp(-1 / self.tau_syn) if self.tau_syn is not None else None

    @property
    def _param_dict(self):
        def tau(name):
            if not self.train_alphas:
                return getattr(self, "tau_" + name)
            alpha = getattr(self, "alpha_" + name)
            return None if alpha is None else -1 / torch.log(alpha.detach())

        return dict(
            tau_mem=tau("mem"), tau_adapt=tau("adapt"), tau_syn=tau("syn"),
            adapt_scale=self.adapt_scale, spike_threshold=self.b0, spike_fn=self.spike_fn,
            reset_fn=self.reset_fn, surrogate_grad_fn=self.surrogate_grad_fn,
            train_alphas=self.train_alphas, shape=self.shape, min_v_mem=self.min_v_mem,
            norm_input=self.norm_input, record_states=self.record_states)


# ---------------------------------------------------------------------------
# Squeeze forms: input (Batch*Time, ...), for use between Conv2d and pooling


class _Squeeze(SqueezeBase):
    """sinabs' batch_size / num_timesteps (one of them is required)."""

    def _squeeze_init(self, batch_size, num_timesteps):
        if not batch_size and not num_timesteps:
            raise TypeError("You need to specify either batch_size or num_timesteps.")
        # Plain attributes, set before nn.Module.__init__ runs in the base class.
        object.__setattr__(self, "batch_size", int(batch_size) if batch_size else -1)
        object.__setattr__(self, "num_timesteps", int(num_timesteps) if num_timesteps else -1)

    def forward(self, input_data):
        form = self._form_options()
        model, options = self._native.spec
        if any(options.get(key) != value for key, value in form.items()):
            # batch_size / num_timesteps changed (sinabs.utils.set_batch_size):
            # a native layer of the new form, with the states as they are.
            self._sync_states()
            native = NativeNeuron.rebuild((model, {**options, **form}), self._native.states())
            object.__setattr__(self, "_native", native)
            self._keep_graph_states({})
        return super().forward(input_data)

    def _state_shape_for(self, shape):
        batch = self.batch_size if self.batch_size > 0 else shape[0] // self.num_timesteps
        return (batch, *shape[1:])

    def _form_options(self):
        return {"form": _native.FORM_SQUEEZE, "batch_size": max(self.batch_size, 0),
                "num_timesteps": max(self.num_timesteps, 0)}

    @property
    def _param_dict(self):
        params = super()._param_dict
        params.update(batch_size=self.batch_size, num_timesteps=self.num_timesteps)
        return params


class IAFSqueeze(_Squeeze, IAF):
    """IAF on (Batch*Time, ...) input (sinabs.layers.IAFSqueeze)."""

    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze_init(batch_size, num_timesteps)
        IAF.__init__(self, **kwargs)


class LIFSqueeze(_Squeeze, LIF):
    """LIF on (Batch*Time, ...) input (sinabs.layers.LIFSqueeze)."""

    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze_init(batch_size, num_timesteps)
        LIF.__init__(self, **kwargs)


class ExpLeakSqueeze(_Squeeze, ExpLeak):
    """ExpLeak on (Batch*Time, ...) input (sinabs.layers.ExpLeakSqueeze)."""

    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze_init(batch_size, num_timesteps)
        ExpLeak.__init__(self, **kwargs)


class ALIFSqueeze(_Squeeze, ALIF):
    """ALIF on (Batch*Time, ...) input (sinabs.layers.ALIFSqueeze)."""

    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze_init(batch_size, num_timesteps)
        ALIF.__init__(self, **kwargs)


# ---------------------------------------------------------------------------
# Recurrent forms: input (Batch, Time, ...) plus rec_connect(spikes at t-1)


def _recurrent_linear(rec_connect):
    """The square nn.Linear that `rec_connect` computes: an nn.Linear, or an
    nn.Sequential of one Linear with Flatten/Unflatten/Identity around it."""
    if isinstance(rec_connect, nn.Linear):
        linear = rec_connect
    else:
        children = list(rec_connect.children()) if isinstance(rec_connect, nn.Sequential) else []
        linears = [m for m in children if isinstance(m, nn.Linear)]
        shapers = (nn.Linear, nn.Flatten, nn.Unflatten, nn.Identity)
        ok = len(linears) == 1 and all(isinstance(m, shapers) for m in children)
        linear = linears[0] if ok else None
    if linear is None or linear.in_features != linear.out_features:
        raise NotImplementedError(
            "sinabs_swift recurrent layers need rec_connect to be a square nn.Linear "
            "(alone or in nn.Sequential with Flatten/Unflatten)")
    return linear


class _Recurrent:
    """`rec_connect` (a square nn.Linear, registered as a submodule): its
    weight and bias are pushed to the native layer before each forward and
    trained by the native backward."""

    _resamples_batch = False  # sinabs' recurrent forms start from zeros

    def _recurrent_init(self, rec_connect):
        NeuronModule.__init__(self)
        self.rec_connect = rec_connect
        _recurrent_linear(rec_connect)  # refuse what libsinabs cannot compute, now

    def _form_options(self):
        features = _recurrent_linear(self.rec_connect).in_features
        return {"form": _native.FORM_RECURRENT, "recurrent_features": features}

    def _parameter_sources(self):
        linear = _recurrent_linear(self.rec_connect)  # looked up each time: may be replaced
        sources = [("rec_connect.weight", linear.weight)]
        if linear.bias is not None:
            sources.append(("rec_connect.bias", linear.bias))
        return super()._parameter_sources() + sources

    @property
    def _param_dict(self):
        params = super()._param_dict
        params.update(rec_connect=self.rec_connect)
        return params


class IAFRecurrent(_Recurrent, IAF):
    """IAF with recurrent connections (sinabs.layers.IAFRecurrent)."""

    def __init__(self, rec_connect: nn.Module, spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = MultiSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 tau_syn: Optional[FloatLike] = None, min_v_mem: Optional[float] = None,
                 shape: ShapeLike = None, record_states: bool = False) -> None:
        self._recurrent_init(rec_connect)
        self._init_lif(None, tau_syn, spike_threshold, spike_fn, reset_fn, surrogate_grad_fn,
                       min_v_mem, False, shape, False, record_states)


class LIFRecurrent(_Recurrent, LIF):
    """LIF with recurrent connections (sinabs.layers.LIFRecurrent)."""

    def __init__(self, tau_mem: FloatLike, rec_connect: nn.Module,
                 tau_syn: Optional[FloatLike] = None,
                 spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = MultiSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, train_alphas: bool = False,
                 shape: ShapeLike = None, norm_input: bool = True,
                 record_states: bool = False) -> None:
        self._recurrent_init(rec_connect)
        self._init_lif(tau_mem, tau_syn, spike_threshold, spike_fn, reset_fn, surrogate_grad_fn,
                       min_v_mem, train_alphas, shape, norm_input, record_states)


class ALIFRecurrent(_Recurrent, ALIF):
    """ALIF with recurrent connections (sinabs.layers.ALIFRecurrent)."""

    def __init__(self, tau_mem: FloatLike, tau_adapt: FloatLike, rec_connect: nn.Module,
                 tau_syn: Optional[FloatLike] = None, adapt_scale: FloatLike = 1.8,
                 spike_threshold: FloatLike = torch.tensor(1.0),
                 spike_fn: SpikeFn = SingleSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, shape: ShapeLike = None,
                 train_alphas: bool = False, norm_input: bool = True,
                 record_states: bool = False) -> None:
        self._recurrent_init(rec_connect)
        self._init_alif(tau_mem, tau_adapt, tau_syn, adapt_scale, spike_threshold, spike_fn,
                        reset_fn, surrogate_grad_fn, min_v_mem, shape, train_alphas, norm_input,
                        record_states)


# ---------------------------------------------------------------------------
# sinabs.utils.reset_states / zero_grad look for sinabs' own StatefulLayer
# class and so skip these modules: use these instead (they handle both).


def _stateful_modules(model):
    """Our neuron modules and sinabs' (by class name: sinabs stays optional)."""
    return [m for m in model.modules() if isinstance(m, NeuronModule)
            or any(base.__name__ == "StatefulLayer" for base in type(m).__mro__)]


def reset_states(model: nn.Module) -> None:
    """Resets the states of every neuron layer in `model` (ours and sinabs')."""
    for module in _stateful_modules(model):
        module.reset_states()


def zero_grad(model: nn.Module) -> None:
    """Zeroes the gradients of every neuron layer in `model` (ours and sinabs')."""
    for module in _stateful_modules(model):
        module.zero_grad()


# The model documentation (equations, arguments, defaults) is shared with
# sinabs_swift.layers: one text for the same dynamics.
from . import _docs  # noqa: E402

_docs.document(globals(), "a torch.Tensor of spikes (ExpLeak: v_mem) with the input's shape; "
               "its gradient flows through the fused BPTT kernels of libsinabs.",
               _docs.SUMMARIES)
