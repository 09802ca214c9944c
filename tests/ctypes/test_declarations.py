"""The ctypes declarations match include/sinabs.h: every function, its
parameter count, and the layout of sinabs_neuron_options as the C compiler
sees it."""
import ctypes
import subprocess

import pytest

import sinabs_abi as abi


def test_every_header_function_is_declared_with_its_parameter_count():
    header = abi.header_functions()
    assert len(header) >= 45
    assert set(header) == set(abi.SIGNATURES), "header and ctypes table differ"
    wrong = {n: (count, len(abi.SIGNATURES[n][1])) for n, count in header.items()
             if count != len(abi.SIGNATURES[n][1])}
    assert wrong == {}


def test_every_declared_function_resolves(lib):
    for name in abi.SIGNATURES:
        assert getattr(lib, name).argtypes is not None


@pytest.mark.parametrize("model", [abi.IAF, abi.LIF, abi.EXPLEAK, abi.ALIF])
def test_options_struct_size_matches_what_init_writes(lib, model):
    options = abi.NeuronOptions()
    assert lib.sinabs_neuron_options_init(ctypes.byref(options), model) == abi.OK
    assert ctypes.sizeof(abi.NeuronOptions) == options.struct_size
    assert options.model == model


def test_options_field_offsets_match_the_c_compiler(tmp_path):
    fields = [name for name, _ in abi.NeuronOptions._fields_]
    lines = "\n".join(f'  printf("%zu\\n", offsetof(sinabs_neuron_options, {f}));' for f in fields)
    source = tmp_path / "offsets.c"
    source.write_text("#include <stddef.h>\n#include <stdio.h>\n#include \"sinabs.h\"\n"
                      "int main(void) {\n" + lines +
                      '\n  printf("%zu\\n", sizeof(sinabs_neuron_options));\n  return 0;\n}\n')
    binary = tmp_path / "offsets"
    subprocess.run(["cc", "-std=c99", f"-I{abi.REPO / 'include'}", str(source), "-o", str(binary)],
                   check=True)
    printed = [int(v) for v in subprocess.run([str(binary)], check=True, capture_output=True,
                                              text=True).stdout.split()]
    expected = [getattr(abi.NeuronOptions, f).offset for f in fields] + [ctypes.sizeof(abi.NeuronOptions)]
    assert printed == expected


def test_every_header_function_is_called_by_a_c_test():
    c_tests = "".join(p.read_text() for p in (abi.REPO / "tests" / "c").glob("*.[ch]"))
    untested = [name for name in abi.header_functions() if name + "(" not in c_tests]
    assert untested == [], "add C tests (tests/c) for these new functions"
