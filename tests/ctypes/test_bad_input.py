"""Bad input through ctypes: NULL handles and out-pointers, handles of the
wrong kind, impossible shapes, unknown names. Each call returns its status,
leaves a message in sinabs_last_error and sets `*out` to NULL."""
import ctypes
import re
from ctypes import byref, c_float, c_int32, c_int64, c_void_p

import numpy as np
import pytest

import sinabs_abi as abi

STALE = 0x10  # a non-NULL value that failing calls must overwrite


@pytest.fixture
def objects(lib):
    """One live object of each kind, freed after the test."""
    tensor = abi.tensor_from(lib, np.zeros((1, 2, 3), dtype=np.float32))
    layer = abi.neuron_layer(lib, abi.IAF)
    model = c_void_p()
    abi.check(lib, lib.sinabs_model_create(byref(model)))
    yield {"tensor": tensor, "layer": layer, "model": model}
    lib.sinabs_tensor_free(tensor)
    lib.sinabs_layer_free(layer)
    lib.sinabs_model_free(model)


MARKER_THREADS = -12345  # a refused thread count leaves a known message


def expect(lib, call, status, *words):
    """`call()` returns `status` and replaces the marker message with its own."""
    assert lib.sinabs_set_num_threads(MARKER_THREADS) == abi.INVALID_ARGUMENT
    marker = lib.sinabs_last_error()
    code = call()
    assert code == status, (code, lib.sinabs_last_error())
    message = lib.sinabs_last_error().decode()
    assert message and message != marker.decode()
    for word in words:
        assert word in message


# Calls taking (out, <one handle>): which kind the handle must be.
OUT_CALLS = [
    ("sinabs_tensor_copy", "tensor", ()),
    ("sinabs_layer_forward", "layer", ("tensor",)),
    ("sinabs_layer_get_state", "layer", (b"v_mem",)),
    ("sinabs_layer_get_recording", "layer", (b"v_mem",)),
    ("sinabs_layer_get_parameter", "layer", (b"spike_threshold",)),
    ("sinabs_layer_backward", "layer", ("tensor",)),
    ("sinabs_layer_get_grad", "layer", (b"spike_threshold",)),
    ("sinabs_model_get_layer", "model", (0,)),
    ("sinabs_model_forward", "model", ("tensor",)),
]


def resolve(objects, args):
    return [objects[a] if isinstance(a, str) and a in objects else a for a in args]


@pytest.mark.parametrize("name,kind,rest", OUT_CALLS)
def test_null_and_wrong_kind_handles_set_out_to_null(lib, objects, name, kind, rest):
    function = getattr(lib, name)
    rest = resolve(objects, rest)
    for wrong in [None] + [objects[k] for k in objects if k != kind]:
        out = c_void_p(STALE)
        expect(lib, lambda: function(byref(out), wrong, *rest), abi.INVALID_ARGUMENT)
        assert out.value is None
        if wrong is not None:
            assert f"sinabs_{kind}" in lib.sinabs_last_error().decode()
    expect(lib, lambda: function(None, objects[kind], *rest), abi.INVALID_ARGUMENT, "NULL")


@pytest.mark.parametrize("name,args", [
    ("sinabs_tensor_rank", (byref(c_int32()),)),
    ("sinabs_tensor_numel", (byref(c_int64()),)),
    ("sinabs_tensor_data", (byref(c_void_p()),)),
])
def test_tensor_queries_refuse_other_kinds(lib, objects, name, args):
    function = getattr(lib, name)
    for wrong in (None, objects["layer"], objects["model"]):
        expect(lib, lambda: function(*args, wrong), abi.INVALID_ARGUMENT)
    expect(lib, lambda: function(None, objects["tensor"]), abi.INVALID_ARGUMENT, "NULL")


