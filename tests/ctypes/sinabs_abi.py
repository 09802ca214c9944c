"""libsinabs through ctypes: every function of include/sinabs.h declared with
its argument and result types, the options struct mirrored, and small helpers
(status checks, numpy <-> tensor). Only the test suite imports this."""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_float, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "sinabs.h"

OK, INVALID_ARGUMENT, SHAPE, OUT_OF_MEMORY, STATE, NOT_FOUND, INTERNAL = 0, -1, -2, -3, -4, -5, -99
IAF, LIF, EXPLEAK, ALIF = 1, 2, 3, 4
FORM_PLAIN, FORM_SQUEEZE, FORM_RECURRENT = 0, 1, 2
MAX_RANK = 8

status = c_int32
handle = c_void_p
out_handle = POINTER(c_void_p)
shape_p = POINTER(c_int64)
RELEASE_FN = CFUNCTYPE(None, c_void_p, c_void_p)  # (void *context, float *data)


class NeuronOptions(Structure):
    """sinabs_neuron_options, field by field in header order."""
    _fields_ = [
        ("struct_size", c_uint32), ("model", c_int32), ("form", c_int32),
        ("tau_mem", c_float), ("tau_syn", c_float), ("tau_adapt", c_float),
        ("adapt_scale", c_float), ("spike_threshold", c_float), ("spike_fn", c_int32),
        ("max_num_spikes_per_bin", c_int32), ("reset_fn", c_int32),
        ("subtract_value", c_float), ("reset_value", c_float), ("surrogate_fn", c_int32),
        ("grad_width", c_float), ("grad_scale", c_float), ("window", c_float),
        ("mu", c_float), ("sigma", c_float), ("h", c_float), ("s", c_float),
        ("min_v_mem", c_float), ("norm_input", c_int32), ("train_alphas", c_int32),
        ("record_states", c_int32), ("batch_size", c_int64), ("num_timesteps", c_int64),
        ("recurrent_features", c_int64),
    ]


class Conv2dOptions(Structure):
    """sinabs_conv2d_options, field by field in header order."""
    _fields_ = [
        ("struct_size", c_uint32), ("bias", c_int32), ("in_channels", c_int64),
        ("out_channels", c_int64), ("kernel_h", c_int64), ("kernel_w", c_int64),
        ("stride_h", c_int64), ("stride_w", c_int64), ("padding_h", c_int64),
        ("padding_w", c_int64), ("dilation_h", c_int64), ("dilation_w", c_int64),
        ("groups", c_int64), ("seed", c_uint64),
    ]


class Pool2dOptions(Structure):
    """sinabs_pool2d_options, field by field in header order."""
    _fields_ = [
        ("struct_size", c_uint32), ("ceil_mode", c_int32), ("kernel_h", c_int64),
        ("kernel_w", c_int64), ("stride_h", c_int64), ("stride_w", c_int64),
        ("padding_h", c_int64), ("padding_w", c_int64), ("dilation_h", c_int64),
        ("dilation_w", c_int64), ("count_include_pad", c_int32), ("divisor_override", c_int64),
    ]


class OptimizerOptions(Structure):
    """sinabs_optimizer_options, field by field in header order."""
    _fields_ = [
        ("struct_size", c_uint32), ("kind", c_int32), ("lr", c_float), ("momentum", c_float),
        ("dampening", c_float), ("weight_decay", c_float), ("nesterov", c_int32), ("beta1", c_float),
        ("beta2", c_float), ("eps", c_float), ("max_grad_norm", c_float),
    ]


LOSS_MSE, LOSS_CROSS_ENTROPY_SUM, LOSS_CROSS_ENTROPY_MEAN = 0, 1, 2
OPTIMIZER_SGD, OPTIMIZER_ADAM = 1, 2


# name: (restype, argtypes), in header order.
class NIROptions(Structure):
    """sinabs_nir_options, field by field in header order."""
    _fields_ = [
        ("struct_size", c_uint32), ("batch_size", c_int64), ("num_timesteps", c_int64),
        ("dt", c_float), ("reset_to_zero", c_int32), ("single_spike", c_int32),
    ]


