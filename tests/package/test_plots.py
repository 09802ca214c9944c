"""The picture examples (make demo) write real PNGs, and the neuron plot shows
what it claims: the numbers it draws come from the layer."""
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "python"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(name, *arguments):
    return subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, arguments)],
                          capture_output=True, text=True, timeout=300, check=True).stdout


def assert_png(path, min_width):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    width = int.from_bytes(data[16:20], "big")
    assert width >= min_width and len(data) > 20_000


def test_plot_neuron_writes_a_png(tmp_path):
    out = tmp_path / "neuron.png"
    printed = run_example("plot_neuron.py", "--out", out)
    assert f"wrote {out}" in printed
    assert_png(out, 1000)


def test_plot_neuron_draws_the_threshold_each_step_compared_with():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import plot_neuron
    finally:
        sys.path.pop(0)
    import sinabs_swift as ss
    current = plot_neuron.input_current(300)
    for layer in (ss.layers.LIF(tau_mem=20.0, record_states=True),
                  ss.layers.ALIF(tau_mem=20.0, tau_adapt=50.0, adapt_scale=10.0, record_states=True)):
        spikes, before_reset, threshold = plot_neuron.run(layer, current)
        assert 3 <= spikes.sum() <= 40
        fired = spikes > 0
        # SingleSpike/MultiSpike: a step fires exactly when v >= its threshold.
        assert np.all(before_reset[fired] >= threshold[fired])
        assert np.all(before_reset[~fired] < threshold[~fired])


def test_plot_digits_raster_trains_and_writes_a_png(tmp_path):
    out = tmp_path / "raster.png"
    printed = run_example("plot_digits_raster.py", "--out", out, "--epochs", "2")
    accuracy = float(printed.split("test accuracy ")[1].split("%")[0])
    assert accuracy > 50
    assert_png(out, 1000)
