/* model.c -- sinabs_swift._native.Model: a sequence of layers run in order. */
#include "native.h"

static PyObject *model_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
  if (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0) {
    PyErr_SetString(PyExc_TypeError, "Model() takes no keyword arguments");
    return NULL;
  }
  if (!PyArg_ParseTuple(args, ":Model")) return NULL;
  sinabs_model *handle = NULL;
  sinabs_status status = sinabs_model_create(&handle);
  if (status != SINABS_OK) return native_fail(status);
  ModelObject *self = (ModelObject *)type->tp_alloc(type, 0);
  if (self == NULL) {
    sinabs_model_free(handle);
    return NULL;
  }
  self->handle = handle;
  self->busy = 0;
  return (PyObject *)self;
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
  if (model_in_use(self)) return NULL;
  self->busy = 1; /* before acquiring: __dlpack__ may run Python code */
  sinabs_tensor *input = native_acquire(state, input_obj, "input", NULL);
  if (input == NULL) {
    self->busy = 0;
    return NULL;
  }
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

static PyMethodDef model_methods[] = {
    {"append", (PyCFunction)model_append, METH_O,
     "append(layer): add a _native.Layer at the end (the model keeps its own reference)."},
    {"forward", (PyCFunction)model_forward, METH_O,
     "forward(input) -> Tensor: the layers in order. Releases the GIL."},
    {"reset_states", (PyCFunction)model_reset_states, METH_NOARGS,
     "Zero the states of every neuron layer."},
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
