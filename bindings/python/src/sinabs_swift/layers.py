"""sinabs.layers look-alikes on libsinabs: IAF, LIF, ExpLeak, ALIF, their
Squeeze and Recurrent forms, Linear and Sequential.

Constructor arguments, names and defaults follow sinabs 3.1.3. A layer takes
any float32 C-contiguous input (numpy, torch CPU, Tensor) without copying and
returns a sinabs_swift.Tensor (``np.asarray`` / ``torch.from_dlpack`` view it).
States (``v_mem``, ``i_syn``, ``b``, ``spike_threshold``) and parameters
(``tau_mem``, ``spike_threshold``, ...) read as Tensors sharing the layer's
memory and can be assigned from arrays. ``layer.native`` is the low-level
``_native.Layer`` for code that needs more (training: set_training, backward,
grad, zero_grad).
"""
import math
import random
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from . import _docs, _native
from ._native import Tensor
from ._convert import float32_array, scalar
from .activation import (MembraneSubtract, MultiSpike, ResetFn, SingleExponential, SingleSpike,
                         SpikeFn, SurrogateFn, reset_options, spike_options, surrogate_options)

# What a layer reads: a Tensor, a float32 buffer (numpy), a CPU tensor with
# __dlpack__ (torch) or a DLPack capsule.
ArrayLike = Union[Tensor, np.ndarray, Any]

# Names sinabs sets to None when the feature is off.
_NONE_WHEN_ABSENT = frozenset({"tau_syn", "alpha_syn", "min_v_mem"})
# Construction options libsinabs fixes for the layer's life.
_FIXED = frozenset({"spike_fn", "reset_fn", "surrogate_grad_fn", "norm_input", "record_states",
                    "train_alphas", "adapt_scale", "b0", "batch_size", "num_timesteps"})


