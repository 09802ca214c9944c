"""examples/python/convert_digits.py: the converted SNN is within 2 points of
the ANN, synops are reported, and the saved SNN loads back and runs."""
import re
import subprocess
import sys

import numpy as np
import pytest

import sinabs_swift as ss
from conftest import REPO_ROOT


def test_convert_digits_example(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    model = tmp_path / "snn.safetensors"
    run = subprocess.run([sys.executable, str(REPO_ROOT / "examples/python/convert_digits.py"), str(model)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"ANN accuracy ([\d.]+)%  SNN accuracy ([\d.]+)%", run.stdout)
    ann, snn = float(found.group(1)), float(found.group(2))
    assert ann >= 85 and snn >= ann - 2
    assert float(re.search(r"per sample: (\d+)", run.stdout).group(1)) > 0
    loaded = ss.Sequential.load(model)
    out = np.asarray(loaded(np.ones((32 * 4, 1, 8, 8), np.float32)))
    assert out.shape == (32 * 4, 10)
