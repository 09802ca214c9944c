/*
 * _native.c -- module sinabs_swift._native: init, module state and the
 * module-level functions. Types live in tensor.c, layer.c and model.c.
 */
#include "native.h"

static struct PyModuleDef native_module;

native_state *native_state_of_type(PyTypeObject *type) {
  /* Our types are not subclassable, so the defining module is the type's. */
  return PyType_GetModuleState(type);
}

static PyObject *as_tensor(PyObject *module, PyObject *obj) {
  native_state *state = PyModule_GetState(module);
  if (PyObject_TypeCheck(obj, state->tensor_type)) return Py_NewRef(obj);
  int readonly = 0;
  sinabs_tensor *handle = native_acquire(state, obj, "as_tensor", &readonly);
  if (handle == NULL) return NULL;
  return native_tensor_new(state, handle, readonly);
}

static PyObject *zeros(PyObject *module, PyObject *shape_obj) {
  int64_t shape[SINABS_MAX_RANK];
  int32_t rank = 0;
  if (native_parse_shape(shape_obj, shape, &rank) < 0) return NULL;
  sinabs_tensor *handle = NULL;
  sinabs_status status = sinabs_tensor_create(&handle, shape, rank);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(PyModule_GetState(module), handle, 0);
}

static PyObject *library_version(PyObject *module, PyObject *unused) {
  (void)module;
  (void)unused;
  return PyUnicode_FromString(sinabs_version_string());
}

