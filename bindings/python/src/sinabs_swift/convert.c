/* convert.c -- sinabs_swift._native.model_from_ann: sinabs' from_model on a Model. */
#include "native.h"

/* input_shape: None or a sequence of ints -> (*shape, *rank); -1 with an exception. */
static int read_input_shape(PyObject *obj, int64_t *shape, int32_t *rank) {
  *rank = 0;
  if (obj == Py_None) return 0;
  PyObject *sequence = PySequence_Fast(obj, "input_shape must be a sequence of ints or None");
  if (sequence == NULL) return -1;
  Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
  if (count > SINABS_MAX_RANK) {
    Py_DECREF(sequence);
    PyErr_Format(PyExc_ValueError, "input_shape has more than %d dimensions", SINABS_MAX_RANK);
    return -1;
  }
  for (Py_ssize_t i = 0; i < count; i++) {
    long long size = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(sequence, i));
    if (size == -1 && PyErr_Occurred()) {
      Py_DECREF(sequence);
      return -1;
    }
    shape[i] = size;
  }
  Py_DECREF(sequence);
  *rank = (int32_t)count;
  return 0;
}

PyObject *native_model_from_ann(PyObject *module, PyObject *args, PyObject *kwargs) {
  native_state *state = PyModule_GetState(module);
  PyObject *ann = NULL, *shape_obj = NULL;
  int model = 0, add_spiking_output = 0;
  float bias_rescaling = 1.0f;
  if (!PyArg_ParseTuple(args, "OifpO:model_from_ann", &ann, &model, &bias_rescaling, &add_spiking_output,
                        &shape_obj)) {
    return NULL;
  }
  if (!PyObject_TypeCheck(ann, state->model_type)) {
    return PyErr_Format(PyExc_TypeError, "model_from_ann() takes a _native.Model, got %s", Py_TYPE(ann)->tp_name);
  }
  ModelObject *source = (ModelObject *)ann;
  if (source->busy) {
    PyErr_SetString(PyExc_RuntimeError, "this model is running forward in another thread");
    return NULL;
  }
  sinabs_neuron_options options;
  if (native_neuron_options(&options, model, kwargs) < 0) return NULL;
  int64_t shape[SINABS_MAX_RANK];
  int32_t rank = 0;
  if (read_input_shape(shape_obj, shape, &rank) < 0) return NULL;
  sinabs_model *handle = NULL;
  sinabs_status status = sinabs_model_from_ann(&handle, source->handle, &options, bias_rescaling,
                                               add_spiking_output, rank > 0 ? shape : NULL, rank);
  if (status != SINABS_OK) return native_fail(status);
  ModelObject *self = (ModelObject *)state->model_type->tp_alloc(state->model_type, 0);
  if (self == NULL) {
    sinabs_model_free(handle);
    return NULL;
  }
  self->handle = handle;
  self->busy = 0;
  return (PyObject *)self;
}

/* ---- SNNAnalyzer: a capsule owning a sinabs_analyzer ------------------------ */

static const char *ANALYZER_CAPSULE = "sinabs_swift.analyzer";

static void analyzer_capsule_free(PyObject *capsule) {
  sinabs_analyzer_free(PyCapsule_GetPointer(capsule, ANALYZER_CAPSULE));
}

PyObject *native_analyzer_create(PyObject *module, PyObject *args) {
  native_state *state = PyModule_GetState(module);
  PyObject *model = NULL;
  float dt = 1.0f;
  if (!PyArg_ParseTuple(args, "Of:analyzer_create", &model, &dt)) return NULL;
  if (!PyObject_TypeCheck(model, state->model_type)) {
    return PyErr_Format(PyExc_TypeError, "analyzer_create() takes a _native.Model, got %s", Py_TYPE(model)->tp_name);
  }
  sinabs_analyzer *analyzer = NULL;
  sinabs_status status = sinabs_analyzer_create(&analyzer, ((ModelObject *)model)->handle, dt);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *capsule = PyCapsule_New(analyzer, ANALYZER_CAPSULE, analyzer_capsule_free);
  if (capsule == NULL) sinabs_analyzer_free(analyzer);
  return capsule;
}

PyObject *native_analyzer_json(PyObject *module, PyObject *args) {
  (void)module;
  PyObject *capsule = NULL;
  int average = 0;
  if (!PyArg_ParseTuple(args, "Op:analyzer_json", &capsule, &average)) return NULL;
  sinabs_analyzer *analyzer = PyCapsule_GetPointer(capsule, ANALYZER_CAPSULE);
  if (analyzer == NULL) return NULL;
  size_t length = 0;
  sinabs_status status = sinabs_analyzer_statistics_json(NULL, 0, &length, analyzer, average);
  if (status != SINABS_OK) return native_fail(status);
  char *text = PyMem_Malloc(length + 1);
  if (text == NULL) return PyErr_NoMemory();
  status = sinabs_analyzer_statistics_json(text, length + 1, &length, analyzer, average);
  PyObject *result = status == SINABS_OK ? PyUnicode_FromStringAndSize(text, (Py_ssize_t)length) : native_fail(status);
  PyMem_Free(text);
  return result;
}

PyObject *native_analyzer_reset(PyObject *module, PyObject *capsule) {
  (void)module;
  sinabs_analyzer *analyzer = PyCapsule_GetPointer(capsule, ANALYZER_CAPSULE);
  if (analyzer == NULL) return NULL;
  sinabs_status status = sinabs_analyzer_reset(analyzer);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}
