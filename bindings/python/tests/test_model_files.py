"""Model files: one safetensors file that the safetensors package and torch
read by torch names; saved in Python, loaded through the C ABI (ctypes) and
back with identical outputs; failed loads leave the model as it was."""
import ctypes
import json
import struct

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file as load_numpy
from safetensors.torch import load_file as load_torch

import sinabs.layers as sl
import sinabs_swift as ss
from sinabs_swift import activation


def varied_model():
    """Every neuron model and form, with non-default activations."""
    rec = ss.Linear(5, 5)
    return ss.Sequential(
        ss.Linear(4, 5),
        ss.layers.LIF(tau_mem=7.0, tau_syn=3.0, min_v_mem=-1.0, spike_fn=activation.MaxSpike(3),
                      surrogate_grad_fn=activation.Gaussian(sigma=0.3)),
        ss.layers.ALIFRecurrent(tau_mem=6.0, tau_adapt=9.0, rec_connect=rec, adapt_scale=1.2),
        ss.layers.IAF(spike_threshold=0.8, reset_fn=activation.MembraneReset(reset_value=-0.1),
                      spike_fn=activation.SingleSpike),
        ss.layers.ExpLeak(tau_mem=4.0, train_alphas=True),
    )


def test_round_trip_every_kind_and_read_by_safetensors_and_torch(tmp_path, rng):
    model = varied_model()
    x = rng.uniform(0, 1.5, (2, 6, 4)).astype(np.float32)
    expected = np.asarray(model(x)).copy()
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = ss.Sequential.load(path)
    model.reset_states()
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))
    np.testing.assert_array_equal(np.asarray(loaded(x)) * 0 + expected, expected)
    by_numpy = load_numpy(str(path))
    by_torch = load_torch(str(path))
    names = [name for name, _ in model.named_parameters()]
    assert sorted(by_torch) == sorted(names)
    for name, value in model.named_parameters():
        np.testing.assert_array_equal(by_numpy[name], np.asarray(value), err_msg=name)
        assert by_torch[name].dtype == torch.float32
    assert [repr(layer) for layer in loaded] == ["Linear(loaded)", "LIF(loaded)", "ALIFRecurrent(loaded)",
                                                "IAF(loaded)", "ExpLeak(loaded)"]


def test_torch_users_load_the_parameters_into_sinabs(tmp_path, rng):
    model = ss.Sequential(ss.Linear(6, 8), ss.layers.LIF(tau_mem=5.0), ss.Linear(8, 3), ss.layers.IAF())
    path = tmp_path / "m.safetensors"
    model.save(path)
    reference = torch.nn.Sequential(torch.nn.Linear(6, 8), sl.LIF(tau_mem=5.0), torch.nn.Linear(8, 3), sl.IAF())
    missing, unexpected = reference.load_state_dict(load_torch(str(path)), strict=False)
    assert unexpected == []
    assert all(name.endswith(("v_mem", "spike_threshold", "min_v_mem")) for name in missing)
    x = rng.uniform(0, 2, (2, 10, 6)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(model(x)), reference(torch.from_numpy(x)).detach().numpy())


def test_states_travel_on_request(tmp_path, rng):
    model = varied_model()
    model(rng.uniform(0, 1.5, (2, 6, 4)).astype(np.float32))
    path = tmp_path / "with_states.safetensors"
    model.save(path, include_states=True)
    assert "1.v_mem" in load_numpy(str(path)) and "1.i_syn" in load_numpy(str(path))
    loaded = ss.Sequential.load(path)
    x = rng.uniform(0, 1.5, (2, 6, 4)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def _ctypes_lib():
    import sinabs_swift._native as native
    from pathlib import Path
    folder = Path(native.__file__).parent
    candidates = sorted(folder.glob("libsinabs.so*"))
    assert candidates, "the wheel ships libsinabs.so next to the extension"
    lib = ctypes.CDLL(str(candidates[0]))
    for name, restype in [("sinabs_model_create", ctypes.c_int32), ("sinabs_model_load", ctypes.c_int32),
                          ("sinabs_model_save", ctypes.c_int32), ("sinabs_model_forward", ctypes.c_int32),
                          ("sinabs_tensor_create_copy", ctypes.c_int32), ("sinabs_tensor_data", ctypes.c_int32)]:
        getattr(lib, name).restype = restype
    lib.sinabs_model_create.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    lib.sinabs_model_load.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.sinabs_model_save.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32]
    lib.sinabs_model_forward.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_void_p]
    lib.sinabs_tensor_create_copy.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64),
                                              ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64]
    lib.sinabs_tensor_data.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    lib.sinabs_model_free.argtypes = [ctypes.c_void_p]
    lib.sinabs_tensor_free.argtypes = [ctypes.c_void_p]
    return lib


