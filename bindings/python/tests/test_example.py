"""examples/python/iaf_demo.py runs and prints consistent spike counts."""
import re
import subprocess
import sys

from conftest import REPO_ROOT


def test_iaf_demo_runs():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "examples/python/iaf_demo.py")],
                            capture_output=True, text=True, check=True, timeout=60)
    counts = re.search(r"spike counts per neuron \(sample 0\): \[(.*)\]", result.stdout)
    total = re.search(r"total spikes: (\d+)", result.stdout)
    assert counts and total, result.stdout
    per_neuron = [int(c) for c in counts.group(1).split(",")]
    assert len(per_neuron) == 8 and all(c > 0 for c in per_neuron)
    assert sum(per_neuron) <= int(total.group(1))
