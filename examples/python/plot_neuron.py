"""Plot what a neuron does: input current, membrane potential, threshold and
spikes over time, for a LIF neuron (fixed threshold) and an ALIF neuron
(the threshold rises with each spike and decays back).

    python3 examples/python/plot_neuron.py [--out build/demo/neuron.png]

Needs numpy and matplotlib (pip install "sinabs-swift[examples]").
"""
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sinabs_swift as ss  # noqa: E402


def input_current(steps=300, seed=0):
    """A slow wave plus noise, (1, steps, 1) float32: strong enough to fire
    in its peaks, too weak in its troughs."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    current = 1.3 + 0.9 * np.sin(2 * np.pi * t / 150) + 0.25 * rng.standard_normal(steps)
    return current.astype(np.float32).reshape(1, steps, 1)


def run(layer, current, base_threshold=1.0):
    """Spikes, the membrane potential before the reset and the threshold that
    each step compared it with, for one neuron, as 1-d arrays."""
    spikes = np.asarray(layer(current))[0, :, 0]
    recorded = {name: np.asarray(value)[0, :, 0] for name, value in layer.recordings.items()}
    # ALIF records its threshold after each step's adaptation: step t compared
    # v_mem with the one recorded at t - 1 (the base threshold at t = 0).
    adaptive = recorded.get("spike_threshold")
    threshold = np.full_like(spikes, base_threshold)
    if adaptive is not None:
        threshold[1:] = adaptive[:-1]
    # The recording holds v_mem after the reset; adding back what the reset
    # subtracted (spikes * threshold) gives the potential that crossed it.
    before_reset = recorded["v_mem"] + spikes * threshold
    return spikes, before_reset, threshold


def plot(path, steps=300):
    current = input_current(steps)
    layers = {
        "LIF (tau_mem=20)": ss.layers.LIF(tau_mem=20.0, record_states=True),
        "ALIF (tau_mem=20, tau_adapt=50, adapt_scale=10)": ss.layers.ALIF(
            tau_mem=20.0, tau_adapt=50.0, adapt_scale=10.0, record_states=True),
    }
    figure, axes = plt.subplots(3, 2, figsize=(12, 7), sharex=True,
                                gridspec_kw={"height_ratios": [1, 2, 0.6]})
    t = np.arange(steps)
    for column, (title, layer) in enumerate(layers.items()):
        spikes, v_mem, threshold = run(layer, current)
        top, middle, bottom = axes[:, column]
        top.plot(t, current[0, :, 0], color="tab:gray", lw=1)
        top.set_title(title)
        top.set_ylabel("input current")
        middle.plot(t, v_mem, color="tab:blue", lw=1.2, label="membrane potential (before reset)")
        middle.plot(t, threshold, color="tab:red", lw=1.5, ls="--", label="threshold")
        fired = np.nonzero(spikes)[0]
        middle.plot(fired, v_mem[fired], "v", color="black", ms=5, label="spike")
        middle.set_ylabel("v_mem")
        bottom.vlines(fired, 0, spikes[fired], color="black", lw=1.5)
        bottom.set_ylim(0, max(1.5, spikes.max() + 0.5))
        bottom.set_ylabel("spikes")
        bottom.set_xlabel("time step")
        bottom.text(0.01, 0.75, f"{int(spikes.sum())} spikes", transform=bottom.transAxes, fontsize=9)
    figure.suptitle("sinabs_swift neurons driven by the same input current")
    figure.legend(*axes[1, 1].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=9)
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/demo/neuron.png"))
    arguments = parser.parse_args()
    plot(arguments.out)
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
