"""A small, slow, obviously-correct numpy model of the neuron layers, used
as an independent check: for the deliberate differences from sinabs and to
find the membrane value behind a spike whose count is ambiguous.

Per step (sinabs 3.1.3, layers/functional): synaptic current, membrane,
spikes, reset, [ALIF: adaptation], min_v_mem clamp. float32 throughout.
"""
import numpy as np

F = np.float32


class NumpyNeuron:
    def __init__(self, kind, tau_mem=None, tau_syn=None, tau_adapt=None, adapt_scale=1.8,
                 spike_threshold=1.0, spike="multi", max_spikes=None, reset="subtract",
                 reset_value=0.0, subtract_value=None, min_v_mem=None, norm_input=None,
                 weight=None, bias=None, sinabs_membrane_reset=False):
        self.kind = kind
        self.alpha_mem = F(1.0) if kind == "IAF" else np.exp(F(-1.0) / F(tau_mem))
        self.alpha_syn = None if tau_syn is None else np.exp(F(-1.0) / F(tau_syn))
        self.alpha_adapt = None if tau_adapt is None else np.exp(F(-1.0) / F(tau_adapt))
        self.adapt_scale = F(adapt_scale)
        self.threshold = F(spike_threshold)
        self.spike = None if kind == "ExpLeak" else spike
        self.max_spikes = max_spikes
        self.reset = reset
        self.reset_value = F(reset_value)
        self.subtract_value = None if subtract_value is None else F(subtract_value)
        self.min_v_mem = None if min_v_mem is None else F(min_v_mem)
        if norm_input is None:
            norm_input = kind in ("LIF", "ALIF")
        self.norm_input = norm_input
        self.weight = None if weight is None else np.asarray(weight, F)
        self.bias = None if bias is None else np.asarray(bias, F)
        self.sinabs_membrane_reset = sinabs_membrane_reset

    def spikes_of(self, v, threshold):
        if self.spike == "single":
            return (v - threshold >= 0).astype(F)
        spikes = ((v > 0) * np.trunc(v / threshold)).astype(F)
        if self.spike == "max" and self.max_spikes is not None:
            spikes = np.minimum(spikes, F(self.max_spikes))
        return spikes

    def run(self, x, initial=None):
        """x: (B, T, ...). Returns dict: output, states, recordings, pre_spike,
        threshold_used (all float32 arrays)."""
        x = np.asarray(x, F)
        batch, time = x.shape[:2]
        shape = (batch,) + x.shape[2:]
        initial = initial or {}
        v = np.array(initial.get("v_mem", np.zeros(shape, F)), F)
        i_syn = np.array(initial.get("i_syn", np.zeros(shape, F)), F)
        b = np.array(initial.get("b", np.zeros(shape, F)), F)
        out = np.zeros_like(x)
        pre_spike = np.zeros_like(x)
        used = np.zeros_like(x)
        names = ["v_mem"] + (["i_syn"] if self.alpha_syn is not None else [])
        if self.kind == "ALIF":
            names += ["b", "spike_threshold"]
        rec = {name: np.zeros_like(x) for name in names}
        rec_in = np.zeros(shape, F)
        for t in range(time):
            step = x[:, t] + rec_in
            i_syn = self.alpha_syn * (i_syn + step) if self.alpha_syn is not None else step
            if self.kind == "ALIF":
                if self.norm_input:
                    i_syn = (F(1) - self.alpha_mem) * i_syn
                v = self.alpha_mem * v + i_syn
            else:
                drive = (F(1) - self.alpha_mem) * i_syn if self.norm_input else i_syn
                v = self.alpha_mem * v + drive
            threshold = self.threshold + self.adapt_scale * b if self.kind == "ALIF" else self.threshold
            pre_spike[:, t] = v
            used[:, t] = threshold
            if self.spike is None:
                spikes = v.copy()
            else:
                spikes = self.spikes_of(v, threshold)
                if self.reset == "subtract":
                    amount = threshold if self.subtract_value is None else self.subtract_value
                    v = v - spikes * amount
                elif self.sinabs_membrane_reset:  # sinabs: adds reset_value everywhere
                    v = v * (spikes == 0).astype(F) + self.reset_value
                else:  # the documented rule: reset only where a spike occurred
                    v = np.where(spikes > 0, self.reset_value, v).astype(F)
                if self.kind == "ALIF":
                    b = self.alpha_adapt * b + (F(1) - self.alpha_adapt) * spikes
            if self.min_v_mem is not None:
                v = np.maximum(v - self.min_v_mem, F(0)) + self.min_v_mem
            out[:, t] = spikes
            states = {"v_mem": v, "i_syn": i_syn, "b": b}
            if self.kind == "ALIF":
                states["spike_threshold"] = self.threshold + self.adapt_scale * b
            for name in names:
                rec[name][:, t] = states[name]
            if self.weight is not None:
                flat = spikes.reshape(batch, -1) @ self.weight.T
                if self.bias is not None:
                    flat = flat + self.bias
                rec_in = flat.reshape(shape).astype(F)
        states = {"v_mem": v, "i_syn": i_syn, "b": b}
        if self.kind == "ALIF":
            states["spike_threshold"] = self.threshold + self.adapt_scale * b
        return {"output": out, "states": {n: states[n] for n in names}, "recordings": rec,
                "pre_spike": pre_spike, "threshold_used": used}

    def ambiguous(self, v, threshold, tolerance=1e-5):
        """Could a last-bit difference flip the spike count at membrane v?"""
        if self.spike is None:
            return False
        if self.spike == "single":
            return abs(v - threshold) <= tolerance
        k = round(v / threshold)
        return k >= 1 and abs(v - k * threshold) <= tolerance