def test_layer_calls_refuse_other_kinds(lib, objects):
    t = objects["tensor"]
    for wrong in (None, t, objects["model"]):
        expect(lib, lambda: lib.sinabs_layer_forward_into(t, wrong, t), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_set_state(wrong, b"v_mem", t), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_set_parameter(wrong, b"spike_threshold", t), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_reset_states(wrong, 0, None, None, None, 0, 0), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_state_count(byref(c_int32()), wrong), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_parameter_count(byref(c_int32()), wrong), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_firing_rate(byref(c_float()), wrong), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_set_training(wrong, 1), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_layer_zero_grad(wrong), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_model_append(objects["model"], wrong), abi.INVALID_ARGUMENT)
    for wrong in (None, t, objects["layer"]):
        expect(lib, lambda: lib.sinabs_model_append(wrong, objects["layer"]), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_model_reset_states(wrong), abi.INVALID_ARGUMENT)
        expect(lib, lambda: lib.sinabs_model_layer_count(byref(c_int32()), wrong), abi.INVALID_ARGUMENT)
    # A layer handle where a tensor belongs.
    expect(lib, lambda: lib.sinabs_layer_forward_into(objects["layer"], objects["layer"], t), abi.INVALID_ARGUMENT,
           "sinabs_tensor")
    count = c_int32(-1)
    abi.check(lib, lib.sinabs_model_layer_count(byref(count), objects["model"]))
    assert count.value == 0


@pytest.mark.parametrize("shape,rank,status", [
    ((1,) * 9, 9, abi.INVALID_ARGUMENT),            # rank > 8
    ((2,), -1, abi.INVALID_ARGUMENT),               # negative rank
    ((3, -1), 2, abi.INVALID_ARGUMENT),             # negative dimension
    ((2 ** 62, 8), 2, abi.OUT_OF_MEMORY),           # element count overflows
    ((2 ** 61,), 1, abi.OUT_OF_MEMORY),             # byte count overflows
])
def test_impossible_shapes(lib, shape, rank, status):
    out = c_void_p(STALE)
    expect(lib, lambda: lib.sinabs_tensor_create(byref(out), abi.shape_array(shape), rank), status)
    assert out.value is None
    expect(lib, lambda: lib.sinabs_tensor_wrap(byref(out), abi.shape_array(shape), rank, None, abi.RELEASE_FN(), None),
           status)
    assert out.value is None


def test_count_mismatch_and_null_data(lib):
    values = np.zeros(6, dtype=np.float32)
    out = c_void_p(STALE)
    expect(lib, lambda: lib.sinabs_tensor_create_copy(byref(out), abi.shape_array((2, 3)), 2, values.ctypes.data, 5),
           abi.SHAPE)
    assert out.value is None
    expect(lib, lambda: lib.sinabs_tensor_create_copy(byref(out), abi.shape_array((2, 3)), 2, None, 6),
           abi.INVALID_ARGUMENT, "NULL")
    expect(lib, lambda: lib.sinabs_tensor_create(byref(out), None, 2), abi.INVALID_ARGUMENT, "NULL")


def test_forward_shape_errors_leave_the_layer_unchanged(lib):
    layer = abi.neuron_layer(lib, abi.IAF)
    state = abi.tensor_from(lib, np.array([[0.25, 0.5]], dtype=np.float32))
    abi.check(lib, lib.sinabs_layer_set_state(layer, b"v_mem", state))
    out = c_void_p(STALE)
    rank1 = abi.tensor_from(lib, np.zeros(4, dtype=np.float32))
    expect(lib, lambda: lib.sinabs_layer_forward(byref(out), layer, rank1), abi.SHAPE, "rank")
    assert out.value is None
    wrong_state = abi.tensor_from(lib, np.zeros((2, 2), dtype=np.float32))
    expect(lib, lambda: lib.sinabs_layer_set_state(layer, b"v_mem", wrong_state), abi.SHAPE)
    expect(lib, lambda: lib.sinabs_layer_set_state(layer, b"i_syn", state), abi.NOT_FOUND, "i_syn")
    v = c_void_p()
    abi.check(lib, lib.sinabs_layer_get_state(byref(v), layer, b"v_mem"))
    np.testing.assert_array_equal(abi.to_numpy(lib, v), [[0.25, 0.5]])
    for t in (v, wrong_state, rank1, state):
        lib.sinabs_tensor_free(t)
    lib.sinabs_layer_free(layer)