static PyObject *set_num_threads(PyObject *module, PyObject *arg) {
  (void)module;
  long n = PyLong_AsLong(arg);
  if (n == -1 && PyErr_Occurred()) return NULL;
  if (n < 1 || n > 256) return PyErr_Format(PyExc_ValueError, "n must be 1..256, got %ld", n);
  sinabs_status status = sinabs_set_num_threads((int32_t)n);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *get_num_threads(PyObject *module, PyObject *unused) {
  (void)module;
  (void)unused;
  return PyLong_FromLong(sinabs_get_num_threads());
}

static PyObject *manual_seed(PyObject *module, PyObject *arg) {
  (void)module;
  unsigned long long seed = PyLong_AsUnsignedLongLong(arg);
  if (seed == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
  sinabs_manual_seed((uint64_t)seed);
  Py_RETURN_NONE;
}

static PyMethodDef native_functions[] = {
    {"as_tensor", as_tensor, METH_O,
     "as_tensor(obj) -> Tensor viewing obj's memory without copying.\n\n"
     "obj: a Tensor (returned as is), a float32 C-contiguous buffer (numpy), a CPU\n"
     "tensor with __dlpack__ (torch), or a DLPack capsule. TypeError for other dtypes,\n"
     "ValueError for non-contiguous layouts and non-CPU devices."},
    {"zeros", zeros, METH_O, "zeros(shape) -> a new zero-filled Tensor."},
    {"library_version", library_version, METH_NOARGS, "The loaded libsinabs version string."},
    {"set_num_threads", set_num_threads, METH_O, "set_num_threads(n): threads for large calls."},
    {"get_num_threads", get_num_threads, METH_NOARGS, "Threads used for large calls."},
    {"manual_seed", manual_seed, METH_O,
     "manual_seed(seed): seed (0 <= seed < 2**64) the generator of new layers' parameters."},
    {"neuron_layer", (PyCFunction)(void (*)(void))native_neuron_layer,
     METH_VARARGS | METH_KEYWORDS,
     "neuron_layer(model, **options) -> Layer\n\n"
     "model: NEURON_IAF, NEURON_LIF, NEURON_EXPLEAK or NEURON_ALIF. options: any field of\n"
     "sinabs_neuron_options by its C name (tau_mem=..., form=FORM_SQUEEZE, batch_size=...);\n"
     "unset fields keep sinabs' defaults; None for float fields means sinabs' None."},
    {"linear_layer", (PyCFunction)(void (*)(void))native_linear_layer,
     METH_VARARGS | METH_KEYWORDS,
     "linear_layer(in_features, out_features, bias=True) -> Layer computing x W^T + b."},
    {"create_layer", native_create_layer, METH_VARARGS,
     "create_layer(kind, *args) -> Layer: a conv, pool or shape layer by its create's\n"
     "arguments in header order (kind: conv2d, avg_pool2d, sum_pool2d, max_pool2d, flatten,\n"
     "flatten_time, unflatten_time, zero_pad2d, cropping2d, channel_shift, relu, dropout,\n"
     "repeat, merge). sinabs_swift.layers wraps these with torch's arguments."},
    {"described_layer", native_described_layer, METH_VARARGS,
     "described_layer(kind, arguments_json) -> Layer of any kind a model file holds\n"
     "(\"Conv2d\", '{\"in_channels\": 1, \"out_channels\": 8, \"kernel_size\": 3}')."},
    {"loss", (PyCFunction)(void (*)(void))native_loss, METH_VARARGS | METH_KEYWORDS,
     "loss(output, target, kind) -> (value, gradient Tensor)\n\n"
     "kind: LOSS_MSE (target of the output's shape), LOSS_CROSS_ENTROPY_SUM or _MEAN\n"
     "(target: Batch class indices; output (Batch, Time, C) or (Batch*Time, C))."},
    {"model_from_ann", (PyCFunction)(void (*)(void))native_model_from_ann, METH_VARARGS | METH_KEYWORDS,
     "model_from_ann(ann, model, bias_rescaling, add_spiking_output, input_shape, **options) -> Model\n\n"
     "sinabs' from_model on a Model: ReLUs become neuron layers of `model` with `options`\n"
     "(as neuron_layer); input_shape: a tuple or None."},
    {"analyzer_create", native_analyzer_create, METH_VARARGS,
     "analyzer_create(model, dt) -> capsule of a sinabs_analyzer recording the model's forwards."},
    {"analyzer_json", native_analyzer_json, METH_VARARGS,
     "analyzer_json(analyzer, average) -> the statistics as JSON (sinabs_analyzer_statistics_json)."},
    {"analyzer_reset", native_analyzer_reset, METH_O, "analyzer_reset(analyzer): forget the forwards so far."},
    {"events_to_frames", native_events_to_frames, METH_VARARGS,
     "events_to_frames(t, x, y, p, height, width, n_time_bins, time_window, t_start) -> Tensor\n\n"
     "sinabs_events_to_frames: t float64, x, y, p int32 C-contiguous buffers of one length;\n"
     "n_time_bins 0 with time_window > 0, or n_time_bins >= 1 with time_window 0; t_start or None."},
    {"uniform_draws", native_uniform_draws, METH_VARARGS,
     "uniform_draws(count, seed, first_draw) -> Tensor of the encoders' stream draws (sinabs_uniform_draws)."},
    {NULL, NULL, 0, NULL},
};

static int add_int(PyObject *module, const char *name, long value) {
  return PyModule_AddIntConstant(module, name, value);
}

static int native_exec(PyObject *module) {
  native_state *state = PyModule_GetState(module);
  state->tensor_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &native_tensor_spec, NULL);
  if (state->tensor_type == NULL || PyModule_AddType(module, state->tensor_type) < 0) return -1;
  state->layer_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &native_layer_spec, NULL);
  if (state->layer_type == NULL || PyModule_AddType(module, state->layer_type) < 0) return -1;
  state->model_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &native_model_spec, NULL);
  if (state->model_type == NULL || PyModule_AddType(module, state->model_type) < 0) return -1;
  state->optimizer_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &native_optimizer_spec, NULL);
  if (state->optimizer_type == NULL || PyModule_AddType(module, state->optimizer_type) < 0) return -1;
  if (add_int(module, "NEURON_IAF", SINABS_NEURON_IAF) < 0 ||
      add_int(module, "NEURON_LIF", SINABS_NEURON_LIF) < 0 ||
      add_int(module, "NEURON_EXPLEAK", SINABS_NEURON_EXPLEAK) < 0 ||
      add_int(module, "NEURON_ALIF", SINABS_NEURON_ALIF) < 0 ||
      add_int(module, "FORM_PLAIN", SINABS_FORM_PLAIN) < 0 ||
      add_int(module, "FORM_SQUEEZE", SINABS_FORM_SQUEEZE) < 0 ||
      add_int(module, "FORM_RECURRENT", SINABS_FORM_RECURRENT) < 0 ||
      add_int(module, "SPIKE_MULTI", SINABS_SPIKE_MULTI) < 0 ||
      add_int(module, "SPIKE_SINGLE", SINABS_SPIKE_SINGLE) < 0 ||
      add_int(module, "SPIKE_MAX", SINABS_SPIKE_MAX) < 0 ||
      add_int(module, "RESET_SUBTRACT", SINABS_RESET_SUBTRACT) < 0 ||
      add_int(module, "RESET_MEMBRANE", SINABS_RESET_MEMBRANE) < 0 ||
      add_int(module, "SURROGATE_SINGLE_EXPONENTIAL", SINABS_SURROGATE_SINGLE_EXPONENTIAL) < 0 ||
      add_int(module, "SURROGATE_HEAVISIDE", SINABS_SURROGATE_HEAVISIDE) < 0 ||
      add_int(module, "SURROGATE_GAUSSIAN", SINABS_SURROGATE_GAUSSIAN) < 0 ||
      add_int(module, "SURROGATE_MULTI_GAUSSIAN", SINABS_SURROGATE_MULTI_GAUSSIAN) < 0 ||
      add_int(module, "SURROGATE_PERIODIC_EXPONENTIAL", SINABS_SURROGATE_PERIODIC_EXPONENTIAL) < 0 ||
      add_int(module, "MAX_RANK", SINABS_MAX_RANK) < 0 ||
      add_int(module, "CONV_KERNEL_AUTO", SINABS_CONV_KERNEL_AUTO) < 0 ||
      add_int(module, "CONV_KERNEL_DENSE", SINABS_CONV_KERNEL_DENSE) < 0 ||
      add_int(module, "CONV_KERNEL_SPARSE", SINABS_CONV_KERNEL_SPARSE) < 0 ||
      add_int(module, "LOSS_MSE", SINABS_LOSS_MSE) < 0 ||
      add_int(module, "LOSS_CROSS_ENTROPY_SUM", SINABS_LOSS_CROSS_ENTROPY_SUM) < 0 ||
      add_int(module, "LOSS_CROSS_ENTROPY_MEAN", SINABS_LOSS_CROSS_ENTROPY_MEAN) < 0 ||
      add_int(module, "OPTIMIZER_SGD", SINABS_OPTIMIZER_SGD) < 0 ||
      add_int(module, "OPTIMIZER_ADAM", SINABS_OPTIMIZER_ADAM) < 0) {
    return -1;
  }
  /* Header and library must agree on the major version (the soname pins the ABI). */
  if (sinabs_version_number() / 10000 != SINABS_VERSION_MAJOR) {
    PyErr_Format(PyExc_ImportError, "libsinabs %s does not match the header version %d.%d.%d",
                 sinabs_version_string(), SINABS_VERSION_MAJOR, SINABS_VERSION_MINOR,
                 SINABS_VERSION_PATCH);
    return -1;
  }
  return 0;
}

