/*
 * encode.c -- the module functions of the input encoders that are not
 * layers: events_to_frames (DVS event binning) and uniform_draws (the
 * encoders' random stream, for checks). The encoder layers themselves are
 * built by described_layer.
 */
#include <string.h>

#include "native.h"

/* A C-contiguous buffer of `itemsize`-byte items of format `format` and
 * length `count` (-1: any length, written back). 0, or -1 with an exception. */
static int typed_buffer(PyObject *obj, Py_buffer *view, const char *format, Py_ssize_t itemsize,
                        Py_ssize_t *count, const char *name) {
  if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
  const char *f = view->format ? view->format : "B";
  if (f[0] == '<' || f[0] == '=' || f[0] == '@') f++;
  if (view->itemsize != itemsize || strcmp(f, format) != 0) {
    PyErr_Format(PyExc_TypeError, "%s must hold %s items, got format '%s'", name, format, view->format);
    PyBuffer_Release(view);
    return -1;
  }
  Py_ssize_t n = view->len / itemsize;
  if (*count >= 0 && n != *count) {
    PyErr_Format(PyExc_ValueError, "t, x, y and p must have one length, got %zd and %zd", *count, n);
    PyBuffer_Release(view);
    return -1;
  }
  *count = n;
  return 0;
}

PyObject *native_events_to_frames(PyObject *module, PyObject *args) {
  PyObject *objects[4], *start_obj;
  long long height, width, bins;
  double window;
  if (!PyArg_ParseTuple(args, "OOOOLLLdO", &objects[0], &objects[1], &objects[2], &objects[3], &height, &width,
                        &bins, &window, &start_obj)) {
    return NULL;
  }
  double start = 0.0;
  if (start_obj != Py_None) {
    start = PyFloat_AsDouble(start_obj);
    if (start == -1.0 && PyErr_Occurred()) return NULL;
  }
  static const char *names[4] = {"t", "x", "y", "p"};
  Py_buffer views[4];
  Py_ssize_t count = -1;
  int acquired = 0;
  for (; acquired < 4; acquired++) {
    const char *format = acquired == 0 ? "d" : "i";
    Py_ssize_t itemsize = acquired == 0 ? (Py_ssize_t)sizeof(double) : (Py_ssize_t)sizeof(int32_t);
    if (typed_buffer(objects[acquired], &views[acquired], format, itemsize, &count, names[acquired]) < 0) break;
  }
  sinabs_tensor *frames = NULL;
  sinabs_status status = SINABS_OK;
  if (acquired == 4) {
    Py_BEGIN_ALLOW_THREADS
    status = sinabs_events_to_frames(&frames, views[0].buf, views[1].buf, views[2].buf, views[3].buf, count,
                                     height, width, bins, window, start_obj == Py_None ? NULL : &start);
    Py_END_ALLOW_THREADS
  }
  for (int i = 0; i < acquired; i++) PyBuffer_Release(&views[i]);
  if (acquired < 4) return NULL;
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(PyModule_GetState(module), frames, 0);
}

PyObject *native_uniform_draws(PyObject *module, PyObject *args) {
  long long count;
  unsigned long long seed, first;
  if (!PyArg_ParseTuple(args, "LKK", &count, &seed, &first)) return NULL;
  if (count < 0) return PyErr_Format(PyExc_ValueError, "count must be >= 0, got %lld", count);
  sinabs_tensor *out = NULL;
  int64_t shape[1] = {count};
  sinabs_status status = sinabs_tensor_create(&out, shape, 1);
  float *data = NULL;
  if (status == SINABS_OK) status = sinabs_tensor_data(&data, out);
  if (status == SINABS_OK) status = sinabs_uniform_draws(data, count, seed, first);
  if (status != SINABS_OK) {
    sinabs_tensor_free(out);
    return native_fail(status);
  }
  return native_tensor_new(PyModule_GetState(module), out, 0);
}