class _NeuronLayer:
    """Shared machinery: attribute access to native states and parameters."""

    _form_options: dict = {}

    def _build(self, model: int, options: dict, shape, **attributes) -> None:
        options = {**options, **self._form_options}
        native = _native.neuron_layer(model, **options)
        object.__setattr__(self, "_spec", (model, options))  # for copy and pickle
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "_state_names", native.state_names())
        object.__setattr__(self, "_parameter_names", native.parameter_names())
        for name, value in attributes.items():
            object.__setattr__(self, name, value)
        if shape:
            native.set_state("v_mem", np.zeros(tuple(shape), dtype=np.float32))

    @property
    def native(self) -> "_native.Layer":
        """The _native.Layer this object drives (training: set_training, backward, grad)."""
        return self._native

    def forward(self, input_data: ArrayLike, out: Optional[ArrayLike] = None) -> Tensor:
        """Runs the neurons over time: the output (spikes; ExpLeak: v_mem) for
        `input_data`, read in place without copying. With `out` (a float32
        buffer of the input's size, not sharing its memory) the output is
        written there and no memory is allocated."""
        return self._native.forward(input_data, out)

    __call__ = forward

    @property
    def state_names(self) -> Tuple[str, ...]:
        """The names of this layer's states ("v_mem", "i_syn", "b", ...)."""
        return self._state_names

    @property
    def parameter_names(self) -> Tuple[str, ...]:
        """The names of this layer's parameters ("tau_mem", "spike_threshold", ...)."""
        return self._parameter_names

    @property
    def recordings(self) -> Dict[str, Tensor]:
        """{state: Tensor (Batch, Time, ...)} of the last forward (record_states)."""
        if not self.record_states:
            return {}
        return {name: self._native.recording(name) for name in self._state_names}

    @property
    def firing_rate(self) -> float:
        """Mean output per neuron and step of the last call (ExpLeak: mean v_mem)."""
        return self._native.firing_rate()

    @property
    def shape(self) -> Optional[Tuple[int, ...]]:
        """The state shape, or None before the first forward (as sinabs)."""
        shape = self._native.get_state("v_mem").shape
        return None if shape == (0,) else shape

    def is_state_initialised(self) -> bool:
        """Whether the states exist (after the first call or with `shape`)."""
        return self.shape is not None

    def reset_states(self, randomize: bool = False,
                     value_ranges: Optional[Dict[str, Tuple[float, float]]] = None,
                     seed: Optional[int] = None) -> None:
        """Zero the states, or draw them uniformly from [0, 1) or from
        value_ranges[name] = (low, high). `seed` makes the draw reproducible."""
        if seed is None:
            seed = random.getrandbits(64)
        ranges = None
        if value_ranges:
            ranges = {name: (scalar(low, name), scalar(high, name))
                      for name, (low, high) in value_ranges.items()}
        self._native.reset_states(bool(randomize), ranges, int(seed))

    def __getattr__(self, name):
        # Only reached when normal lookup fails: states and parameters.
        native = self.__dict__.get("_native")
        if native is not None:
            if name in self._state_names:
                return native.get_state(name)
            if name in self._parameter_names:
                return native.get_parameter(name)
            if name in _NONE_WHEN_ABSENT:
                return None
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        native = self.__dict__.get("_native")
        if native is not None and name in self._state_names:
            native.set_state(name, float32_array(value))
        elif native is not None and name in self._parameter_names:
            if name.startswith(("tau_", "alpha_")):  # any shape broadcasting against the states
                native.set_parameter(name, float32_array(value))
            else:
                native.set_parameter(name, float32_array(value, native.get_parameter(name).shape))
        elif native is not None and name in _FIXED:
            raise AttributeError(f"{name} is fixed when the layer is created; make a new "
                                 f"{type(self).__name__} to change it")
        else:
            object.__setattr__(self, name, value)

    # copy.deepcopy and pickle: rebuild the native layer from its options, then
    # copy parameters and states in (numpy arrays travel, handles do not).
    def __getstate__(self):
        native = self._native
        plain = {k: v for k, v in self.__dict__.items()
                 if k not in ("_native", "_spec", "_state_names", "_parameter_names", "rec_connect")}
        return {"spec": self._spec, "plain": plain,
                "parameters": {n: np.array(native.get_parameter(n)) for n in self._parameter_names},
                "states": {n: np.array(native.get_state(n)) for n in self._state_names}}

    def __setstate__(self, saved):
        model, options = saved["spec"]
        native = _native.neuron_layer(model, **options)
        for name, value in saved["parameters"].items():
            native.set_parameter(name, value)
        if saved["states"]["v_mem"].shape != (0,):
            for name, value in saved["states"].items():
                native.set_state(name, value)
        for key, value in saved["plain"].items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_spec", (model, options))
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "_state_names", native.state_names())
        object.__setattr__(self, "_parameter_names", native.parameter_names())
        if "rec_connect.weight" in self._parameter_names:
            object.__setattr__(self, "rec_connect", _RecurrentConnection(self))

    def __repr__(self):
        return f"{type(self).__name__}(shape={self.shape})"


def _spiking_options(spike_threshold, spike_fn, reset_fn, surrogate_grad_fn):
    options = {"spike_threshold": scalar(spike_threshold, "spike_threshold")}
    options.update(spike_options(spike_fn))
    options.update(reset_options(reset_fn))
    options.update(surrogate_options(surrogate_grad_fn))
    return options


def _optional(value, name):
    return None if value is None else scalar(value, name)


def _time(value, name):
    """A time constant's constructor value: the float of a scalar; for an
    array (per neuron, broadcasting against the states) a placeholder that
    _per_neuron replaces right after the layer is built."""
    if value is None:
        return None
    return scalar(value, name) if np.size(_plain(value)) == 1 else 1.0