def test_unknown_names_and_indices(lib):
    layer = abi.neuron_layer(lib, abi.LIF)
    out = c_void_p(STALE)
    expect(lib, lambda: lib.sinabs_layer_get_state(byref(out), layer, b"nope"), abi.NOT_FOUND, "nope")
    assert out.value is None
    expect(lib, lambda: lib.sinabs_layer_get_parameter(byref(out), layer, b"alpha_mem"), abi.NOT_FOUND)
    expect(lib, lambda: lib.sinabs_layer_get_grad(byref(out), layer, b"nope"), abi.NOT_FOUND)
    expect(lib, lambda: lib.sinabs_layer_get_state(byref(out), layer, None), abi.INVALID_ARGUMENT, "NULL")
    name = ctypes.c_char_p()
    expect(lib, lambda: lib.sinabs_layer_state_name(byref(name), layer, 1), abi.INVALID_ARGUMENT)
    expect(lib, lambda: lib.sinabs_layer_parameter_name(byref(name), layer, -1), abi.INVALID_ARGUMENT)
    abi.check(lib, lib.sinabs_layer_parameter_name(byref(name), layer, 0))
    assert name.value == b"tau_mem"
    lows = (c_float * 1)(0.0)
    highs = (c_float * 1)(1.0)
    names = (ctypes.c_char_p * 1)(b"b")
    expect(lib, lambda: lib.sinabs_layer_reset_states(layer, 1, names, lows, highs, 1, 0), abi.NOT_FOUND)
    lib.sinabs_layer_free(layer)


def test_backward_before_a_training_forward(lib):
    layer = abi.neuron_layer(lib, abi.IAF)
    grad = abi.tensor_from(lib, np.ones((1, 2, 1), dtype=np.float32))
    out = c_void_p(STALE)
    expect(lib, lambda: lib.sinabs_layer_backward(byref(out), layer, grad), abi.STATE)
    assert out.value is None
    lib.sinabs_tensor_free(grad)
    lib.sinabs_layer_free(layer)


@pytest.mark.parametrize("field,value,word", [
    ("tau_mem", 0.0, "tau_mem"), ("tau_mem", float("nan"), "tau_mem"),
    ("spike_threshold", -1.0, "spike_threshold"), ("spike_fn", 9, "spike_fn"),
    ("reset_fn", 9, "reset_fn"), ("surrogate_fn", 9, "surrogate_fn"), ("form", 9, "form"),
    ("struct_size", 4, "struct_size"), ("record_states", 2, "record_states"),
])
def test_invalid_options(lib, field, value, word):
    options = abi.neuron_options(lib, abi.LIF, **{field: value})
    out = c_void_p(STALE)
    expect(lib, lambda: lib.sinabs_neuron_layer_create(byref(out), byref(options)), abi.INVALID_ARGUMENT, word)
    assert out.value is None


def test_status_names_and_version(lib):
    assert lib.sinabs_status_name(abi.SHAPE) == b"SINABS_ERR_SHAPE"
    assert lib.sinabs_status_name(abi.NOT_FOUND) == b"SINABS_ERR_NOT_FOUND"
    assert lib.sinabs_status_name(777).startswith(b"SINABS_")
    header = abi.HEADER.read_text()
    major, minor, patch = (int(re.search(rf"#define SINABS_VERSION_{part} (\d+)", header).group(1))
                           for part in ("MAJOR", "MINOR", "PATCH"))
    assert lib.sinabs_version_number() == major * 10000 + minor * 100 + patch
    assert lib.sinabs_version_string() == f"{major}.{minor}.{patch}".encode()
    n = lib.sinabs_get_num_threads()
    expect(lib, lambda: lib.sinabs_set_num_threads(0), abi.INVALID_ARGUMENT)
    assert lib.sinabs_get_num_threads() == n
