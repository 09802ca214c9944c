"""Bad input raises a clear Python exception (never a crash), and says what
was got and what is accepted."""
import types

import numpy as np
import pytest

import sinabs_swift as ss
from sinabs_swift import _native

torch = pytest.importorskip("torch")


def test_float64_array_is_a_type_error():
    with pytest.raises(TypeError, match="format 'd'.*float32"):
        ss.as_tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError):
        ss.layers.IAF()(np.zeros((1, 2, 3)))


def test_other_dtypes_and_objects_are_type_errors():
    with pytest.raises(TypeError, match="got list"):
        ss.as_tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        ss.as_tensor(np.zeros(3, dtype=np.int32))
    with pytest.raises(TypeError, match="bits 64"):
        ss.as_tensor(torch.zeros(3, dtype=torch.float64))
    with pytest.raises(TypeError):
        ss.as_tensor(torch.zeros(3, dtype=torch.int32))
    with pytest.raises(TypeError):
        ss.as_tensor(b"abcd")  # a buffer of bytes, not floats


def test_non_contiguous_numpy_is_a_value_error():
    x = np.zeros((4, 6), dtype=np.float32)
    with pytest.raises(ValueError, match="non-contiguous"):
        ss.as_tensor(x[:, ::2])
    with pytest.raises(ValueError, match="non-contiguous"):
        ss.as_tensor(x.T)


def test_non_contiguous_torch_is_a_value_error():
    x = torch.zeros(4, 6)
    with pytest.raises(ValueError, match="non-contiguous"):
        ss.as_tensor(x.t())
    with pytest.raises(ValueError, match="non-contiguous"):
        ss.layers.IAF()(torch.zeros(2, 6, 4).transpose(1, 2))


def test_non_cpu_device_is_a_value_error():
    with pytest.raises(ValueError, match="device"):
        ss.as_tensor(torch.zeros(3, device="meta"))

    class OnGpu:
        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, **kwargs):
            raise BufferError("this producer cannot hand out GPU memory to a CPU consumer")

    with pytest.raises(ValueError, match=r"device \(2, 0\)"):
        ss.as_tensor(OnGpu())


def test_wrong_rank_is_a_value_error():
    layer = ss.layers.IAF()
    with pytest.raises(ValueError):
        layer(np.zeros(5, dtype=np.float32))  # needs (Batch, Time, ...)
    with pytest.raises(ValueError, match="rank"):
        ss.as_tensor(np.zeros((1,) * 9, dtype=np.float32))


def test_shape_mismatches_are_value_errors():
    layer = ss.layers.IAF()
    layer(np.zeros((2, 3, 4), dtype=np.float32))
    with pytest.raises(ValueError):
        layer.v_mem = np.zeros((2, 5), dtype=np.float32)
    with pytest.raises(ValueError):
        layer(np.zeros((2, 3, 4), dtype=np.float32), out=np.zeros((2, 3), dtype=np.float32))
    x = np.zeros((2, 3, 4), dtype=np.float32)
    with pytest.raises(ValueError):
        layer(x, out=x)  # output must not share the input's memory


def test_unknown_state_and_parameter_names():
    layer = ss.layers.IAF()
    with pytest.raises(AttributeError):
        layer.i_syn  # no tau_syn: no i_syn state
    with pytest.raises(KeyError, match="b"):
        layer.native.get_state("b")
    with pytest.raises(KeyError):
        layer.native.get_parameter("tau_mem")
    with pytest.raises(KeyError):
        layer.native.recording("nope")
    with pytest.raises(KeyError):
        layer.reset_states(randomize=True, value_ranges={"nope": (0.0, 1.0)})
    with pytest.raises(KeyError):
        layer.native.grad("nope")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="tau_mem"):
        ss.layers.LIF(tau_mem=0)
    with pytest.raises(ValueError, match="tau_mem"):
        ss.layers.ExpLeak(tau_mem=-1.0)
    with pytest.raises(ValueError, match="spike_threshold"):
        ss.layers.IAF(spike_threshold=-1)
    with pytest.raises(ValueError, match="tau_syn"):
        ss.layers.IAF(tau_syn=0.0)
    with pytest.raises(ValueError, match="tau_adapt"):
        ss.layers.ALIF(tau_mem=5.0, tau_adapt=0.0)
    with pytest.raises(TypeError, match="batch_size or num_timesteps"):
        ss.layers.IAFSqueeze()
    with pytest.raises(TypeError):
        ss.layers.LIFSqueeze(tau_mem=5.0)
    with pytest.raises(ValueError):
        ss.layers.IAFSqueeze(batch_size=-2)
    with pytest.raises(ValueError, match="max_num_spikes_per_bin"):
        ss.layers.IAF(spike_fn=ss.activation.MaxSpike(0))
    with pytest.raises(TypeError, match="spike_fn"):
        ss.layers.IAF(spike_fn=object())
    with pytest.raises(ValueError, match="tau_mem must be > 0"):  # per-neuron: each element
        ss.layers.LIF(tau_mem=np.array([1.0, -2.0]))
    with pytest.raises(ValueError, match="scalar"):
        ss.layers.LIF(tau_mem=5.0, spike_threshold=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="square"):
        ss.layers.IAFRecurrent(rec_connect=ss.Linear(3, 4))
    with pytest.raises(TypeError, match="weight"):
        ss.layers.IAFRecurrent(rec_connect=object())


