"""The IAF reference cases of the real sinabs (forward, states, recordings,
firing rate, input gradient), reproduced through ctypes."""
import ctypes
import json
import os

import numpy as np
import pytest

import sinabs_abi as abi


def reference_dir():
    return os.environ.get("SINABS_REFERENCE_DIR") or str(abi.REPO / "tests" / "reference" / "cases")


def load_case(name):
    with open(os.path.join(reference_dir(), name + ".json")) as f:
        return json.load(f)


def array(entry):
    return np.asarray(entry["data"], dtype=np.float32).reshape(entry["shape"])


@pytest.mark.parametrize("name", ["iaf_default", "iaf_5d"])
def test_iaf_reference_case(lib, name):
    case = load_case(name)
    assert case["layer"]["type"] == "IAF"
    params = case["layer"]["params"]
    layer = abi.neuron_layer(lib, abi.IAF, record_states=int(params.get("record_states", False)))
    abi.check(lib, lib.sinabs_layer_set_training(layer, 1))
    x = abi.tensor_from(lib, array(case["input"]))
    y = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_layer_forward(ctypes.byref(y), layer, x))

    np.testing.assert_array_equal(abi.to_numpy(lib, y), array(case["output"]))
    v_mem = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_layer_get_state(ctypes.byref(v_mem), layer, b"v_mem"))
    np.testing.assert_allclose(abi.to_numpy(lib, v_mem), array(case["state_after"]["v_mem"]),
                               rtol=1e-4, atol=1e-5)
    recording = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_layer_get_recording(ctypes.byref(recording), layer, b"v_mem"))
    np.testing.assert_allclose(abi.to_numpy(lib, recording), array(case["recordings"]["v_mem"]),
                               rtol=1e-4, atol=1e-5)
    rate = ctypes.c_float()
    abi.check(lib, lib.sinabs_layer_firing_rate(ctypes.byref(rate), layer))
    assert rate.value == pytest.approx(case["firing_rate"], rel=1e-4, abs=1e-5)

    # Backward through the training forward: sinabs' input gradient.
    upstream = abi.tensor_from(lib, array(case["upstream_grad"]))
    grad_input = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_layer_backward(ctypes.byref(grad_input), layer, upstream))
    np.testing.assert_allclose(abi.to_numpy(lib, grad_input), array(case["grads"]["input"]),
                               rtol=1e-4, atol=1e-5)

    for tensor in (grad_input, upstream, recording, v_mem, y, x):
        lib.sinabs_tensor_free(tensor)
    lib.sinabs_layer_free(layer)
