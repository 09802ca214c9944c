"""Builds sinabs_swift layers and NumpyNeuron models from reference cases."""
from types import SimpleNamespace

import sinabs_swift as ss

from conftest import array
from numpy_neuron import NumpyNeuron

MODEL_OF = {"IAF": "IAF", "LIF": "LIF", "ExpLeak": "ExpLeak", "ALIF": "ALIF"}


def base_kind(layer_type: str) -> str:
    for suffix in ("Squeeze", "Recurrent"):
        if layer_type.endswith(suffix):
            return layer_type[: -len(suffix)]
    return layer_type


def activation(entry):
    """{"type": "MaxSpike", fields...} -> a sinabs_swift.activation object."""
    cls = getattr(ss.activation, entry["type"])
    fields = {k: v for k, v in entry.items() if k != "type"}
    if entry["type"] in ("MultiSpike", "SingleSpike"):
        return cls
    return cls(**fields)


def layer_kwargs(params: dict) -> dict:
    kwargs = {}
    for name, value in params.items():
        if isinstance(value, dict) and value.get("type") == "Linear":
            bias = array(value["bias"]) if value.get("bias") is not None else None
            kwargs[name] = SimpleNamespace(weight=array(value["weight"]), bias=bias)
        elif isinstance(value, dict) and "type" in value:
            kwargs[name] = activation(value)
        else:
            kwargs[name] = value
    return kwargs


def build_layer(case):
    layer_type = case["layer"]["type"]
    return getattr(ss.layers, layer_type)(**layer_kwargs(case["layer"]["params"]))


def numpy_model(case, sinabs_membrane_reset=False) -> NumpyNeuron:
    params = case["layer"]["params"]
    kind = base_kind(case["layer"]["type"])
    spike = params.get("spike_fn", {"type": "SingleSpike" if kind == "ALIF" else "MultiSpike"})
    reset = params.get("reset_fn", {"type": "MembraneSubtract"})
    weight = params.get("rec_connect")
    return NumpyNeuron(
        kind,
        tau_mem=params.get("tau_mem"),
        tau_syn=params.get("tau_syn"),
        tau_adapt=params.get("tau_adapt"),
        adapt_scale=params.get("adapt_scale", 1.8),
        spike_threshold=params.get("spike_threshold", 1.0),
        spike={"MultiSpike": "multi", "SingleSpike": "single", "MaxSpike": "max"}[spike["type"]],
        max_spikes=spike.get("max_num_spikes_per_bin"),
        reset="subtract" if reset["type"] == "MembraneSubtract" else "membrane",
        reset_value=reset.get("reset_value", 0.0),
        subtract_value=reset.get("subtract_value"),
        min_v_mem=params.get("min_v_mem"),
        norm_input=params.get("norm_input"),
        weight=None if weight is None else array(weight["weight"]),
        bias=None if weight is None or weight.get("bias") is None else array(weight["bias"]),
        sinabs_membrane_reset=sinabs_membrane_reset,
    )


def unsqueezed(case, x):
    """(B*T, ...) -> (B, T, ...) for squeeze cases, else x."""
    params = case["layer"]["params"]
    if not case["layer"]["type"].endswith("Squeeze"):
        return x
    if params.get("batch_size"):
        return x.reshape(params["batch_size"], -1, *x.shape[1:])
    return x.reshape(-1, params["num_timesteps"], *x.shape[1:])
