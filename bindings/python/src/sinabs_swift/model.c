/* model.c -- sinabs_swift._native.Model: a sequence of layers run in order. */
#include "native.h"

/* A new Model object owning `handle` (freed here if the object cannot be made). */
static PyObject *model_wrap(PyTypeObject *type, sinabs_model *handle) {
  ModelObject *self = (ModelObject *)type->tp_alloc(type, 0);
  if (self == NULL) {
    sinabs_model_free(handle);
    return NULL;
  }
  self->handle = handle;
  self->busy = 0;
  return (PyObject *)self;
}

static PyObject *model_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
  if (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0) {
    PyErr_SetString(PyExc_TypeError, "Model() takes no keyword arguments");
    return NULL;
  }
  if (!PyArg_ParseTuple(args, ":Model")) return NULL;
  sinabs_model *handle = NULL;
  sinabs_status status = sinabs_model_create(&handle);
  if (status != SINABS_OK) return native_fail(status);
  return model_wrap(type, handle);
}

static void model_dealloc(ModelObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  sinabs_model_free(self->handle);
  type->tp_free(self);
  Py_DECREF(type);
}

/* RuntimeError while another thread runs forward on this model (see
 * layer_enter in layer.c: the flag is tested and set under the GIL before
 * anything can run Python code). libsinabs marks the model and each of its
 * layers itself too, so a layer shared with another model or used directly
 * in another thread also fails cleanly (STATE, a RuntimeError). */
static int model_in_use(ModelObject *self) {
  if (self->busy) {
    PyErr_SetString(PyExc_RuntimeError,
                    "this model is running forward in another thread; a model runs one call at a time");
  }
  return self->busy;
}

/* Marks the model busy and acquires `obj` (the mark comes first: __dlpack__
 * may run Python code that calls the model); NULL with the mark cleared and
 * an exception set on failure. The caller clears the mark after its call. */
static sinabs_tensor *model_enter_with(ModelObject *self, native_state *state, PyObject *obj,
                                       const char *name) {
  if (model_in_use(self)) return NULL;
  self->busy = 1;
  sinabs_tensor *tensor = native_acquire(state, obj, name, NULL);
  if (tensor == NULL) self->busy = 0;
  return tensor;
}