def test_squeeze_batch_must_divide_input():
    layer = ss.layers.IAFSqueeze(batch_size=3)
    with pytest.raises(ValueError):
        layer(np.zeros((8, 2), dtype=np.float32))


def test_bad_parameter_values_leave_layer_unchanged():
    layer = ss.layers.LIF(tau_mem=5.0)
    with pytest.raises(ValueError):
        layer.tau_mem = 0.0
    assert float(layer.tau_mem) == 5.0
    with pytest.raises(ValueError):
        layer.spike_threshold = np.zeros(3, dtype=np.float32)  # wrong shape


def test_native_constructors_validate():
    with pytest.raises(TypeError, match="unknown option"):
        _native.neuron_layer(_native.NEURON_IAF, tau_meme=3.0)
    with pytest.raises(ValueError):
        _native.neuron_layer(99)
    with pytest.raises(ValueError):
        _native.linear_layer(0, 3)
    with pytest.raises(OverflowError):
        _native.neuron_layer(_native.NEURON_IAF, spike_fn=2**40)
    with pytest.raises(ValueError):
        _native.neuron_layer(_native.NEURON_IAF, spike_fn=17)


def test_backward_without_training_forward_is_a_runtime_error():
    layer = ss.layers.IAF()
    with pytest.raises(RuntimeError):
        layer.native.backward(np.zeros((1, 2, 3), dtype=np.float32))
    layer.native.set_training(True)
    layer(np.zeros((1, 2, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        layer.native.backward(np.zeros((1, 2, 4), dtype=np.float32))


def test_model_and_misc_bad_input():
    model = _native.Model()
    with pytest.raises(TypeError):
        model.append(object())
    with pytest.raises(IndexError):
        model[0]
    with pytest.raises(TypeError):
        ss.Tensor()
    with pytest.raises(ValueError):
        ss.set_num_threads(0)
    with pytest.raises(ValueError):
        ss.zeros((-1, 2))
    with pytest.raises(ValueError):
        ss.zeros((2, 3)).reshape(4, 2)
    with pytest.raises(TypeError):
        ss.layers.IAF().reset_states(value_ranges={"v_mem": 3})
    native = ss.layers.IAF().native
    with pytest.raises(TypeError, match="low, high"):
        native.reset_states(True, {"v_mem": 3})
    with pytest.raises(TypeError, match="low, high"):
        native.reset_states(True, {"v_mem": [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError):
        native.reset_states(True, [("v_mem", (0, 1))])
    native.reset_states(True, {"v_mem": [0.0, 1.0]}, 5)  # any 2-sequence


def test_misaligned_and_foreign_byte_order_buffers():
    raw = bytearray(4 * 11)
    misaligned = np.frombuffer(memoryview(raw)[1:41], dtype=np.float32)
    with pytest.raises(ValueError, match="aligned"):
        ss.as_tensor(misaligned)
    with pytest.raises(TypeError, match="'>f'"):
        ss.as_tensor(np.zeros(3, dtype=">f4"))


def test_torch_tensor_requiring_grad_says_detach():
    with pytest.raises((BufferError, RuntimeError), match="detach"):
        ss.as_tensor(torch.zeros(3, requires_grad=True))


def test_recurrent_size_and_bias_mismatches():
    layer = ss.layers.IAFRecurrent(ss.Linear(3, 3, bias=False))
    with pytest.raises(ValueError, match="3 neurons"):
        layer(np.zeros((2, 3, 4), dtype=np.float32))
    with pytest.raises(ValueError):
        ss.layers.IAFRecurrent(types.SimpleNamespace(weight=np.eye(3, dtype=np.float32),
                                                     bias=np.zeros(4, dtype=np.float32)))
