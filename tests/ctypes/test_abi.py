"""The shared object's ABI surface: exactly the header's functions exported,
the soname, a header that compiles as strict C99 and as C++, and a working
pkg-config file. SINABS_LIBRARY is <build>/lib/libsinabs.so.0."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import sinabs_abi as abi

LIBRARY = Path(abi.library_path())
BUILD = LIBRARY.resolve().parent.parent


def run(*command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def test_exported_symbols_are_exactly_the_header_functions():
    lines = run("nm", "-D", "--defined-only", str(LIBRARY)).stdout.splitlines()
    exported = {parts[2] for parts in (line.split() for line in lines)
                if len(parts) == 3 and parts[1].isupper()}
    declared = set(abi.header_functions())
    assert exported - declared == set(), "exported but not in sinabs.h"
    assert declared - exported == set(), "declared in sinabs.h but not exported"
    print(f"{len(exported)} exported symbols")


def test_soname():
    dynamic = run("readelf", "-d", str(LIBRARY)).stdout
    assert re.search(r"\(SONAME\)\s+Library soname: \[libsinabs\.so\.0\]", dynamic)
    assert LIBRARY.name == "libsinabs.so.0" or LIBRARY.resolve().name.startswith("libsinabs.so.0")


@pytest.mark.parametrize("command", [
    ["cc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", "c"],
    ["cc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", "c"],
    ["g++", "-std=c++11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", "c++"],
    ["g++", "-std=c++17", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", "c++"],
])
def test_header_compiles_cleanly(command, tmp_path):
    # Included twice: the guard must hold; used once so nothing is unused.
    source = tmp_path / "use_header.txt"
    source.write_text('#include "sinabs.h"\n#include "sinabs.h"\n'
                      "int main(void) { sinabs_neuron_options o; o.struct_size = 0;\n"
                      "  return (int)o.struct_size + (sinabs_version_number() > 0 ? 0 : 1); }\n")
    run(*command, f"-I{abi.REPO / 'include'}", str(source))


def test_pkg_config_builds_and_runs_a_program(tmp_path):
    pc_dir = BUILD / "lib" / "pkgconfig"
    assert (pc_dir / "sinabs.pc").exists()
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_dir))
    flags = run("pkg-config", "--cflags", "--libs", "sinabs", env=env).stdout.split()
    assert any(f.startswith("-I") for f in flags) and "-lsinabs" in flags
    source = tmp_path / "hello.c"
    source.write_text('#include <stdio.h>\n#include <sinabs.h>\n'
                      'int main(void) { printf("%s\\n", sinabs_version_string());\n'
                      "  return sinabs_version_number() == SINABS_VERSION_NUMBER ? 0 : 1; }\n")
    binary = tmp_path / "hello"
    libdir = next(f[2:] for f in flags if f.startswith("-L"))
    run("cc", "-std=c99", "-Wall", "-Werror", str(source), "-o", str(binary), *flags, f"-Wl,-rpath,{libdir}")
    assert run(str(binary)).stdout.strip() == abi.load().sinabs_version_string().decode()
