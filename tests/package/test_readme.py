"""The README's code runs as written: every ```python block in a fresh
interpreter, every ```c block compiled and run after the README's own
`make install` + pkg-config lines, every ```swift program built by SwiftPM in
a package that depends on this checkout with the README's `.product` line."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def numbers_after(label, text):
    return [float(v) for v in re.findall(rf"{label} ([0-9.]+)", text)]


def test_the_readme_has_code_in_each_language():
    assert len(blocks("python")) >= 2 and len(blocks("c")) == 1 and len(blocks("swift")) >= 2


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_block_runs(index, tmp_path):
    code = blocks("python")[index]
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    if "firing rate" in code:  # the layer must actually spike
        rates = numbers_after("firing rate", run.stdout)
        assert rates and all(rate > 0 for rate in rates), run.stdout


def test_c_block_builds_with_the_install_lines_and_spikes(tmp_path):
    (tmp_path / "lif.c").write_text(blocks("c")[0])
    install = next(b for b in blocks("sh") if "make install PREFIX" in b)
    # As a user would type it in a clone: make runs in the repository, the
    # rest in the folder holding lif.c; $HOME is a fresh folder.
    script = install.replace("make install", f"make -C {REPO} install")
    env = dict(os.environ, HOME=str(tmp_path))
    env.pop("LD_LIBRARY_PATH", None)
    run = subprocess.run(["bash", "-euc", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / ".local" / "lib" / "pkgconfig" / "sinabs.pc").exists()
    rates = numbers_after("firing rate", run.stdout)
    assert rates and rates[0] > 0, run.stdout
    # The LD_LIBRARY_PATH alternative the README gives, for a binary without the rpath.
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "sinabs"], env=dict(
        env, PKG_CONFIG_PATH=str(tmp_path / ".local/lib/pkgconfig")), capture_output=True,
        text=True, check=True).stdout.split()
    subprocess.run(["cc", "lif.c", *flags, "-o", "lif_plain"], cwd=tmp_path, check=True)
    plain = subprocess.run(["./lif_plain"], cwd=tmp_path, capture_output=True, text=True,
                           env=dict(env, LD_LIBRARY_PATH=str(tmp_path / ".local/lib")))
    assert plain.returncode == 0 and plain.stdout == run.stdout.splitlines()[-1] + "\n"


def test_swift_program_builds_against_the_readme_package_lines():
    manifest = next(b for b in blocks("swift") if ".package(" in b)
    product = re.search(r"\.product\(name: \"SinabsCore\", package: \"(\w+)\"\)", manifest)
    assert product and '.package(path: "../libsinabs")' in manifest
    program = next(b for b in blocks("swift") if "import SinabsCore" in b)
    # A persistent folder, so that a second run only relinks.
    work = REPO / "build" / "readme-swift"
    app = work / "app"
    (app / "Sources" / "App").mkdir(parents=True, exist_ok=True)
    link = work / product.group(1)
    if not link.exists():
        link.symlink_to(REPO)
    (app / "Package.swift").write_text(
        "// swift-tools-version:6.0\nimport PackageDescription\n"
        "let package = Package(name: \"App\",\n"
        f"  dependencies: [.package(path: \"../{product.group(1)}\")],\n"
        f"  targets: [.executableTarget(name: \"App\", dependencies: [{product.group(0)}])])\n")
    (app / "Sources" / "App" / "main.swift").write_text(program)
    run = subprocess.run(["swift", "run", "--scratch-path", str(work / "scratch"), "App"],
                         cwd=app, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    total = re.search(r"spikes \[2, 50, 4\]: ([0-9.]+) in total", run.stdout)
    assert total and float(total.group(1)) > 0, run.stdout
