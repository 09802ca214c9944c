"""`pip install ./bindings/python` from source: without swift it stops at once
with a message saying what to install; with a built library (SINABS_LIB_DIR,
as `make python` does) it installs without writing into the source tree."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "bindings" / "python"
LIBRARY_DIR = Path(os.environ.get("SINABS_LIB_DIR", REPO / "build" / "lib"))


def pip_install(target, env):
    return subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                           "--no-deps", "--target", str(target), str(PACKAGE)],
                          env=env, capture_output=True, text=True)


def test_without_swift_the_error_says_what_to_install(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SINABS_LIB_DIR", "SINABS_SOURCE_DIR")}
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    run = pip_install(tmp_path / "target", env)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert "`swift` is not on PATH" in output
    assert "Swift 6 toolchain" in output and "libopenblas-dev" in output
    assert "make wheel" in output  # the way that needs neither
    assert "No such file or directory" not in output


def untracked_files():
    return subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--ignored", "--",
                           "bindings/python"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not (LIBRARY_DIR / "libsinabs.so.0").exists(), reason="needs make lib first")
def test_install_from_a_built_library_leaves_the_source_tree_clean(tmp_path):
    before = untracked_files()
    env = dict(os.environ, SINABS_LIB_DIR=str(LIBRARY_DIR), SINABS_SOURCE_DIR=str(REPO))
    run = pip_install(tmp_path / "target", env)
    assert run.returncode == 0, run.stdout + run.stderr
    installed = tmp_path / "target" / "sinabs_swift"
    assert (installed / "libsinabs.so.0").exists()
    assert list(installed.glob("_native*.so"))
    assert untracked_files() == before