SIGNATURES = {
    "sinabs_version_number": (c_uint32, []),
    "sinabs_version_string": (c_char_p, []),
    "sinabs_last_error": (c_char_p, []),
    "sinabs_status_name": (c_char_p, [status]),
    "sinabs_set_num_threads": (status, [c_int32]),
    "sinabs_get_num_threads": (c_int32, []),
    "sinabs_manual_seed": (None, [c_uint64]),
    "sinabs_tensor_create": (status, [out_handle, shape_p, c_int32]),
    "sinabs_tensor_create_copy": (status, [out_handle, shape_p, c_int32, c_void_p, c_int64]),
    "sinabs_tensor_wrap": (status, [out_handle, shape_p, c_int32, c_void_p, RELEASE_FN, c_void_p]),
    "sinabs_tensor_free": (None, [handle]),
    "sinabs_tensor_copy": (status, [out_handle, handle]),
    "sinabs_tensor_reshape": (status, [out_handle, handle, shape_p, c_int32]),
    "sinabs_tensor_data": (status, [POINTER(c_void_p), handle]),
    "sinabs_tensor_rank": (status, [POINTER(c_int32), handle]),
    "sinabs_tensor_shape": (status, [shape_p, c_int32, POINTER(c_int32), handle]),
    "sinabs_tensor_numel": (status, [POINTER(c_int64), handle]),
    "sinabs_tensor_copy_into": (status, [handle, handle]),
    "sinabs_neuron_options_init": (status, [POINTER(NeuronOptions), c_int32]),
    "sinabs_neuron_layer_create": (status, [out_handle, POINTER(NeuronOptions)]),
    "sinabs_layer_free": (None, [handle]),
    "sinabs_layer_forward": (status, [out_handle, handle, handle]),
    "sinabs_layer_forward_into": (status, [handle, handle, handle]),
    "sinabs_layer_reset_states": (status, [handle, c_int32, POINTER(c_char_p), POINTER(c_float),
                                           POINTER(c_float), c_int32, c_uint64]),
    "sinabs_layer_state_count": (status, [POINTER(c_int32), handle]),
    "sinabs_layer_state_name": (status, [POINTER(c_char_p), handle, c_int32]),
    "sinabs_layer_get_state": (status, [out_handle, handle, c_char_p]),
    "sinabs_layer_set_state": (status, [handle, c_char_p, handle]),
    "sinabs_layer_get_recording": (status, [out_handle, handle, c_char_p]),
    "sinabs_layer_firing_rate": (status, [POINTER(c_float), handle]),
    "sinabs_layer_parameter_count": (status, [POINTER(c_int32), handle]),
    "sinabs_layer_parameter_name": (status, [POINTER(c_char_p), handle, c_int32]),
    "sinabs_layer_get_parameter": (status, [out_handle, handle, c_char_p]),
    "sinabs_layer_set_parameter": (status, [handle, c_char_p, handle]),
    "sinabs_linear_layer_create": (status, [out_handle, c_int64, c_int64, c_int32]),
    "sinabs_conv2d_options_init": (status, [POINTER(Conv2dOptions), c_int64, c_int64, c_int64, c_int64]),
    "sinabs_conv2d_layer_create": (status, [out_handle, POINTER(Conv2dOptions)]),
    "sinabs_conv2d_layer_set_kernel": (status, [handle, c_int32]),
    "sinabs_pool2d_options_init": (status, [POINTER(Pool2dOptions), c_int64, c_int64]),
    "sinabs_avg_pool2d_layer_create": (status, [out_handle, POINTER(Pool2dOptions)]),
    "sinabs_sum_pool2d_layer_create": (status, [out_handle, POINTER(Pool2dOptions)]),
    "sinabs_max_pool2d_layer_create": (status, [out_handle, POINTER(Pool2dOptions)]),
    "sinabs_flatten_layer_create": (status, [out_handle, c_int32, c_int32]),
    "sinabs_flatten_time_layer_create": (status, [out_handle]),
    "sinabs_unflatten_time_layer_create": (status, [out_handle, c_int64]),
    "sinabs_zero_pad2d_layer_create": (status, [out_handle, c_int64, c_int64, c_int64, c_int64]),
    "sinabs_cropping2d_layer_create": (status, [out_handle, c_int64, c_int64, c_int64, c_int64]),
    "sinabs_channel_shift_layer_create": (status, [out_handle, c_int64, c_int32]),
    "sinabs_relu_layer_create": (status, [out_handle]),
    "sinabs_dropout_layer_create": (status, [out_handle, c_float, c_uint64]),
    "sinabs_repeat_layer_create": (status, [out_handle, handle]),
    "sinabs_merge_layer_create": (status, [out_handle]),
    "sinabs_layer_forward_pair": (status, [out_handle, handle, handle, handle]),
    "sinabs_layer_backward_pair": (status, [out_handle, out_handle, handle, handle]),
    "sinabs_model_create": (status, [out_handle]),
    "sinabs_model_free": (None, [handle]),
    "sinabs_model_append": (status, [handle, handle]),
    "sinabs_model_layer_count": (status, [POINTER(c_int32), handle]),
    "sinabs_model_get_layer": (status, [out_handle, handle, c_int32]),
    "sinabs_model_forward": (status, [out_handle, handle, handle]),
    "sinabs_model_reset_states": (status, [handle]),
    "sinabs_layer_set_training": (status, [handle, c_int32]),
    "sinabs_layer_backward": (status, [out_handle, handle, handle]),
    "sinabs_layer_get_grad": (status, [out_handle, handle, c_char_p]),
    "sinabs_layer_zero_grad": (status, [handle]),
    "sinabs_model_set_training": (status, [handle, c_int32]),
    "sinabs_model_build": (status, [handle, shape_p, c_int32]),
    "sinabs_model_backward": (status, [out_handle, handle, handle]),
    "sinabs_model_backward_parameters": (status, [handle, handle]),
    "sinabs_model_parameter_count": (status, [POINTER(c_int32), handle]),
    "sinabs_model_parameter_name": (status, [POINTER(c_char_p), handle, c_int32]),
    "sinabs_model_get_parameter": (status, [out_handle, handle, c_char_p]),
    "sinabs_model_get_grad": (status, [out_handle, handle, c_char_p]),
    "sinabs_model_zero_grad": (status, [handle]),
    "sinabs_model_clip_grad_norm": (status, [POINTER(c_float), handle, c_float]),
    "sinabs_model_summary": (status, [c_char_p, c_size_t, POINTER(c_size_t), handle]),
    "sinabs_model_save": (status, [handle, c_char_p, c_int32]),
    "sinabs_model_load": (status, [handle, c_char_p]),
    "sinabs_loss_compute": (status, [POINTER(c_float), out_handle, handle, handle, c_int32]),
    "sinabs_optimizer_options_init": (status, [POINTER(OptimizerOptions), c_int32]),
    "sinabs_optimizer_create": (status, [out_handle, handle, POINTER(OptimizerOptions)]),
    "sinabs_optimizer_free": (None, [handle]),
    "sinabs_optimizer_step": (status, [handle]),
    "sinabs_optimizer_zero_grad": (status, [handle]),
    "sinabs_model_train_step": (status, [POINTER(c_float), handle, handle, handle, handle, c_int32]),
    "sinabs_layer_create_described": (status, [out_handle, c_char_p, c_char_p]),
    "sinabs_layer_take_tape": (status, [out_handle, handle]),
    "sinabs_tape_backward": (status, [out_handle, POINTER(c_void_p), handle, handle,
                                      POINTER(c_void_p), POINTER(c_void_p), c_int32]),
    "sinabs_tape_free": (None, [handle]),
    "sinabs_model_from_ann": (status, [out_handle, handle, POINTER(NeuronOptions), c_float, c_int32, shape_p, c_int32]),
    "sinabs_analyzer_create": (status, [out_handle, handle, c_float]),
    "sinabs_analyzer_free": (None, [handle]),
    "sinabs_analyzer_reset": (status, [handle]),
    "sinabs_analyzer_model_statistics": (status, [POINTER(c_float), POINTER(c_float), POINTER(c_int64), handle, c_int32]),
    "sinabs_analyzer_statistics_json": (status, [c_char_p, c_size_t, POINTER(c_size_t), handle, c_int32]),
    "sinabs_img2spike_layer_create": (status, [out_handle, c_int64, c_float, c_float, c_int32, c_int32,
                                               POINTER(c_uint64)]),
    "sinabs_sig2spike_layer_create": (status, [out_handle, c_int64, c_int64, c_float, c_int32, POINTER(c_uint64)]),
    "sinabs_neuromorphic_relu_layer_create": (status, [out_handle, c_int32, c_int64, c_int32, POINTER(c_uint64)]),
    "sinabs_quantize_layer_create": (status, [out_handle, c_int32]),
    "sinabs_uniform_draws": (status, [POINTER(c_float), c_int64, c_uint64, c_uint64]),
    "sinabs_events_to_frames": (status, [out_handle, POINTER(c_double), POINTER(c_int32), POINTER(c_int32),
                                         POINTER(c_int32), c_int64, c_int64, c_int64, c_int64, c_double,
                                         POINTER(c_double)]),
    "sinabs_layer_share_parameter": (status, [handle, c_char_p, handle]),
    "sinabs_nir_options_init": (status, [POINTER(NIROptions)]),
    "sinabs_model_load_nir": (status, [out_handle, c_char_p, POINTER(NIROptions)]),
    "sinabs_model_save_nir": (status, [handle, c_char_p, shape_p, c_int32]),
}


