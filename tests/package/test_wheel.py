"""The binary wheel (make wheel) in a clean venv, as a user without Swift gets
it: a new venv without system site-packages, numpy from pip (its cache), the
wheel installed with --no-index, then run on a PATH without swift and without
LD_LIBRARY_PATH. The layer's numbers are checked, and OpenBLAS must be loaded
from the wheel, not from the system.

The wheel comes from $SINABS_WHEEL_DIR (make test-package builds it first);
without it the test runs `make wheel` itself."""
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Runs inside the clean venv: prints nothing on success, raises otherwise.
CHECK = r'''
import os, sys
import numpy as np
import sinabs_swift as ss
assert os.path.realpath(ss.__file__).startswith(os.path.realpath(sys.prefix)), ss.__file__

# IAF: a constant 0.25 per step crosses the threshold 1.0 every 4th step.
layer = ss.layers.IAF()
x = np.full((2, 12, 3), 0.25, dtype=np.float32)
spikes = np.asarray(layer(x))
expected = np.zeros_like(x)
expected[:, 3::4, :] = 1
assert np.array_equal(spikes, expected), spikes[0, :, 0]
assert layer.firing_rate == 0.25

# LIF (tau_mem=2, norm_input): v = a v + (1 - a) x with a = exp(-1/2).
lif = ss.layers.LIF(tau_mem=2.0, spike_threshold=10.0)
out = np.asarray(lif(np.ones((1, 3, 1), np.float32)))
a = np.float32(np.exp(-0.5))
v = np.float32(0)
for _ in range(3):
    v = a * v + (np.float32(1) - a) * np.float32(1)
assert not out.any() and abs(float(np.asarray(lif.v_mem)[0, 0]) - float(v)) < 1e-6

# Linear through the wheel's OpenBLAS, seeded like C and Swift.
ss.manual_seed(42)
linear = ss.Linear(3, 2)
w = np.asarray(linear.weight).ravel().tolist()
assert w[0] == float.fromhex("-0x1.729668p-3"), w
y = np.asarray(linear(np.eye(3, dtype=np.float32)))
assert np.allclose(y, np.asarray(linear.weight).T + np.asarray(linear.bias))

maps = open("/proc/self/maps").read()
blas = {line.split()[-1] for line in maps.splitlines() if "openblas" in line}
assert any("sinabs_swift.libs" in path for path in blas), blas      # ours
assert not any(path.startswith(("/usr", "/lib")) for path in blas), blas  # not the system's

# A .nir file written and read back through the wheel's own libhdf5.
import tempfile
model = ss.Sequential(ss.Linear(3, 2), ss.layers.IAFSqueeze(batch_size=1))
path = os.path.join(tempfile.mkdtemp(), "net.nir")
model.save_nir(path, (3,))
copy = ss.Sequential.load_nir(path, batch_size=1)
x = np.ones((4, 3), np.float32)
assert np.array_equal(np.asarray(copy(x)), np.asarray(model(x)))
maps = open("/proc/self/maps").read()
hdf5 = {line.split()[-1] for line in maps.splitlines() if "hdf5" in line}
assert hdf5 and all("sinabs_swift.libs" in path for path in hdf5), hdf5
print("ok", ss.library_version)
'''


def wheel_path() -> Path:
    folder = os.environ.get("SINABS_WHEEL_DIR")
    if not folder:
        subprocess.run(["make", "-C", str(REPO), "wheel", f"PYTHON={sys.executable}"], check=True)
        folder = str(REPO / "build" / "wheel")
    wheels = glob.glob(os.path.join(folder, "sinabs_swift-*.whl"))
    assert len(wheels) == 1, wheels
    return Path(wheels[0])


def test_wheel_installs_and_runs_in_a_clean_venv_without_swift(tmp_path):
    wheel = wheel_path()
    assert "manylinux" in wheel.name
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["install", "numpy"], check=True)

    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assert shutil.which("swift", path=env["PATH"]) is None
    start = time.perf_counter()
    subprocess.run(pip + ["install", "--no-index", str(wheel)], check=True, env=env)
    install_seconds = time.perf_counter() - start
    run = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok ")
    size_mb = wheel.stat().st_size / 1e6
    print(f"\nwheel {wheel.name}: {size_mb:.1f} MB, pip install {install_seconds:.1f} s")
    assert install_seconds < 60


def test_the_venv_really_is_clean(tmp_path):
    """No system site-packages: sinabs_swift is importable only after the install."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    run = subprocess.run([str(venv / "bin" / "python"), "-c", "import sinabs_swift"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode != 0 and "No module named 'sinabs_swift'" in run.stderr