def _plain(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else value


def _per_neuron(layer, train_alphas, **taus):
    """Sets the time constants given as arrays (alpha = exp(-1/tau) with train_alphas)."""
    for suffix, tau in taus.items():
        if tau is None or np.size(_plain(tau)) == 1:
            continue
        tau = float32_array(tau)
        if train_alphas:
            layer._native.set_parameter("alpha_" + suffix, np.exp(np.float32(-1.0) / tau))
        else:
            layer._native.set_parameter("tau_" + suffix, tau)


class IAF(_NeuronLayer):
    def __init__(self, spike_threshold: float = 1.0, spike_fn: SpikeFn = MultiSpike,
                 reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 tau_syn: Optional[float] = None, min_v_mem: Optional[float] = None,
                 shape: Optional[Sequence[int]] = None, record_states: bool = False) -> None:
        options = _spiking_options(spike_threshold, spike_fn, reset_fn, surrogate_grad_fn)
        options.update(tau_syn=_time(tau_syn, "tau_syn"),
                       min_v_mem=_optional(min_v_mem, "min_v_mem"),
                       norm_input=0, record_states=int(bool(record_states)))
        self._build(_native.NEURON_IAF, options, shape, spike_fn=spike_fn, reset_fn=reset_fn,
                    surrogate_grad_fn=surrogate_grad_fn, norm_input=False,
                    record_states=bool(record_states), train_alphas=False)
        _per_neuron(self, False, syn=tau_syn)


class LIF(_NeuronLayer):
    def __init__(self, tau_mem: float, tau_syn: Optional[float] = None,
                 spike_threshold: float = 1.0, spike_fn: SpikeFn = MultiSpike,
                 reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, train_alphas: bool = False,
                 shape: Optional[Sequence[int]] = None, norm_input: bool = True,
                 record_states: bool = False) -> None:
        options = _spiking_options(spike_threshold, spike_fn, reset_fn, surrogate_grad_fn)
        options.update(tau_mem=_time(tau_mem, "tau_mem"), tau_syn=_time(tau_syn, "tau_syn"),
                       min_v_mem=_optional(min_v_mem, "min_v_mem"),
                       train_alphas=int(bool(train_alphas)), norm_input=int(bool(norm_input)),
                       record_states=int(bool(record_states)))
        self._build(_native.NEURON_LIF, options, shape, spike_fn=spike_fn, reset_fn=reset_fn,
                    surrogate_grad_fn=surrogate_grad_fn, norm_input=bool(norm_input),
                    record_states=bool(record_states), train_alphas=bool(train_alphas))
        _per_neuron(self, train_alphas, mem=tau_mem, syn=tau_syn)


class ExpLeak(_NeuronLayer):
    def __init__(self, tau_mem: float, shape: Optional[Sequence[int]] = None,
                 train_alphas: bool = False, min_v_mem: Optional[float] = None,
                 norm_input: bool = False, record_states: bool = False) -> None:
        options = dict(tau_mem=_time(tau_mem, "tau_mem"),
                       min_v_mem=_optional(min_v_mem, "min_v_mem"),
                       train_alphas=int(bool(train_alphas)), norm_input=int(bool(norm_input)),
                       record_states=int(bool(record_states)))
        self._build(_native.NEURON_EXPLEAK, options, shape, spike_fn=None, reset_fn=None,
                    surrogate_grad_fn=None, norm_input=bool(norm_input),
                    record_states=bool(record_states), train_alphas=bool(train_alphas))
        _per_neuron(self, train_alphas, mem=tau_mem)


class ALIF(_NeuronLayer):
    def __init__(self, tau_mem: float, tau_adapt: float, tau_syn: Optional[float] = None,
                 adapt_scale: float = 1.8, spike_threshold: float = 1.0,
                 spike_fn: SpikeFn = SingleSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None,
                 shape: Optional[Sequence[int]] = None, train_alphas: bool = False,
                 norm_input: bool = True, record_states: bool = False) -> None:
        options = _spiking_options(spike_threshold, spike_fn, reset_fn, surrogate_grad_fn)
        options.update(tau_mem=_time(tau_mem, "tau_mem"), tau_adapt=_time(tau_adapt, "tau_adapt"),
                       tau_syn=_time(tau_syn, "tau_syn"),
                       adapt_scale=scalar(adapt_scale, "adapt_scale"),
                       min_v_mem=_optional(min_v_mem, "min_v_mem"),
                       train_alphas=int(bool(train_alphas)), norm_input=int(bool(norm_input)),
                       record_states=int(bool(record_states)))
        self._build(_native.NEURON_ALIF, options, shape, spike_fn=spike_fn, reset_fn=reset_fn,
                    surrogate_grad_fn=surrogate_grad_fn, norm_input=bool(norm_input),
                    record_states=bool(record_states), train_alphas=bool(train_alphas),
                    adapt_scale=adapt_scale, b0=spike_threshold)
        _per_neuron(self, train_alphas, mem=tau_mem, adapt=tau_adapt, syn=tau_syn)


# ---- Squeeze forms: input (Batch*Time, ...) -----------------------------------

def _squeeze_options(batch_size, num_timesteps):
    if not batch_size and not num_timesteps:
        raise TypeError("You need to specify either batch_size or num_timesteps.")
    return {"form": _native.FORM_SQUEEZE, "batch_size": int(batch_size or 0),
            "num_timesteps": int(num_timesteps or 0)}


class _Squeeze:
    def _squeeze(self, batch_size, num_timesteps):
        object.__setattr__(self, "_form_options", _squeeze_options(batch_size, num_timesteps))
        object.__setattr__(self, "batch_size", int(batch_size) if batch_size else -1)
        object.__setattr__(self, "num_timesteps", int(num_timesteps) if num_timesteps else -1)


class IAFSqueeze(_Squeeze, IAF):
    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze(batch_size, num_timesteps)
        super().__init__(**kwargs)


class LIFSqueeze(_Squeeze, LIF):
    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze(batch_size, num_timesteps)
        super().__init__(**kwargs)


class ExpLeakSqueeze(_Squeeze, ExpLeak):
    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze(batch_size, num_timesteps)
        super().__init__(**kwargs)


class ALIFSqueeze(_Squeeze, ALIF):
    def __init__(self, batch_size: Optional[int] = None, num_timesteps: Optional[int] = None,
                 **kwargs) -> None:
        self._squeeze(batch_size, num_timesteps)
        super().__init__(**kwargs)


# ---- Recurrent forms: rec_connect feeds the last output back -------------------

class _RecurrentConnection:
    """`layer.rec_connect`: .weight (and .bias) share the layer's parameters."""

    def __init__(self, layer):
        object.__setattr__(self, "_layer", layer)

    def __getattr__(self, name):
        if name in ("weight", "bias"):
            full = "rec_connect." + name
            if full in self._layer._parameter_names:
                return self._layer._native.get_parameter(full)
            if name == "bias":
                return None
        raise AttributeError(name)

    def __setattr__(self, name, value):
        if name not in ("weight", "bias"):
            raise AttributeError(f"rec_connect has only weight and bias, not {name!r}")
        layer = self._layer
        full = "rec_connect." + name
        shape = None if full not in layer._parameter_names else layer._native.get_parameter(full).shape
        layer._native.set_parameter(full, float32_array(value, shape))  # adds a missing bias
        object.__setattr__(layer, "_parameter_names", layer._native.parameter_names())


def _recurrent_weights(rec_connect):
    """(weight, bias) arrays of a Linear-like object: our Linear, torch.nn.Linear,
    or anything with .weight (N x N) and an optional .bias."""
    weight = getattr(rec_connect, "weight", None)
    if weight is None:
        raise TypeError(f"rec_connect must have a .weight (N x N), got {type(rec_connect).__name__}")
    weight = float32_array(weight)
    if weight.ndim != 2 or weight.shape[0] != weight.shape[1]:
        raise ValueError(f"rec_connect.weight must be square (N x N), got {tuple(weight.shape)}")
    bias = getattr(rec_connect, "bias", None)
    return weight, None if bias is None else float32_array(bias)


class _Recurrent:
    def _recurrent_begin(self, rec_connect):
        weight, bias = _recurrent_weights(rec_connect)
        object.__setattr__(self, "_form_options", {"form": _native.FORM_RECURRENT,
                                                   "recurrent_features": int(weight.shape[0])})
        return weight, bias

    def _recurrent_end(self, weight, bias):
        self._native.set_parameter("rec_connect.weight", weight)
        if bias is not None:  # libsinabs adds the bias parameter when it is first set
            self._native.set_parameter("rec_connect.bias", bias)
            object.__setattr__(self, "_parameter_names", self._native.parameter_names())
        object.__setattr__(self, "rec_connect", _RecurrentConnection(self))


class IAFRecurrent(_Recurrent, IAF):
    def __init__(self, rec_connect: Any, spike_threshold: float = 1.0,
                 spike_fn: SpikeFn = MultiSpike, reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 tau_syn: Optional[float] = None, min_v_mem: Optional[float] = None,
                 shape: Optional[Sequence[int]] = None, record_states: bool = False) -> None:
        weight, bias = self._recurrent_begin(rec_connect)
        IAF.__init__(self, spike_threshold=spike_threshold, spike_fn=spike_fn, reset_fn=reset_fn,
                     surrogate_grad_fn=surrogate_grad_fn, tau_syn=tau_syn, min_v_mem=min_v_mem,
                     shape=shape, record_states=record_states)
        self._recurrent_end(weight, bias)


class LIFRecurrent(_Recurrent, LIF):
    def __init__(self, tau_mem: float, rec_connect: Any, tau_syn: Optional[float] = None,
                 spike_threshold: float = 1.0, spike_fn: SpikeFn = MultiSpike,
                 reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, train_alphas: bool = False,
                 shape: Optional[Sequence[int]] = None, norm_input: bool = True,
                 record_states: bool = False) -> None:
        weight, bias = self._recurrent_begin(rec_connect)
        LIF.__init__(self, tau_mem, tau_syn=tau_syn, spike_threshold=spike_threshold,
                     spike_fn=spike_fn, reset_fn=reset_fn, surrogate_grad_fn=surrogate_grad_fn,
                     min_v_mem=min_v_mem, train_alphas=train_alphas, shape=shape,
                     norm_input=norm_input, record_states=record_states)
        self._recurrent_end(weight, bias)


class ALIFRecurrent(_Recurrent, ALIF):
    def __init__(self, tau_mem: float, tau_adapt: float, rec_connect: Any,
                 tau_syn: Optional[float] = None, adapt_scale: float = 1.8,
                 spike_threshold: float = 1.0, spike_fn: SpikeFn = SingleSpike,
                 reset_fn: ResetFn = MembraneSubtract(),
                 surrogate_grad_fn: SurrogateFn = SingleExponential(),
                 min_v_mem: Optional[float] = None, shape: Optional[Sequence[int]] = None,
                 train_alphas: bool = False, norm_input: bool = True,
                 record_states: bool = False) -> None:
        weight, bias = self._recurrent_begin(rec_connect)
        ALIF.__init__(self, tau_mem, tau_adapt, tau_syn=tau_syn, adapt_scale=adapt_scale,
                      spike_threshold=spike_threshold, spike_fn=spike_fn, reset_fn=reset_fn,
                      surrogate_grad_fn=surrogate_grad_fn, min_v_mem=min_v_mem, shape=shape,
                      train_alphas=train_alphas, norm_input=norm_input,
                      record_states=record_states)
        self._recurrent_end(weight, bias)


# ---- connection layers and models ------------------------------------------------

class Linear:
    """Applies ``y = x W^T + b`` over the last dimension (``torch.nn.Linear``).

    Parameters start as torch's default init does: ``weight`` and ``bias``
    uniform in ``[-1/sqrt(in_features), 1/sqrt(in_features))``, drawn by
    libsinabs from the generator that :func:`sinabs_swift.manual_seed` seeds
    (the same numbers as a C or Swift ``Linear`` created after the same seed).

    Args:
        in_features: size of each input's last dimension.
        out_features: size of each output's last dimension.
        bias: whether to add a learnable bias.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        native = _native.linear_layer(int(in_features), int(out_features), bool(bias))
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "in_features", int(in_features))
        object.__setattr__(self, "out_features", int(out_features))

    @property
    def native(self) -> "_native.Layer":
        """The _native.Layer this object drives."""
        return self._native

    @property
    def weight(self) -> Tensor:
        """(out_features, in_features), sharing the layer's memory; assignable."""
        return self._native.get_parameter("weight")

    @weight.setter
    def weight(self, value):
        self._native.set_parameter("weight", float32_array(value, self.weight.shape))

    @property
    def bias(self) -> Optional[Tensor]:
        """(out_features,), or None without bias; assignable."""
        return self._native.get_parameter("bias") if "bias" in self._native.parameter_names() else None

    @bias.setter
    def bias(self, value):
        self._native.set_parameter("bias", float32_array(value, (self.out_features,)))

    def forward(self, input_data: ArrayLike, out: Optional[ArrayLike] = None) -> Tensor:
        """x W^T + b for `input_data` of shape (..., in_features); with `out`
        (float32, (..., out_features)) written there without allocating."""
        return self._native.forward(input_data, out)

    __call__ = forward

    def __getstate__(self):
        return {"in_features": self.in_features, "out_features": self.out_features,
                "parameters": {n: np.array(self._native.get_parameter(n))
                               for n in self._native.parameter_names()}}

    def __setstate__(self, saved):
        parameters = saved["parameters"]
        native = _native.linear_layer(saved["in_features"], saved["out_features"],
                                      "bias" in parameters)
        for name, value in parameters.items():
            native.set_parameter(name, value)
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "in_features", saved["in_features"])
        object.__setattr__(self, "out_features", saved["out_features"])

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, " \
               f"bias={self.bias is not None})"