static int native_traverse(PyObject *module, visitproc visit, void *arg) {
  native_state *state = PyModule_GetState(module);
  Py_VISIT(state->tensor_type);
  Py_VISIT(state->layer_type);
  Py_VISIT(state->model_type);
  Py_VISIT(state->optimizer_type);
  Py_VISIT(state->torch_tensor_type);
  Py_VISIT(state->torch_to_dlpack);
  return 0;
}

static int native_clear(PyObject *module) {
  native_state *state = PyModule_GetState(module);
  Py_CLEAR(state->tensor_type);
  Py_CLEAR(state->layer_type);
  Py_CLEAR(state->model_type);
  Py_CLEAR(state->optimizer_type);
  Py_CLEAR(state->torch_tensor_type);
  Py_CLEAR(state->torch_to_dlpack);
  return 0;
}

static void native_free(void *module) { native_clear((PyObject *)module); }

static PyModuleDef_Slot native_slots[] = {
    {Py_mod_exec, native_exec},
    {0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sinabs_swift._native",
    .m_doc = "CPython binding of libsinabs (include/sinabs.h): Tensor, Layer, Model.",
    .m_size = sizeof(native_state),
    .m_methods = native_functions,
    .m_slots = native_slots,
    .m_traverse = native_traverse,
    .m_clear = native_clear,
    .m_free = native_free,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModuleDef_Init(&native_module); }
