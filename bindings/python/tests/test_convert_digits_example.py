"""examples/python/convert_digits.py: the converted SNN is within 2 points of
the ANN, synops are reported, and the saved SNN loads back and runs; its .nir
file runs from C (examples/c/run_nir_digits.c) to the same test accuracy."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sinabs_swift as ss
from conftest import REPO_ROOT


def test_convert_digits_example(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    model, nir_file = tmp_path / "snn.safetensors", tmp_path / "snn.nir"
    run = subprocess.run([sys.executable, str(REPO_ROOT / "examples/python/convert_digits.py"), str(model),
                          "--nir", str(nir_file)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"ANN accuracy ([\d.]+)%  SNN accuracy ([\d.]+)%", run.stdout)
    ann, snn = float(found.group(1)), float(found.group(2))
    assert ann >= 85 and snn >= ann - 2
    assert float(re.search(r"per sample: (\d+)", run.stdout).group(1)) > 0
    loaded = ss.Sequential.load(model)
    out = np.asarray(loaded(np.ones((32 * 4, 1, 8, 8), np.float32)))
    assert out.shape == (32 * 4, 10)

    run_nir_example_from_c(tmp_path, nir_file, snn)


def run_nir_example_from_c(tmp_path, nir_file, python_accuracy):
    """examples/c/run_nir_digits.c, built against the library of this checkout
    (build/lib), loads the .nir file and prints the Python SNN's accuracy."""
    library = REPO_ROOT / "build" / "lib"
    compiler = os.environ.get("CC", "cc")
    if not (library / "libsinabs.so.0").exists() or shutil.which(compiler) is None:
        pytest.skip("needs build/lib/libsinabs.so.0 (make lib) and a C compiler")
    digits, program = tmp_path / "digits.bin", tmp_path / "run_nir_digits"
    subprocess.run([sys.executable, str(REPO_ROOT / "examples/export_digits.py"), str(digits)], check=True,
                   capture_output=True)
    subprocess.run([compiler, "-std=c99", "-O2", str(REPO_ROOT / "examples/c/run_nir_digits.c"), "-I",
                    str(REPO_ROOT / "include"), "-L", str(library), "-lsinabs", f"-Wl,-rpath,{library}", "-lm",
                    "-o", str(program)], check=True)
    run = subprocess.run([str(program), str(digits), str(nir_file), f"{python_accuracy:.2f}"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"NIR SNN accuracy from C: {python_accuracy:.2f}%" in run.stdout