class Sequential:
    """Layers run in order inside libsinabs (one call, no Python between layers),
    trainable without torch:

        model = Sequential(Linear(64, 128), LIF(tau_mem=10.0), Linear(128, 10), IAF())
        y = model(x)                        # (Batch, Time, 64) -> (Batch, Time, 10)
        model.train(); y = model(x); gx = model.backward(gy)
        dict(model.named_parameters())      # {"0.weight": Tensor, ...}: shared memory
        dict(model.named_grads())           # the gradient accumulators: shared memory
        model.save("m.safetensors"); Sequential.load("m.safetensors")

    See sinabs_swift.optim and sinabs_swift.losses for the training pieces.

    Args:
        *layers: sinabs_swift layers (Linear, neuron layers, from_description's), applied in order.
    """

    def __init__(self, *layers: Any) -> None:
        self._layers = list(layers)
        self._model = _native.Model()
        for layer in layers:
            self._model.append(layer.native)

    def __len__(self) -> int:
        return len(self._layers)

    def __getitem__(self, index):
        return self._layers[index]

    @property
    def native(self):
        """The _native.Model this object drives."""
        return self._model

    def forward(self, input_data: ArrayLike) -> Tensor:
        """The output of the last layer for `input_data`."""
        return self._model.forward(input_data)

    __call__ = forward

    def backward(self, grad_output, input_grad=True):
        """Gradient w.r.t. the input of the last training forward (all layers in
        reverse); parameter gradients accumulate (see named_grads). With
        input_grad=False only the parameter gradients are computed (a first
        Conv2d or Linear skips its input gradient) and None is returned."""
        if not input_grad:
            self._model.backward_parameters(grad_output)
            return None
        return self._model.backward(grad_output)

    @property
    def training(self):
        return getattr(self, "_training", False)

    def train(self, mode=True):
        """Training mode on every layer (torch's Module.train); returns self."""
        self._model.set_training(bool(mode))
        self._training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def build(self, input_shape):
        """Check every layer's output shape for inputs of `input_shape`
        (ValueError names the first layer that does not fit)."""
        self._model.build(tuple(int(d) for d in input_shape))
        return self

    def named_parameters(self):
        """("0.weight", Tensor) pairs in torch's order; each Tensor shares the
        layer's memory (np.asarray(t)[...] = ... writes the parameter)."""
        for name in self._model.parameter_names():
            yield name, self._model.get_parameter(name)

    def parameters(self):
        for _, value in self.named_parameters():
            yield value

    def named_grads(self):
        """("0.weight", Tensor) for each trainable parameter; each Tensor is the
        gradient accumulator itself (fixed parameters such as spike_threshold
        have none)."""
        for name in self._model.parameter_names():
            try:
                yield name, self._model.grad(name)
            except KeyError:
                continue

    def zero_grad(self):
        self._model.zero_grad()

    def reset_states(self) -> None:
        """Zeroes the states of every neuron layer."""
        self._model.reset_states()

    def summary(self):
        """Layers, output shapes, parameter counts and (after a forward) firing rates."""
        return self._model.summary()

    def train_step(self, optimizer, input_data, target, loss="cross_entropy_sum"):
        """One step in libsinabs: zero_grad, forward, loss, backward, clipping,
        update; returns the loss. See sinabs_swift.optim.train_step."""
        from .optim import train_step
        return train_step(self, optimizer, input_data, target, loss)

    def save(self, path, include_states=False):
        """One safetensors file: parameters by torch name, the architecture in
        the metadata (loadable from C, Swift, and with safetensors/torch)."""
        self._model.save(str(path), bool(include_states))

    @classmethod
    def load(cls, path):
        """A model from a file saved by any libsinabs front-end."""
        model = cls()
        model.load_file(path)
        return model

    def load_file(self, path):
        """Replace the layers by the file's; on error nothing changes."""
        self._model.load(str(path))
        kinds = _architecture_kinds(path)
        self._layers = [_LoadedLayer(self._model[i], kinds[i] if i < len(kinds) else "?")
                        for i in range(len(self._model))]
        self._model.set_training(self.training)

    @classmethod
    def load_nir(cls, path, batch_size=None, num_timesteps=None, dt=None, reset="subtract", spike_fn="multi"):
        """A model read from a .nir file (HDF5, as ``nir.write`` writes it) by
        libsinabs itself: no ``nir`` package needed. Neuron layers are in
        squeeze form (input (Batch*Time, ...)): give batch_size or
        num_timesteps. ``dt`` None: one NIR time unit per step (sinabs'
        convention); a number: the graph was written for forward-Euler steps
        of dt (snnTorch: 1e-4). ``reset``: "subtract" (NIR's) or "zero".
        ``spike_fn``: "multi" (sinabs' MultiSpike, as sinabs' from_nir) or
        "single" (at most one spike per step, as NIR and snnTorch).
        See docs/nir.md for the node mapping."""
        if reset not in ("subtract", "zero"):
            raise ValueError(f"reset must be 'subtract' or 'zero', got {reset!r}")
        if spike_fn not in ("multi", "single"):
            raise ValueError(f"spike_fn must be 'multi' or 'single', got {spike_fn!r}")
        model = cls()
        model._model = _native.Model.load_nir(str(path), batch_size or 0, num_timesteps or 0,
                                              0.0 if dt is None else float(dt), reset == "zero",
                                              spike_fn == "single")
        kinds = [line.split()[1] for line in model._model.summary().splitlines()[2:]]
        model._layers = [_LoadedLayer(model._model[i], kinds[i]) for i in range(len(model._model))]
        model._model.set_training(model.training)
        return model

    def save_nir(self, path, input_shape):
        """Write the model as a .nir file that ``nir.read`` loads (nodes "0",
        "1", ... between "input" of ``input_shape`` -- one sample at one step,
        no batch dimension -- and "output"). ValueError names a layer NIR
        cannot express (min_v_mem, MaxPool2d, ALIF, ...)."""
        self._model.save_nir(str(path), tuple(int(d) for d in input_shape))

    def __repr__(self):
        inner = ",\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self._layers))
        return f"Sequential(\n{inner}\n)" if inner else "Sequential()"

    def __getstate__(self):
        if not any(isinstance(layer, _LoadedLayer) for layer in self._layers):
            return {"layers": self._layers, "training": self.training}
        # Loaded layers have no Python constructor arguments: travel as a model file.
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.safetensors"
            self.save(path, include_states=True)
            return {"file": path.read_bytes(), "training": self.training}

    def __setstate__(self, saved):
        if "file" in saved:
            import tempfile
            from pathlib import Path
            self.__init__()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "model.safetensors"
                path.write_bytes(saved["file"])
                self.load_file(path)
        else:
            self.__init__(*saved["layers"])
        self.train(saved.get("training", False))