static PyObject *model_append(ModelObject *self, PyObject *layer) {
  native_state *state = native_state_of_type(Py_TYPE(self));
  if (model_in_use(self)) return NULL;
  if (!PyObject_TypeCheck(layer, state->layer_type)) {
    return PyErr_Format(PyExc_TypeError, "append() takes a _native.Layer, got %s",
                        Py_TYPE(layer)->tp_name);
  }
  sinabs_status status = sinabs_model_append(self->handle, ((LayerObject *)layer)->handle);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static Py_ssize_t model_length(ModelObject *self) {
  int32_t count = 0;
  if (model_in_use(self)) return -1;
  sinabs_status status = sinabs_model_layer_count(&count, self->handle);
  if (status != SINABS_OK) {
    native_fail(status);
    return -1;
  }
  return count;
}

static PyObject *model_item(ModelObject *self, Py_ssize_t index) {
  Py_ssize_t count = model_length(self);
  if (count < 0) return NULL;
  if (index < 0 || index >= count) {
    PyErr_SetString(PyExc_IndexError, "layer index out of range");
    return NULL;
  }
  sinabs_layer *layer = NULL;
  sinabs_status status = sinabs_model_get_layer(&layer, self->handle, (int32_t)index);
  if (status != SINABS_OK) return native_fail(status);
  return native_layer_new(native_state_of_type(Py_TYPE(self)), layer);
}

static PyObject *model_forward(ModelObject *self, PyObject *input_obj) {
  native_state *state = native_state_of_type(Py_TYPE(self));
  sinabs_tensor *input = model_enter_with(self, state, input_obj, "input");
  if (input == NULL) return NULL;
  sinabs_tensor *output = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_model_forward(&output, self->handle, input);
  Py_END_ALLOW_THREADS
  self->busy = 0;
  sinabs_tensor_free(input);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(state, output, 0);
}

static PyObject *model_reset_states(ModelObject *self, PyObject *unused) {
  (void)unused;
  if (model_in_use(self)) return NULL;
  sinabs_status status = sinabs_model_reset_states(self->handle);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

/* ---- training, parameters, files (sinabs.h "Models") ------------------------- */

static PyObject *model_set_training(ModelObject *self, PyObject *flag) {
  if (model_in_use(self)) return NULL;
  int training = PyObject_IsTrue(flag);
  if (training < 0) return NULL;
  sinabs_status status = sinabs_model_set_training(self->handle, training);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_build(ModelObject *self, PyObject *shape_obj) {
  int64_t shape[SINABS_MAX_RANK];
  int32_t rank = 0;
  if (model_in_use(self)) return NULL;
  if (native_parse_shape(shape_obj, shape, &rank) < 0) return NULL;
  sinabs_status status = sinabs_model_build(self->handle, shape, rank);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_backward(ModelObject *self, PyObject *grad_obj) {
  native_state *state = native_state_of_type(Py_TYPE(self));
  sinabs_tensor *grad = model_enter_with(self, state, grad_obj, "grad_output");
  if (grad == NULL) return NULL;
  sinabs_tensor *grad_input = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_model_backward(&grad_input, self->handle, grad);
  Py_END_ALLOW_THREADS
  self->busy = 0;
  sinabs_tensor_free(grad);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(state, grad_input, 0);
}

static PyObject *model_backward_parameters(ModelObject *self, PyObject *grad_obj) {
  native_state *state = native_state_of_type(Py_TYPE(self));
  sinabs_tensor *grad = model_enter_with(self, state, grad_obj, "grad_output");
  if (grad == NULL) return NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_model_backward_parameters(self->handle, grad);
  Py_END_ALLOW_THREADS
  self->busy = 0;
  sinabs_tensor_free(grad);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_parameter_names(ModelObject *self, PyObject *unused) {
  (void)unused;
  if (model_in_use(self)) return NULL;
  int32_t count = 0;
  sinabs_status status = sinabs_model_parameter_count(&count, self->handle);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *names = PyTuple_New(count);
  if (names == NULL) return NULL;
  for (int32_t i = 0; i < count; i++) {
    const char *name = NULL;
    status = sinabs_model_parameter_name(&name, self->handle, i);
    PyObject *text = status == SINABS_OK ? PyUnicode_FromString(name) : native_fail(status);
    if (text == NULL) {
      Py_DECREF(names);
      return NULL;
    }
    PyTuple_SET_ITEM(names, i, text);
  }
  return names;
}

typedef sinabs_status (*model_getter)(sinabs_tensor **, const sinabs_model *, const char *);

static PyObject *model_get_named(ModelObject *self, PyObject *name_obj, model_getter get) {
  if (model_in_use(self)) return NULL;
  const char *name = PyUnicode_AsUTF8(name_obj);
  if (name == NULL) return NULL;
  sinabs_tensor *tensor = NULL;
  sinabs_status status = get(&tensor, self->handle, name);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(native_state_of_type(Py_TYPE(self)), tensor, 0);
}

static PyObject *model_get_parameter(ModelObject *self, PyObject *name) {
  return model_get_named(self, name, sinabs_model_get_parameter);
}

static PyObject *model_grad(ModelObject *self, PyObject *name) {
  return model_get_named(self, name, sinabs_model_get_grad);
}

static PyObject *model_zero_grad(ModelObject *self, PyObject *unused) {
  (void)unused;
  if (model_in_use(self)) return NULL;
  sinabs_status status = sinabs_model_zero_grad(self->handle);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_clip_grad_norm(ModelObject *self, PyObject *max_norm_obj) {
  double max_norm = PyFloat_AsDouble(max_norm_obj);
  if (max_norm == -1.0 && PyErr_Occurred()) return NULL;
  if (model_in_use(self)) return NULL;
  float total = 0;
  sinabs_status status = sinabs_model_clip_grad_norm(&total, self->handle, (float)max_norm);
  if (status != SINABS_OK) return native_fail(status);
  return PyFloat_FromDouble(total);
}

static PyObject *model_summary(ModelObject *self, PyObject *unused) {
  (void)unused;
  if (model_in_use(self)) return NULL;
  size_t length = 0;
  sinabs_status status = sinabs_model_summary(NULL, 0, &length, self->handle);
  if (status != SINABS_OK) return native_fail(status);
  char *text = PyMem_Malloc(length + 1);
  if (text == NULL) return PyErr_NoMemory();
  status = sinabs_model_summary(text, length + 1, &length, self->handle);
  PyObject *result = status == SINABS_OK ? PyUnicode_FromStringAndSize(text, (Py_ssize_t)length) : native_fail(status);
  PyMem_Free(text);
  return result;
}

static PyObject *model_save(ModelObject *self, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"path", "include_states", NULL};
  PyObject *path_obj = NULL;
  int include_states = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|p:save", keywords, PyUnicode_FSConverter, &path_obj,
                                   &include_states)) {
    return NULL;
  }
  sinabs_status status = SINABS_OK;
  if (!model_in_use(self)) status = sinabs_model_save(self->handle, PyBytes_AS_STRING(path_obj), include_states);
  Py_DECREF(path_obj);
  if (PyErr_Occurred()) return NULL;
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_load(ModelObject *self, PyObject *path_arg) {
  PyObject *path_obj = NULL;
  if (!PyUnicode_FSConverter(path_arg, &path_obj)) return NULL;
  sinabs_status status = SINABS_OK;
  if (!model_in_use(self)) status = sinabs_model_load(self->handle, PyBytes_AS_STRING(path_obj));
  Py_DECREF(path_obj);
  if (PyErr_Occurred()) return NULL;
  if (status == SINABS_ERR_NOT_FOUND) {
    return PyErr_Format(PyExc_FileNotFoundError, "%s", sinabs_last_error());
  }
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *model_train_step(ModelObject *self, PyObject *args) {
  native_state *state = native_state_of_type(Py_TYPE(self));
  PyObject *optimizer_obj, *input_obj, *target_obj;
  int loss_kind;
  if (!PyArg_ParseTuple(args, "O!OOi:train_step", state->optimizer_type, &optimizer_obj, &input_obj, &target_obj,
                        &loss_kind)) {
    return NULL;
  }
  OptimizerObject *optimizer = (OptimizerObject *)optimizer_obj;
  if (model_in_use(self)) return NULL;
  if (optimizer->busy) {
    PyErr_SetString(PyExc_RuntimeError, "this optimizer is running in another thread");
    return NULL;
  }
  self->busy = 1; /* before acquiring: __dlpack__ may run Python code */
  optimizer->busy = 1;
  sinabs_tensor *input = native_acquire(state, input_obj, "input", NULL);
  sinabs_tensor *target = input == NULL ? NULL : native_acquire(state, target_obj, "target", NULL);
  if (target == NULL) {
    sinabs_tensor_free(input);
    self->busy = 0;
    optimizer->busy = 0;
    return NULL;
  }
  float loss = 0;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_model_train_step(&loss, self->handle, optimizer->handle, input, target, loss_kind);
  Py_END_ALLOW_THREADS
  self->busy = 0;
  optimizer->busy = 0;
  sinabs_tensor_free(input);
  sinabs_tensor_free(target);
  if (status != SINABS_OK) return native_fail(status);
  return PyFloat_FromDouble(loss);
}

/* Model.load_nir(path, batch_size=0, num_timesteps=0, dt=0, reset_to_zero=False, single_spike=False): a new
 * model read from a .nir file (sinabs_model_load_nir). */
static PyObject *model_load_nir(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"path", "batch_size", "num_timesteps", "dt", "reset_to_zero", "single_spike", NULL};
  PyObject *path_obj = NULL;
  long long batch_size = 0, num_timesteps = 0;
  double dt = 0;
  int reset_to_zero = 0, single_spike = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|LLdpp:load_nir", keywords, PyUnicode_FSConverter, &path_obj,
                                   &batch_size, &num_timesteps, &dt, &reset_to_zero, &single_spike)) {
    return NULL;
  }
  sinabs_nir_options options;
  sinabs_nir_options_init(&options);
  options.batch_size = batch_size;
  options.num_timesteps = num_timesteps;
  options.dt = (float)dt;
  options.reset_to_zero = reset_to_zero;
  options.single_spike = single_spike;
  sinabs_model *handle = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_model_load_nir(&handle, PyBytes_AS_STRING(path_obj), &options);
  Py_END_ALLOW_THREADS
  Py_DECREF(path_obj);
  if (status == SINABS_ERR_NOT_FOUND) return PyErr_Format(PyExc_FileNotFoundError, "%s", sinabs_last_error());
  if (status != SINABS_OK) return native_fail(status);
  return model_wrap(type, handle);
}

static PyObject *model_save_nir(ModelObject *self, PyObject *args) {
  PyObject *path_obj = NULL, *shape_obj = NULL;
  if (!PyArg_ParseTuple(args, "O&O:save_nir", PyUnicode_FSConverter, &path_obj, &shape_obj)) return NULL;
  int64_t shape[SINABS_MAX_RANK];
  int32_t rank = 0;
  sinabs_status status = SINABS_OK;
  if (!model_in_use(self) && native_parse_shape(shape_obj, shape, &rank) == 0) {
    status = sinabs_model_save_nir(self->handle, PyBytes_AS_STRING(path_obj), shape, rank);
  }
  Py_DECREF(path_obj);
  if (PyErr_Occurred()) return NULL;
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyMethodDef model_methods[] = {
    {"append", (PyCFunction)model_append, METH_O,
     "append(layer): add a _native.Layer at the end (the model keeps its own reference)."},
    {"forward", (PyCFunction)model_forward, METH_O,
     "forward(input) -> Tensor: the layers in order. Releases the GIL."},
    {"reset_states", (PyCFunction)model_reset_states, METH_NOARGS,
     "Zero the states of every neuron layer."},
    {"set_training", (PyCFunction)model_set_training, METH_O,
     "set_training(flag): training mode for the model and every layer."},
    {"build", (PyCFunction)model_build, METH_O,
     "build(shape): check every layer's output shape for inputs of `shape` (ValueError names the layer)."},
    {"backward", (PyCFunction)model_backward, METH_O,
     "backward(grad_output) -> Tensor: gradient w.r.t. the input of the last training forward,\n"
     "through every layer in reverse; parameter gradients accumulate. Releases the GIL."},
    {"backward_parameters", (PyCFunction)model_backward_parameters, METH_O,
     "backward_parameters(grad_output): backward for the parameter gradients only (a first\n"
     "Conv2d or Linear skips the input gradient). Releases the GIL."},
    {"parameter_names", (PyCFunction)model_parameter_names, METH_NOARGS,
     "The parameter names, torch-style (\"0.weight\", \"1.tau_mem\"), a tuple."},
    {"get_parameter", (PyCFunction)model_get_parameter, METH_O,
     "get_parameter(name) -> Tensor sharing the parameter's memory."},
    {"grad", (PyCFunction)model_grad, METH_O,
     "grad(name) -> Tensor sharing the gradient accumulator (KeyError for fixed parameters)."},
    {"zero_grad", (PyCFunction)model_zero_grad, METH_NOARGS, "Zero every gradient accumulator."},
    {"clip_grad_norm", (PyCFunction)model_clip_grad_norm, METH_O,
     "clip_grad_norm(max_norm) -> total norm before clipping (torch.nn.utils.clip_grad_norm_)."},
    {"summary", (PyCFunction)model_summary, METH_NOARGS, "A table of layers, shapes, parameters, firing rates."},
    {"save", (PyCFunction)(void (*)(void))model_save, METH_VARARGS | METH_KEYWORDS,
     "save(path, include_states=False): one safetensors file with the architecture in its metadata."},
    {"load", (PyCFunction)model_load, METH_O,
     "load(path): replace the layers by the file's; on error the model is unchanged."},
    {"load_nir", (PyCFunction)(void (*)(void))model_load_nir, METH_CLASS | METH_VARARGS | METH_KEYWORDS,
     "load_nir(path, batch_size=0, num_timesteps=0, dt=0.0, reset_to_zero=False, single_spike=False) -> Model\n"
     "read from a .nir "
     "file (squeeze-form neurons: give batch_size or num_timesteps; dt 0: sinabs' time convention)."},
    {"save_nir", (PyCFunction)model_save_nir, METH_VARARGS,
     "save_nir(path, input_shape): write the model as a .nir file (input_shape without the batch dimension)."},
    {"train_step", (PyCFunction)model_train_step, METH_VARARGS,
     "train_step(optimizer, input, target, loss_kind) -> loss: zero_grad, forward, loss, backward,\n"
     "clip (optimizer's max_grad_norm), update. Releases the GIL."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot model_slots[] = {
    {Py_tp_doc, "Model() -> an empty sequence of _native.Layer objects (sinabs_model*).\n"
                "len(model), model[i] (a new reference to layer i)."},
    {Py_tp_new, model_new},
    {Py_tp_dealloc, model_dealloc},
    {Py_tp_methods, model_methods},
    {Py_sq_length, model_length},
    {Py_sq_item, model_item},
    {0, NULL},
};

PyType_Spec native_model_spec = {
    .name = "sinabs_swift._native.Model",
    .basicsize = sizeof(ModelObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = model_slots,
};

/* Module function: a layer of any kind model files hold, from its class name
 * and constructor arguments as JSON (sinabs_layer_create_described). */
PyObject *native_described_layer(PyObject *module, PyObject *args) {
  const char *kind, *arguments_json;
  if (!PyArg_ParseTuple(args, "ss:described_layer", &kind, &arguments_json)) return NULL;
  sinabs_layer *layer = NULL;
  sinabs_status status = sinabs_layer_create_described(&layer, kind, arguments_json);
  if (status != SINABS_OK) return native_fail(status);
  return native_layer_new(PyModule_GetState(module), layer);
}
