"""examples/python/train_digits_numpy.py (numpy only) trains to >= 90% and
its saved model loads back with the same test accuracy."""
import re
import subprocess
import sys

from conftest import REPO_ROOT


def test_numpy_example_trains_saves_and_evaluates(tmp_path):
    data, model = tmp_path / "digits.bin", tmp_path / "digits.safetensors"
    subprocess.run([sys.executable, str(REPO_ROOT / "examples/export_digits.py"), str(data)], check=True,
                   capture_output=True, timeout=60)
    example = str(REPO_ROOT / "examples/python/train_digits_numpy.py")
    trained = subprocess.run([sys.executable, example, str(data), str(model)], capture_output=True, text=True,
                             timeout=120)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    epochs = re.findall(r"epoch +(\d+) +loss ([\d.]+) +test accuracy +([\d.]+)%", trained.stdout)
    assert len(epochs) == 15
    assert float(epochs[-1][1]) < float(epochs[0][1]) / 5
    final = float(re.search(r"final test accuracy ([\d.]+)%", trained.stdout).group(1))
    assert final >= 90
    evaluated = subprocess.run([sys.executable, example, str(data), "--evaluate", str(model)], capture_output=True,
                               text=True, timeout=60)
    assert evaluated.returncode == 0, evaluated.stderr
    assert float(re.search(r"test accuracy ([\d.]+)%", evaluated.stdout).group(1)) >= 90
