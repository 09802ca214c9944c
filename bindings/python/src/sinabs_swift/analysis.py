"""Synaptic operations and firing rates: ``SNNAnalyzer``, as sinabs'.

    analyzer = sinabs_swift.SNNAnalyzer(model, dt=1.0)
    model(x)
    analyzer.get_layer_statistics()   # {"spiking": {"1": {...}}, "parameter": {"0": {...}}}
    analyzer.get_model_statistics()   # {"firing_rate", "synops", "n_spiking_neurons"}

Statistics are gathered inside libsinabs during every forward of the model
(cheap enough to leave on). Only spiking layers (IAF, LIF, ALIF) count as
spiking; ExpLeak does not. Unlike sinabs, the layer entries hold no
``input``/``output`` tensors (keep the model's output yourself).
"""
import json

import numpy as np

from . import _native


class SNNAnalyzer:
    """Statistics of `model`'s forwards (a sinabs_swift.Sequential).

    Args:
        model: the model; every later forward is recorded.
        dt: milliseconds per time step, for SynOps/s.
    """

    def __init__(self, model, dt: float = 1.0) -> None:
        native = getattr(model, "native", model)
        self.model = model
        self.dt = float(dt)
        self._analyzer = _native.analyzer_create(native, self.dt)

    def _statistics(self, average):
        return json.loads(_native.analyzer_json(self._analyzer, bool(average)))

    def get_layer_statistics(self, average: bool = False) -> dict:
        """{"spiking": {index: {"n_neurons", "firing_rate", "firing_rate_per_neuron"}},
        "parameter": {index: {"synops", "num_timesteps", "time_window", "SynOps/s",
        "synops/s"}}}, indices as strings like sinabs' module names; per-neuron
        rates as numpy arrays of one step's shape. With `average`, means over
        every forward since the last reset."""
        stats = self._statistics(average)
        for entry in stats["spiking"].values():
            per_neuron = entry["firing_rate_per_neuron"]
            entry["firing_rate_per_neuron"] = np.asarray(per_neuron["data"], dtype=np.float32).reshape(per_neuron["shape"])
        for entry in stats["parameter"].values():
            for key in ("SynOps/s", "synops/s"):
                if entry[key] is None:
                    entry[key] = float("inf")
        return {"spiking": stats["spiking"], "parameter": stats["parameter"]}

    def get_model_statistics(self, average: bool = False) -> dict:
        """{"firing_rate", "synops", "n_spiking_neurons"} as sinabs (the synops
        without the AvgPool correction of the layer statistics)."""
        model = self._statistics(average)["model"]
        if model["firing_rate"] is None:
            model["firing_rate"] = float("nan")
        return model

    def reset(self) -> None:
        """Forget the forwards recorded so far."""
        _native.analyzer_reset(self._analyzer)


__all__ = ["SNNAnalyzer"]