def test_python_to_c_and_back(tmp_path, rng):
    lib = _ctypes_lib()
    model = varied_model()
    first = tmp_path / "from_python.safetensors"
    model.save(first)
    handle = ctypes.c_void_p()
    assert lib.sinabs_model_create(ctypes.byref(handle)) == 0
    assert lib.sinabs_model_load(handle, str(first).encode()) == 0
    x = rng.uniform(0, 1.5, (2, 6, 4)).astype(np.float32)
    shape = (ctypes.c_int64 * 3)(*x.shape)
    tensor, output, data = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.sinabs_tensor_create_copy(ctypes.byref(tensor), shape, 3, x.ctypes.data, x.size) == 0
    assert lib.sinabs_model_forward(ctypes.byref(output), handle, tensor) == 0
    assert lib.sinabs_tensor_data(ctypes.byref(data), output) == 0
    from_c = np.ctypeslib.as_array(ctypes.cast(data, ctypes.POINTER(ctypes.c_float)), (2 * 6 * 5,)).copy()
    np.testing.assert_array_equal(from_c.reshape(2, 6, 5), np.asarray(model(x)))
    second = tmp_path / "from_c.safetensors"
    assert lib.sinabs_model_save(handle, str(second).encode(), 0) == 0
    model.reset_states()
    np.testing.assert_array_equal(np.asarray(ss.Sequential.load(second)(x)), np.asarray(model(x)))
    for h in (tensor, output):
        lib.sinabs_tensor_free(h)
    lib.sinabs_model_free(handle)


def test_failed_loads_leave_the_model_as_it_was(tmp_path, rng):
    good = tmp_path / "good.safetensors"
    varied_model().save(good)
    data = good.read_bytes()
    target = ss.Sequential(ss.Linear(6, 3), ss.layers.IAF())
    x = rng.uniform(0, 2, (2, 5, 6)).astype(np.float32)
    before = np.asarray(target(x)).copy()

    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    architecture = header["__metadata__"]["sinabs.architecture"]

    def with_architecture(text):
        edited = dict(header, __metadata__=dict(header["__metadata__"], **{"sinabs.architecture": text}))
        encoded = json.dumps(edited).encode()
        return struct.pack("<Q", len(encoded)) + encoded + data[8 + length:]

    cases = {
        "truncated": data[: len(data) // 2],
        "header only": data[: 8 + length],
        "empty": b"",
        "not a model": b"GIF89a" + bytes(100),
        "bad JSON": with_architecture(architecture[:-3]),
        "unknown kind": with_architecture(architecture.replace('"LIF"', '"Conv7d"')),
        "NaN hyper-parameter": with_architecture(architecture.replace('"tau_mem":7.0', '"tau_mem":NaN')),
        "negative tau": with_architecture(architecture.replace('"tau_mem":7.0', '"tau_mem":-7.0')),
        "shape mismatch": with_architecture(architecture.replace('"in_features":4', '"in_features":3')),
    }
    for what, content in cases.items():
        path = tmp_path / "bad.safetensors"
        path.write_bytes(content)
        with pytest.raises(ValueError):
            target.load_file(path)
        assert len(target) == 2, what
        target.reset_states()
        np.testing.assert_array_equal(np.asarray(target(x)), before, err_msg=what)
    with pytest.raises(FileNotFoundError):
        target.load_file(tmp_path / "missing.safetensors")


def test_loaded_models_pickle_and_deepcopy(tmp_path, rng):
    import copy
    import pickle
    path = tmp_path / "m.safetensors"
    varied_model().save(path)
    loaded = ss.Sequential.load(path)
    x = rng.uniform(0, 1.5, (2, 6, 4)).astype(np.float32)
    loaded(x)
    clone = pickle.loads(pickle.dumps(loaded))
    twin = copy.deepcopy(loaded)
    np.testing.assert_array_equal(np.asarray(clone(x)), np.asarray(twin(x)))
    np.testing.assert_array_equal(np.asarray(clone(x)), np.asarray(loaded(x)))


def test_repeated_per_frame_layers_save_and_load(tmp_path, rng):
    """A (Batch, Time, ...) conv SNN with Repeat(Conv2d) and Repeat(SumPool2d)
    round-trips through a file (the module stored as a nested description),
    also when built by name with from_description."""
    model = ss.Sequential(
        ss.layers.Repeat(ss.layers.Conv2d(2, 3, 3, padding=1)),
        ss.layers.LIF(tau_mem=5.0),
        ss.layers.Repeat(ss.layers.SumPool2d(2)),
    )
    x = rng.uniform(0, 3, (2, 4, 2, 6, 6)).astype(np.float32)
    expected = np.asarray(model(x)).copy()
    path = tmp_path / "repeat.safetensors"
    model.save(path)
    architecture = json.loads(load_architecture(path))
    assert architecture["layers"][0]["kind"] == "Repeat"
    assert architecture["layers"][0]["arguments"]["module"]["kind"] == "Conv2d"
    loaded = ss.Sequential.load(path)
    np.testing.assert_array_equal(np.asarray(loaded(x)), expected)
    tensors = load_numpy(path)
    assert tensors["0.module.weight"].shape == (3, 2, 3, 3)
    np.testing.assert_array_equal(tensors["0.module.bias"], np.asarray(model[0].module.bias))

    by_name = ss.layers.from_description(
        "Repeat", module={"kind": "SumPool2d", "arguments": {"kernel_size": 2}})
    np.testing.assert_array_equal(np.asarray(by_name(np.ones((1, 2, 1, 4, 4), np.float32))),
                                  np.full((1, 2, 1, 2, 2), 4, np.float32))
    with pytest.raises(ValueError, match="module must be a layer"):
        ss.layers.from_description("Repeat", module=3)
    with pytest.raises(ValueError, match="unknown layer kind 'Conv9d'"):
        ss.layers.from_description("Repeat", module={"kind": "Conv9d", "arguments": {}})


def load_architecture(path):
    """The architecture JSON text in a model file's safetensors metadata."""
    raw = open(path, "rb").read()
    (size,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + size])["__metadata__"]["sinabs.architecture"]
