"""Memory is shared, never copied, between sinabs_swift and numpy / torch,
both ways, and views outlive whoever produced them."""
import gc
import sys
import weakref

import numpy as np
import pytest

import sinabs_swift as ss

torch = pytest.importorskip("torch")


def test_numpy_input_is_wrapped_in_place():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = ss.as_tensor(x)
    assert t.data_ptr == x.ctypes.data
    assert t.shape == (3, 4) and t.ndim == 2 and t.size == 12 and len(t) == 3
    x[1, 2] = 42.0
    assert np.asarray(t)[1, 2] == 42.0


def test_torch_input_is_wrapped_in_place():
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    t = ss.as_tensor(x)
    assert t.data_ptr == x.data_ptr()
    x[0, 1] = -7.0
    assert np.asarray(t)[0, 1] == -7.0


def test_layer_reads_inputs_without_copying():
    x = np.zeros((1, 3, 2), dtype=np.float32)
    layer = ss.layers.IAF()
    layer(x)
    assert np.array_equal(np.asarray(layer.v_mem), np.zeros((1, 2)))
    x[0, :, 0] = 1.5  # the next call sees the new values of the same memory
    out = np.asarray(layer(x))
    assert out[0, :, 0].tolist() == [1.0, 2.0, 1.0]


def test_numpy_view_of_output_shares_memory():
    out = ss.layers.IAF()(np.full((2, 4, 3), 1.0, dtype=np.float32))
    view = np.asarray(out)
    assert view.ctypes.data == out.data_ptr
    assert view.dtype == np.float32 and view.flags.c_contiguous and view.flags.writeable
    view[0, 0, 0] = 5.0
    assert np.asarray(out)[0, 0, 0] == 5.0
    assert np.shares_memory(view, out.numpy())


def test_torch_view_of_output_shares_memory():
    out = ss.layers.IAF()(np.full((2, 4, 3), 1.0, dtype=np.float32))
    t = torch.from_dlpack(out)
    assert t.data_ptr() == out.data_ptr and t.dtype == torch.float32
    assert tuple(t.shape) == out.shape
    t[1, 2, 0] = 9.0
    assert np.asarray(out)[1, 2, 0] == 9.0
    np.asarray(out)[0, 0, 1] = -3.0
    assert t[0, 0, 1].item() == -3.0


def test_numpy_from_dlpack_shares_memory():
    out = ss.zeros((3, 2))
    view = np.from_dlpack(out)
    assert view.ctypes.data == out.data_ptr


def test_views_outlive_layer_and_tensor():
    layer = ss.layers.IAF()
    out = layer(np.full((2, 5, 3), 2.0, dtype=np.float32))
    expected = np.asarray(out).copy()
    as_numpy = np.asarray(out)
    as_torch = torch.from_dlpack(out)
    pointer = out.data_ptr
    del out, layer
    gc.collect()
    assert as_numpy.ctypes.data == pointer and as_torch.data_ptr() == pointer
    assert np.array_equal(as_numpy, expected)
    assert np.array_equal(as_torch.numpy(), expected)
    # allocate and touch other memory; the views must still hold their values
    junk = [ss.zeros((2, 5, 3)) for _ in range(50)]
    del junk
    gc.collect()
    assert np.array_equal(as_numpy, expected) and np.array_equal(as_torch.numpy(), expected)


def test_wrapped_numpy_array_lives_while_tensor_does():
    x = np.arange(6, dtype=np.float32)
    before = sys.getrefcount(x)
    t = ss.as_tensor(x)
    assert sys.getrefcount(x) == before + 1  # the Py_buffer held by the wrap
    alive = weakref.ref(x)
    del x
    gc.collect()
    assert alive() is not None
    assert np.asarray(t).tolist() == [0, 1, 2, 3, 4, 5]
    del t
    gc.collect()
    assert alive() is None  # the release callback gave the buffer back


def test_torch_input_outlives_torch_tensor():
    x = torch.arange(5, dtype=torch.float32)
    t = ss.as_tensor(x)
    del x
    gc.collect()
    assert np.asarray(t).tolist() == [0, 1, 2, 3, 4]


def test_state_tensor_shares_layer_state():
    layer = ss.layers.IAF()
    layer(np.full((1, 2, 3), 0.5, dtype=np.float32))
    v = layer.v_mem
    np.asarray(v)[0, 0] = 0.75  # write through the view
    assert np.asarray(layer.v_mem)[0, 0] == 0.75
    out = np.asarray(layer(np.full((1, 1, 3), 0.5, dtype=np.float32)))
    assert out[0, 0].tolist() == [1.0, 0.0, 0.0]  # only the neuron we raised spikes
    assert np.asarray(layer.v_mem)[0].tolist() == pytest.approx([0.25, 0.5, 0.5])


def test_forward_into_out_writes_given_memory():
    layer = ss.layers.IAF()
    x = np.full((2, 3, 4), 1.0, dtype=np.float32)
    out = np.empty_like(x)
    result = layer(x, out=out)
    assert result is out and np.all(out == 1.0)
    out_t = torch.empty(2, 3, 4)
    result = layer(x, out=out_t)
    assert result is out_t and bool(torch.all(out_t == 1.0))
    tensor_out = ss.zeros((2, 3, 4))
    assert layer(x, out=tensor_out) is tensor_out and np.all(np.asarray(tensor_out) == 1.0)


def test_close_refuses_while_buffer_exported():
    t = ss.zeros((4,))
    view = memoryview(t)
    with pytest.raises(BufferError):
        t.close()
    view.release()
    t.close()
    assert t.closed
    with pytest.raises(ValueError, match="closed"):
        memoryview(t)


def test_close_keeps_dlpack_consumers_alive():
    t = ss.as_tensor(np.arange(4, dtype=np.float32))
    consumer = torch.from_dlpack(t)
    t.close()
    gc.collect()
    assert consumer.tolist() == [0, 1, 2, 3]


def test_state_reinitialised_while_exported_is_safe():
    layer = ss.layers.IAF()
    layer(np.full((1, 2, 3), 0.3, dtype=np.float32))
    old = np.asarray(layer.v_mem)
    layer(np.full((1, 2, 5), 0.3, dtype=np.float32))  # new trailing shape: new states
    assert old.shape == (1, 3) and np.allclose(old, 0.6)
    assert layer.v_mem.shape == (1, 5)


def test_reshape_and_copy():
    t = ss.as_tensor(np.arange(6, dtype=np.float32))
    r = t.reshape(2, 3)
    assert r.shape == (2, 3) and r.data_ptr == t.data_ptr
    assert t.reshape((3, -1)).shape == (3, 2)
    c = t.copy()
    assert c.data_ptr != t.data_ptr and np.array_equal(np.asarray(c), np.asarray(t))


def test_scalar_tensor_converts_to_float():
    layer = ss.layers.LIF(tau_mem=7.5)
    assert layer.tau_mem.shape == () and float(layer.tau_mem) == 7.5
    with pytest.raises(TypeError):
        float(ss.zeros((2,)))
    with pytest.raises(TypeError):
        len(layer.tau_mem)


def test_torch_views_and_parameters_take_the_right_path():
    base = torch.arange(12, dtype=torch.float32)
    view = base.view(3, 4)[1:]  # a view with a storage offset, no grad: the C fast path
    t = ss.as_tensor(view)
    assert t.data_ptr == view.data_ptr() and t.shape == (2, 4)
    frozen = torch.nn.Parameter(torch.ones(3), requires_grad=False)
    assert ss.as_tensor(frozen).data_ptr == frozen.data_ptr()