def library_path():
    """$SINABS_LIBRARY (set by the Makefile), else the default build folder."""
    return os.environ.get("SINABS_LIBRARY") or str(REPO / "build" / "lib" / "libsinabs.so.0")


def load(path=None):
    lib = ctypes.CDLL(path or library_path())
    for name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class SinabsFailure(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check(lib, code):
    if code != OK:
        raise SinabsFailure(code, lib.sinabs_last_error().decode())


def shape_array(shape):
    return (c_int64 * max(len(shape), 1))(*shape)


def tensor_from(lib, array):
    """A new tensor holding a copy of `array` (float32)."""
    values = np.ascontiguousarray(array, dtype=np.float32)
    out = c_void_p()
    check(lib, lib.sinabs_tensor_create_copy(ctypes.byref(out), shape_array(values.shape), values.ndim,
                                             values.ctypes.data, values.size))
    return out


def shape_of(lib, tensor):
    dims = (c_int64 * MAX_RANK)()
    rank = c_int32()
    check(lib, lib.sinabs_tensor_shape(dims, MAX_RANK, ctypes.byref(rank), tensor))
    return tuple(dims[:rank.value])


def to_numpy(lib, tensor):
    """A copy of the tensor's data as a numpy array of its shape."""
    shape = shape_of(lib, tensor)
    data = c_void_p()
    check(lib, lib.sinabs_tensor_data(ctypes.byref(data), tensor))
    count = int(np.prod(shape)) if shape else 1
    if count == 0:
        return np.zeros(shape, dtype=np.float32)
    buffer = (c_float * count).from_address(data.value)
    return np.frombuffer(buffer, dtype=np.float32, count=count).reshape(shape).copy()


def neuron_options(lib, model, **fields):
    options = NeuronOptions()
    check(lib, lib.sinabs_neuron_options_init(ctypes.byref(options), model))
    for name, value in fields.items():
        setattr(options, name, value)
    return options


def neuron_layer(lib, model, **fields):
    options = neuron_options(lib, model, **fields)
    out = c_void_p()
    check(lib, lib.sinabs_neuron_layer_create(ctypes.byref(out), ctypes.byref(options)))
    return out


def header_functions(path=HEADER):
    """{name: parameter count} of every function declared in the header."""
    import re
    text = Path(path).read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)       # comments
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.M | re.S)  # preprocessor lines
    text = re.sub(r"typedef\s+struct\s+\w+\s*\{.*?\}\s*\w+\s*;", " ", text, flags=re.S)  # struct bodies
    text = re.sub(r"typedef[^;]*;", " ", text)                # other typedefs (incl. the release fn)
    functions = {}
    for match in re.finditer(r"\b(sinabs_\w+)\s*\(([^)]*)\)\s*;", text):
        params = match.group(2).strip()
        functions[match.group(1)] = 0 if params in ("", "void") else params.count(",") + 1
    return functions
