"""sinabs_optimizer_options as ctypes sees it equals the C compiler's layout,
and a model trained through ctypes saves a file that the `safetensors`
package reads (when it is installed)."""
import ctypes
import subprocess

import numpy as np
import pytest

import sinabs_abi as abi


def test_optimizer_options_layout_matches_the_c_compiler(tmp_path, lib):
    fields = [name for name, _ in abi.OptimizerOptions._fields_]
    lines = "\n".join(f'  printf("%zu\\n", offsetof(sinabs_optimizer_options, {f}));' for f in fields)
    source = tmp_path / "offsets.c"
    source.write_text("#include <stddef.h>\n#include <stdio.h>\n#include \"sinabs.h\"\n"
                      "int main(void) {\n" + lines +
                      '\n  printf("%zu\\n", sizeof(sinabs_optimizer_options));\n  return 0;\n}\n')
    binary = tmp_path / "offsets"
    subprocess.run(["cc", "-std=c99", f"-I{abi.REPO / 'include'}", str(source), "-o", str(binary)], check=True)
    printed = [int(v) for v in subprocess.run([str(binary)], check=True, capture_output=True,
                                              text=True).stdout.split()]
    expected = [getattr(abi.OptimizerOptions, f).offset for f in fields] + [ctypes.sizeof(abi.OptimizerOptions)]
    assert printed == expected
    options = abi.OptimizerOptions()
    assert lib.sinabs_optimizer_options_init(ctypes.byref(options), abi.OPTIMIZER_SGD) == abi.OK
    assert options.struct_size == ctypes.sizeof(abi.OptimizerOptions)


def test_train_save_and_read_with_safetensors(tmp_path, lib):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    model = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_model_create(ctypes.byref(model)))
    linear = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_linear_layer_create(ctypes.byref(linear), 3, 2, 1))
    abi.check(lib, lib.sinabs_model_append(model, linear))
    abi.check(lib, lib.sinabs_model_append(model, abi.neuron_layer(lib, abi.LIF, tau_mem=4.0)))
    options = abi.OptimizerOptions()
    abi.check(lib, lib.sinabs_optimizer_options_init(ctypes.byref(options), abi.OPTIMIZER_SGD))
    options.lr = 0.1
    optimizer = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_optimizer_create(ctypes.byref(optimizer), model, ctypes.byref(options)))
    x = abi.tensor_from(lib, np.full((2, 5, 3), 0.8, np.float32))
    target = abi.tensor_from(lib, np.ones((2, 5, 2), np.float32))
    loss = ctypes.c_float()
    for _ in range(3):
        abi.check(lib, lib.sinabs_model_train_step(ctypes.byref(loss), model, optimizer, x, target, abi.LOSS_MSE))
    path = str(tmp_path / "m.safetensors").encode()
    abi.check(lib, lib.sinabs_model_save(model, path, 0))
    tensors = safetensors_numpy.load_file(path.decode())
    assert set(tensors) == {"0.weight", "0.bias", "1.tau_mem", "1.spike_threshold"}
    weight = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_model_get_parameter(ctypes.byref(weight), model, b"0.weight"))
    np.testing.assert_array_equal(tensors["0.weight"], abi.to_numpy(lib, weight))
    assert np.any(tensors["0.bias"] != 0), "training moved the bias"
    for handle in (weight, x, target):
        lib.sinabs_tensor_free(handle)
    lib.sinabs_layer_free(linear)
    lib.sinabs_optimizer_free(optimizer)
    lib.sinabs_model_free(model)
