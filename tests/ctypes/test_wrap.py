"""numpy memory wrapped zero-copy: the library reads and writes it in place,
and the CFUNCTYPE release callback runs exactly once, after the last tensor
sharing the memory is freed."""
import ctypes

import numpy as np

import sinabs_abi as abi


class Released:
    """A release callback that records each call."""

    def __init__(self):
        self.calls = []
        self.callback = abi.RELEASE_FN(lambda context, data: self.calls.append((context, data)))


def wrap(lib, array, released, context=None):
    out = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_tensor_wrap(ctypes.byref(out), abi.shape_array(array.shape), array.ndim,
                                          array.ctypes.data, released.callback, context))
    return out


def test_release_runs_once_after_the_last_view(lib):
    memory = np.arange(12, dtype=np.float32).reshape(3, 4)
    released = Released()
    context = ctypes.c_void_p(0xC0FFEE)
    tensor = wrap(lib, memory, released, context)
    data = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_tensor_data(ctypes.byref(data), tensor))
    assert data.value == memory.ctypes.data  # no copy

    views = []
    for shape in [(12,), (2, 6), (-1, 3)]:
        view = ctypes.c_void_p()
        abi.check(lib, lib.sinabs_tensor_reshape(ctypes.byref(view), tensor, abi.shape_array(shape), len(shape)))
        views.append(view)
    lib.sinabs_tensor_free(tensor)
    for view in views[:-1]:
        lib.sinabs_tensor_free(view)
    assert released.calls == []
    np.testing.assert_array_equal(abi.to_numpy(lib, views[-1]).ravel(), memory.ravel())
    lib.sinabs_tensor_free(views[-1])
    assert released.calls == [(0xC0FFEE, memory.ctypes.data)]


def test_forward_reads_and_writes_numpy_memory_in_place(lib):
    layer = abi.neuron_layer(lib, abi.IAF)
    x = np.full((2, 3, 4), 0.6, dtype=np.float32)
    y = np.full_like(x, -1.0)
    released = Released()
    tx, ty = wrap(lib, x, released), wrap(lib, y, released)
    abi.check(lib, lib.sinabs_layer_forward_into(ty, layer, tx))
    # 0.6, 1.2 -> spike, 0.8: the spikes land in the numpy array itself.
    np.testing.assert_array_equal(y[:, :, 0], [[0, 1, 0], [0, 1, 0]])
    x[:] = 0.0  # the library sees the caller's writes too
    abi.check(lib, lib.sinabs_layer_forward_into(ty, layer, tx))
    assert not y.any()
    # Sharing memory between input and output is refused.
    status = lib.sinabs_layer_forward_into(tx, layer, tx)
    assert status == abi.INVALID_ARGUMENT and b"share" in lib.sinabs_last_error()
    lib.sinabs_tensor_free(tx)
    lib.sinabs_tensor_free(ty)
    assert len(released.calls) == 2
    lib.sinabs_layer_free(layer)


def test_failed_wrap_never_calls_release(lib):
    memory = np.zeros(8, dtype=np.float32)
    released = Released()
    out = ctypes.c_void_p(0x10)
    misaligned = memory.ctypes.data + 2
    status = lib.sinabs_tensor_wrap(ctypes.byref(out), abi.shape_array((3,)), 1, misaligned,
                                    released.callback, None)
    assert status == abi.INVALID_ARGUMENT
    assert b"align" in lib.sinabs_last_error()
    assert out.value is None
    status = lib.sinabs_tensor_wrap(ctypes.byref(out), abi.shape_array((3,)), 1, None, released.callback, None)
    assert status == abi.INVALID_ARGUMENT
    assert released.calls == []


def test_wrap_without_release_callback(lib):
    memory = np.ones(4, dtype=np.float32)
    out = ctypes.c_void_p()
    abi.check(lib, lib.sinabs_tensor_wrap(ctypes.byref(out), abi.shape_array((4,)), 1, memory.ctypes.data,
                                          abi.RELEASE_FN(), None))
    np.testing.assert_array_equal(abi.to_numpy(lib, out), memory)
    lib.sinabs_tensor_free(out)