def from_description(kind, **arguments):
    """A layer of any kind libsinabs can save, from sinabs'/torch's class name
    and constructor arguments: ``from_description("Conv2d", in_channels=1,
    out_channels=8, kernel_size=3, padding=1)``, ``from_description("IAFSqueeze",
    num_timesteps=20)``. Activation objects are given by name with dotted
    arguments (``**{"spike_fn": "MaxSpike", "spike_fn.max_num_spikes_per_bin": 2}``).
    Returns a layer with forward, parameters and states by attribute, usable
    in Sequential."""
    import json
    for name, value in arguments.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{kind}: argument {name} must be finite, got {value}")
    encoded = json.dumps({name: list(value) if isinstance(value, tuple) else value
                          for name, value in arguments.items()})
    return _LoadedLayer(_native.described_layer(str(kind), encoded), str(kind))


def _architecture_kinds(path):
    """The layer kinds in a model file's metadata (for repr only)."""
    import json
    import struct
    try:
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        architecture = json.loads(header["__metadata__"]["sinabs.architecture"])
        return [layer["kind"] for layer in architecture["layers"]]
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return []


class _LoadedLayer:
    """A layer built from its description (a loaded model's, or
    from_description's): forward, parameters and states by name."""

    def __init__(self, native, kind):
        self._native = native
        self.kind = kind

    @property
    def native(self):
        return self._native

    def forward(self, input_data, out=None):
        return self._native.forward(input_data, out)

    __call__ = forward

    def __getattr__(self, name):
        native = self.__dict__.get("_native")
        if native is not None:
            if name in native.parameter_names():
                return native.get_parameter(name)
            if name in native.state_names():
                return native.get_state(name)
        raise AttributeError(name)

    def __repr__(self):
        return f"{self.kind}(loaded)"


# ---- convolution, pooling and shape layers (connection_layers.py) -------------------
from .connection_layers import (AvgPool2d, ChannelShift, Conv2d, Cropping2dLayer, Dropout,  # noqa: E402
                                Flatten, FlattenTime, MaxPool2d, Merge, ReLU, Repeat, SumPool2d,
                                UnflattenTime, ZeroPad2d)


_docs.document(globals(), "a sinabs_swift.Tensor with the input's shape: spikes per step "
               "(ExpLeak: v_mem); ``np.asarray`` and ``torch.from_dlpack`` view it without "
               "copying.", _docs.SUMMARIES)
