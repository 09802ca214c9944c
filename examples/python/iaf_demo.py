"""A few lines of sinabs_swift: an IAF layer on random input, spike counts.

    python3 examples/python/iaf_demo.py
"""
import numpy as np

import sinabs_swift as ss

rng = np.random.default_rng(0)
batch, time, neurons = 4, 100, 8
x = (rng.random((batch, time, neurons), dtype=np.float32) * 0.5).astype(np.float32)

layer = ss.layers.IAF(spike_threshold=1.0, record_states=True)
spikes = np.asarray(layer(x))  # input read in place; output viewed, not copied

print(f"sinabs_swift {ss.__version__} (libsinabs {ss.library_version})")
print(f"input {x.shape}, total input per neuron {x.sum(axis=1).mean():.2f}")
print("spike counts per neuron (sample 0):", spikes[0].sum(axis=0).astype(int).tolist())
print(f"total spikes: {int(spikes.sum())}, firing rate: {layer.firing_rate:.4f}")
print("v_mem after the run (sample 0):", " ".join(f"{v:.3f}" for v in np.asarray(layer.v_mem)[0]))
