"""Builds sinabs_swift._native against libsinabs.

The extension links libsinabs.so.0, which is copied into the package and found
through rpath $ORIGIN, so the installed package needs nothing outside itself.
Where the library comes from:
  1. env SINABS_LIB_DIR: a folder holding libsinabs.so.0 (the Makefile's build/lib);
  2. otherwise `swift build -c release --product sinabs -Xswiftc -static-stdlib`
     in the source tree (env SINABS_SOURCE_DIR, else found by walking up from here),
     scratch folder env SINABS_SWIFT_SCRATCH or <root>/.build-pip.
"""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SONAME = "libsinabs.so.0"
SOURCES = ["_native.c", "errors.c", "tensor.c", "acquire.c", "layer.c", "model.c", "optimizer.c"]


def source_root() -> Path:
    """The libsinabs checkout: pip may build from a temporary copy of this folder."""
    env = os.environ.get("SINABS_SOURCE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [HERE, *HERE.parents]
    for folder in candidates:
        if (folder / "Package.swift").is_file() and (folder / "include" / "sinabs.h").is_file():
            return folder.resolve()
    raise RuntimeError(
        "cannot find the libsinabs sources (Package.swift, include/sinabs.h); "
        "set SINABS_SOURCE_DIR to the repository root"
    )


def built_library(root: Path) -> Path:
    lib_dir = os.environ.get("SINABS_LIB_DIR")
    if lib_dir:
        library = Path(lib_dir) / SONAME
        if not library.exists():
            raise RuntimeError(f"SINABS_LIB_DIR={lib_dir} holds no {SONAME}")
        return library.resolve()
    scratch = Path(os.environ.get("SINABS_SWIFT_SCRATCH", root / ".build-pip"))
    command = ["swift", "build", "-c", "release", "--scratch-path", str(scratch),
               "--product", "sinabs", "-Xswiftc", "-static-stdlib"]
    subprocess.run(command, cwd=root, check=True)
    bin_path = subprocess.run(command + ["--show-bin-path"], cwd=root, check=True,
                              capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / "libsinabs.so"


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
        super().run()


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
)
