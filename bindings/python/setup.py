"""Builds sinabs_swift._native against libsinabs.

The extension links libsinabs.so.0, which is copied into the package and found
through rpath $ORIGIN, so the installed package needs nothing outside itself.
Where the library comes from:
  1. env SINABS_LIB_DIR: a folder holding libsinabs.so.0 (the Makefile's build/lib);
  2. otherwise `swift build -c release --product sinabs -Xswiftc -static-stdlib`
     in the source tree (env SINABS_SOURCE_DIR, else found by walking up from here),
     in a scratch folder outside the source tree: env SINABS_SWIFT_SCRATCH (kept,
     so a second install rebuilds only what changed), else a temporary folder
     removed afterwards.
Everything setuptools writes (build/, egg-info) goes to a temporary folder too.

pip shows a build's output only with -v, so the phases and swift's progress
also go to the terminal (/dev/tty) when there is one; SINABS_QUIET=1 stops that.
"""
import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SONAME = "libsinabs.so.0"
SOURCES = ["_native.c", "errors.c", "tensor.c", "acquire.c", "layer.c", "model.c", "connection.c", "optimizer.c", "convert.c", "encode.c"]
SWIFT_MISSING = """
sinabs-swift: building from source needs the Swift toolchain, and `swift` is not on PATH.
  Install a Swift 6 toolchain (6.3 or newer, https://www.swift.org/install/linux/) and
  OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev pkg-config), then retry;
  or install the prebuilt wheel, which needs neither: `make wheel` in a libsinabs checkout
  writes build/wheel/sinabs_swift-*.whl, then `pip install build/wheel/sinabs_swift-*.whl`;
  or point SINABS_LIB_DIR at a folder holding a built libsinabs.so.0 (`make lib`: build/lib).
"""
OPENBLAS_MISSING = """
sinabs-swift: OpenBLAS (cblas.h, libopenblas.so) is not installed; the Swift build needs it.
  Debian/Ubuntu: apt-get install libopenblas-dev pkg-config
"""


def temporary_folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder


class Progress:
    """Phase messages to stderr (pip -v shows it) and to the terminal, if any."""

    def __init__(self):
        self.tty = None
        if os.environ.get("SINABS_QUIET") != "1":
            try:
                self.tty = open("/dev/tty", "w")
            except OSError:
                self.tty = None

    def say(self, message: str) -> None:
        print(f"sinabs-swift: {message}", file=sys.stderr, flush=True)
        if self.tty:
            self.tty.write(f"\rsinabs-swift: {message}\x1b[K\n")
            self.tty.flush()

    def step(self, line: str) -> None:
        """One line of swift's output: all of it to stderr, its [n/m] steps to the terminal."""
        print(line, file=sys.stderr, flush=True)
        if self.tty and re.match(r"\[\d+/\d+\]", line):
            self.tty.write(f"\r  swift {line[:100]}\x1b[K")
            self.tty.flush()


PROGRESS = Progress()


def source_root() -> Path:
    """The libsinabs checkout: pip may build from a temporary copy of this folder."""
    env = os.environ.get("SINABS_SOURCE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [HERE, *HERE.parents]
    for folder in candidates:
        if (folder / "Package.swift").is_file() and (folder / "include" / "sinabs.h").is_file():
            return folder.resolve()
    raise SystemExit(
        "sinabs-swift: cannot find the libsinabs sources (Package.swift, include/sinabs.h) above "
        f"{HERE}; set SINABS_SOURCE_DIR to the repository root, or install the prebuilt wheel"
    )


def check_build_tools() -> None:
    if shutil.which("swift") is None:
        raise SystemExit(SWIFT_MISSING)
    pkg_config = shutil.which("pkg-config")
    if pkg_config and subprocess.run([pkg_config, "--exists", "openblas"]).returncode != 0:
        raise SystemExit(OPENBLAS_MISSING)


def swift_build(root: Path) -> Path:
    """Builds libsinabs.so with swift; returns its path."""
    check_build_tools()
    env = dict(os.environ)
    if os.environ.get("SINABS_SWIFT_SCRATCH"):
        scratch = Path(os.environ["SINABS_SWIFT_SCRATCH"])
    else:
        # swift also leaves lock files in $TMPDIR: keep them in the folder removed afterwards.
        folder = temporary_folder("sinabs-swift-build-")
        scratch = folder / "swift"
        env["TMPDIR"] = str(folder)
    command = ["swift", "build", "-c", "release", "--scratch-path", str(scratch),
               "--product", "sinabs", "-Xswiftc", "-static-stdlib"]
    PROGRESS.say(f"building libsinabs with swift in {scratch} (about 2 minutes on 2 cores) ...")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        PROGRESS.step(line.rstrip())
    if process.wait() != 0:
        raise SystemExit(f"sinabs-swift: `{' '.join(command)}` failed (exit {process.returncode}); "
                         "its output is above (pip install -v shows it)")
    bin_path = subprocess.run(command + ["--show-bin-path"], cwd=root, env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    PROGRESS.say("libsinabs built")
    return Path(bin_path) / "libsinabs.so"


def built_library(root: Path) -> Path:
    lib_dir = os.environ.get("SINABS_LIB_DIR")
    if lib_dir:
        library = Path(lib_dir) / SONAME
        if not library.exists():
            raise SystemExit(f"sinabs-swift: SINABS_LIB_DIR={lib_dir} holds no {SONAME} (make lib builds one)")
        PROGRESS.say(f"using the built {library}")
        return library.resolve()
    return swift_build(root)


class BuildWithLibsinabs(build_ext):
    def run(self):
        root = source_root()
        library = built_library(root)
        extension = self.extensions[0]
        extension.include_dirs.append(str(root / "include"))
        # The package folder inside build_lib: the extension and the library sit together.
        package_dir = Path(self.build_lib) / "sinabs_swift"
        package_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library, package_dir / SONAME)
        link_dir = Path(self.build_temp) / "libsinabs"
        link_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library, link_dir / SONAME)
        # Link by soname (-l:libsinabs.so.0) so DT_NEEDED names the file we ship.
        extension.library_dirs.append(str(link_dir))
        extension.extra_link_args += [f"-l:{SONAME}", "-Wl,-rpath,$ORIGIN"]
        if self.inplace:
            shutil.copyfile(library, HERE / "src" / "sinabs_swift" / SONAME)
        PROGRESS.say("compiling the Python extension sinabs_swift._native")
        super().run()


# Say what is missing before setuptools prints anything (pip shows a failed
# step's whole output, and this step's is short).
if not os.environ.get("SINABS_LIB_DIR"):
    check_build_tools()

# setuptools' build/ and egg-info folders: outside the source tree as well.
OUT_OF_TREE = temporary_folder("sinabs-swift-setuptools-")

setup(
    ext_modules=[
        Extension(
            "sinabs_swift._native",
            sources=[f"src/sinabs_swift/{name}" for name in SOURCES],
            depends=["src/sinabs_swift/native.h", "src/sinabs_swift/dlpack_abi.h"],
            extra_compile_args=["-std=c11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter",
                                "-Wno-missing-field-initializers", "-Wno-cast-function-type"],
        )
    ],
    cmdclass={"build_ext": BuildWithLibsinabs},
    options={"build": {"build_base": str(OUT_OF_TREE / "build")},
             "egg_info": {"egg_base": str(OUT_OF_TREE)}},
)
