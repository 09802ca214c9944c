"""Minimal ctypes access to libsinabs.so for the benchmarks: neuron layers fed
zero-copy from numpy (sinabs_tensor_wrap) and written into a reused output
(sinabs_layer_forward_into). Independent of the Python binding."""
import ctypes
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LIBRARY = os.path.join(HERE, "..", "build", "lib", "libsinabs.so.0")

MODELS = {"IAF": 1, "LIF": 2, "ExpLeak": 3, "ALIF": 4}


class NeuronOptions(ctypes.Structure):
    """Mirror of sinabs_neuron_options (include/sinabs.h); checked against
    the struct_size that sinabs_neuron_options_init writes."""
    _fields_ = [
        ("struct_size", ctypes.c_uint32), ("model", ctypes.c_int32), ("form", ctypes.c_int32),
        ("tau_mem", ctypes.c_float), ("tau_syn", ctypes.c_float), ("tau_adapt", ctypes.c_float),
        ("adapt_scale", ctypes.c_float), ("spike_threshold", ctypes.c_float),
        ("spike_fn", ctypes.c_int32), ("max_num_spikes_per_bin", ctypes.c_int32),
        ("reset_fn", ctypes.c_int32), ("subtract_value", ctypes.c_float),
        ("reset_value", ctypes.c_float), ("surrogate_fn", ctypes.c_int32),
        ("grad_width", ctypes.c_float), ("grad_scale", ctypes.c_float), ("window", ctypes.c_float),
        ("mu", ctypes.c_float), ("sigma", ctypes.c_float), ("h", ctypes.c_float), ("s", ctypes.c_float),
        ("min_v_mem", ctypes.c_float), ("norm_input", ctypes.c_int32),
        ("train_alphas", ctypes.c_int32), ("record_states", ctypes.c_int32),
        ("batch_size", ctypes.c_int64), ("num_timesteps", ctypes.c_int64),
        ("recurrent_features", ctypes.c_int64),
    ]


def load(path=None):
    path = path or os.environ.get("SINABS_LIBRARY") or DEFAULT_LIBRARY
    lib = ctypes.CDLL(path)
    vp, i32, i64p = ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64)
    lib.sinabs_last_error.restype = ctypes.c_char_p
    lib.sinabs_neuron_options_init.argtypes = [ctypes.POINTER(NeuronOptions), i32]
    lib.sinabs_neuron_layer_create.argtypes = [ctypes.POINTER(vp), ctypes.POINTER(NeuronOptions)]
    lib.sinabs_layer_free.argtypes = [vp]
    lib.sinabs_layer_free.restype = None
    lib.sinabs_tensor_wrap.argtypes = [ctypes.POINTER(vp), i64p, i32, vp, vp, vp]
    lib.sinabs_tensor_free.argtypes = [vp]
    lib.sinabs_tensor_free.restype = None
    lib.sinabs_layer_forward_into.argtypes = [vp, vp, vp]
    lib.sinabs_layer_forward.argtypes = [ctypes.POINTER(vp), vp, vp]
    lib.sinabs_layer_firing_rate.argtypes = [ctypes.POINTER(ctypes.c_float), vp]
    lib.sinabs_set_num_threads.argtypes = [i32]
    return lib


def check(lib, status):
    if status != 0:
        raise RuntimeError(f"libsinabs status {status}: {lib.sinabs_last_error().decode()}")


class Wrapped:
    """A sinabs_tensor over a C-contiguous float32 numpy array (no copy); the
    array must outlive it."""

    def __init__(self, lib, array):
        assert array.dtype == np.float32 and array.flags.c_contiguous
        self.lib, self.array = lib, array
        shape = (ctypes.c_int64 * array.ndim)(*array.shape)
        self.handle = ctypes.c_void_p()
        check(lib, lib.sinabs_tensor_wrap(ctypes.byref(self.handle), shape, array.ndim,
                                          array.ctypes.data, None, None))

    def __del__(self):
        self.lib.sinabs_tensor_free(self.handle)


class NeuronLayer:
    def __init__(self, lib, model, **fields):
        self.lib = lib
        options = NeuronOptions()
        check(lib, lib.sinabs_neuron_options_init(ctypes.byref(options), MODELS[model]))
        assert options.struct_size == ctypes.sizeof(NeuronOptions), "NeuronOptions mirror is stale"
        for name, value in fields.items():
            setattr(options, name, value)
        self.handle = ctypes.c_void_p()
        check(lib, lib.sinabs_neuron_layer_create(ctypes.byref(self.handle), ctypes.byref(options)))

    def forward_into(self, output, input):
        check(self.lib, self.lib.sinabs_layer_forward_into(output.handle, self.handle, input.handle))

    def forward_new(self, input):
        """sinabs_layer_forward: a new output tensor per call (freed here)."""
        out = ctypes.c_void_p()
        check(self.lib, self.lib.sinabs_layer_forward(ctypes.byref(out), self.handle, input.handle))
        self.lib.sinabs_tensor_free(out)

    @property
    def firing_rate(self):
        rate = ctypes.c_float()
        check(self.lib, self.lib.sinabs_layer_firing_rate(ctypes.byref(rate), self.handle))
        return rate.value

    def __del__(self):
        self.lib.sinabs_layer_free(self.handle)
