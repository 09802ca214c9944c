"""The DLPack protocol of sinabs_swift.Tensor, producer and consumer side."""
import gc

import numpy as np
import pytest

import sinabs_swift as ss

torch = pytest.importorskip("torch")


def test_dlpack_device_is_cpu():
    assert ss.zeros((2,)).__dlpack_device__() == (1, 0)


def test_versioned_and_legacy_capsules():
    t = ss.zeros((2, 3))
    assert "dltensor_versioned" in repr(t.__dlpack__(max_version=(1, 0)))
    assert "dltensor_versioned" in repr(t.__dlpack__(max_version=(1, 3)))
    assert '"dltensor"' in repr(t.__dlpack__())
    assert '"dltensor"' in repr(t.__dlpack__(max_version=(0, 8)))


def test_all_keywords_accepted_and_keyword_only():
    t = ss.zeros((2,))
    t.__dlpack__(stream=None, max_version=(1, 0), dl_device=(1, 0), copy=False)
    t.__dlpack__(stream=-1)
    with pytest.raises(TypeError):
        t.__dlpack__(None)
    with pytest.raises(ValueError):
        t.__dlpack__(stream=3)
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(2, 0))


def test_copy_true_gives_independent_memory():
    t = ss.as_tensor(np.arange(4, dtype=np.float32))
    copied = torch.from_dlpack(t.__dlpack__(max_version=(1, 0), copy=True))
    assert copied.data_ptr() != t.data_ptr
    copied[0] = 100.0
    assert np.asarray(t)[0] == 0.0
    shared = np.from_dlpack(t, copy=False)
    assert shared.ctypes.data == t.data_ptr


def test_capsule_consumed_twice_is_an_error():
    t = ss.as_tensor(np.arange(3, dtype=np.float32))
    capsule = t.__dlpack__()
    first = ss.as_tensor(capsule)
    assert first.data_ptr == t.data_ptr
    with pytest.raises(ValueError, match="already consumed"):
        ss.as_tensor(capsule)
    torch_capsule = t.__dlpack__()
    torch.from_dlpack(torch_capsule)
    with pytest.raises(Exception):
        torch.from_dlpack(torch_capsule)


def test_unconsumed_capsules_are_freed():
    x = np.arange(8, dtype=np.float32)
    t = ss.as_tensor(x)
    before = __import__("sys").getrefcount(x)
    for _ in range(100):
        t.__dlpack__(max_version=(1, 0))
        t.__dlpack__()
    gc.collect()
    del t
    gc.collect()
    # every capsule dropped its reference to the storage; t's is gone too
    assert __import__("sys").getrefcount(x) == before - 1


def test_torch_capsule_kinds_both_accepted():
    x = torch.arange(6, dtype=torch.float32)
    versioned = ss.as_tensor(x.__dlpack__(max_version=(1, 0)))
    legacy = ss.as_tensor(torch.utils.dlpack.to_dlpack(x))
    assert versioned.data_ptr == legacy.data_ptr == x.data_ptr()


def test_producer_without_max_version_keyword():
    class Old:
        def __init__(self, tensor):
            self.tensor = tensor

        def __dlpack__(self, stream=None):  # DLPack < 1.0 producer
            return torch.utils.dlpack.to_dlpack(self.tensor)

        def __dlpack_device__(self):
            return (1, 0)

    x = torch.arange(3, dtype=torch.float32)
    assert ss.as_tensor(Old(x)).data_ptr == x.data_ptr()


def test_byte_offset_and_size1_strides_are_handled():
    base = torch.arange(10, dtype=torch.float32)
    tail = base[4:]  # data pointer inside the storage
    t = ss.as_tensor(tail)
    assert t.data_ptr == tail.data_ptr() and np.asarray(t)[0] == 4.0
    column = torch.arange(4, dtype=torch.float32).reshape(4, 1).t()  # (1, 4), odd stride on dim 0
    assert ss.as_tensor(column).shape == (1, 4)


def test_readonly_numpy_input_is_read_not_written():
    x = np.full((1, 2, 3), 2.0, dtype=np.float32)
    x.setflags(write=False)
    t = ss.as_tensor(x)
    assert t.readonly
    with pytest.raises(BufferError):
        t.__dlpack__()  # legacy capsules cannot say read-only
    capsule = t.__dlpack__(max_version=(1, 0))
    assert capsule is not None
    out = ss.layers.IAF()(x)
    assert np.all(np.asarray(out) == 2.0)
    with pytest.raises(ValueError, match="read-only"):
        ss.layers.IAF()(x, out=x)
