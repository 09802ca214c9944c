/*
 * tensor.c -- sinabs_swift.Tensor: a float32, C-contiguous tensor owned by
 * libsinabs, exported without copying through the buffer protocol (numpy)
 * and DLPack (torch, numpy, jax, ...).
 */
#include <stdlib.h>
#include <string.h>

#include "dlpack_abi.h"
#include "native.h"

/* Stands in for the data pointer of an empty tensor: consumers expect a
 * non-NULL address even when there is nothing to read. */
static float empty_storage[1];

PyObject *native_tensor_new(native_state *state, sinabs_tensor *handle, int readonly) {
  TensorObject *self = NULL;
  int32_t rank = 0;
  float *data = NULL;
  int64_t shape[SINABS_MAX_RANK];
  sinabs_status status = sinabs_tensor_shape(shape, SINABS_MAX_RANK, &rank, handle);
  if (status != SINABS_OK) goto fail_status;
  status = sinabs_tensor_data(&data, handle);
  if (status != SINABS_OK) goto fail_status;

  self = PyObject_New(TensorObject, state->tensor_type);
  if (self == NULL) goto fail;
  self->handle = handle;
  self->data = data != NULL ? data : empty_storage;
  self->readonly = readonly;
  self->rank = rank;
  self->exports = 0;
  Py_ssize_t size = 1;
  for (int32_t i = 0; i < rank; i++) {
    self->shape[i] = shape[i];
    self->view_shape[i] = (Py_ssize_t)shape[i];
    size *= (Py_ssize_t)shape[i];
  }
  Py_ssize_t stride = (Py_ssize_t)sizeof(float);
  for (int32_t i = rank - 1; i >= 0; i--) {
    self->view_strides[i] = stride;
    stride *= self->view_shape[i] > 0 ? self->view_shape[i] : 1;
  }
  self->size = size;
  return (PyObject *)self;

fail_status:
  native_fail(status);
fail:
  sinabs_tensor_free(handle);
  return NULL;
}

int native_parse_shape(PyObject *dims, int64_t *shape, int32_t *rank) {
  PyObject *fast = PySequence_Fast(dims, "a shape must be a sequence of ints");
  if (fast == NULL) return -1;
  Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
  int result = 0;
  if (count > SINABS_MAX_RANK) {
    PyErr_Format(PyExc_ValueError, "rank %zd exceeds the maximum %d", count, SINABS_MAX_RANK);
    result = -1;
  }
  for (Py_ssize_t i = 0; result == 0 && i < count; i++) {
    shape[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
    if (shape[i] == -1 && PyErr_Occurred()) result = -1;
  }
  Py_DECREF(fast);
  *rank = (int32_t)count;
  return result;
}

sinabs_tensor *native_tensor_handle(TensorObject *self) {
  if (self->handle == NULL) {
    PyErr_SetString(PyExc_ValueError, "the tensor was closed");
  }
  return self->handle;
}

static void tensor_dealloc(TensorObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  sinabs_tensor_free(self->handle); /* may run a release callback (takes the GIL) */
  PyObject_Free(self);
  Py_DECREF(type);
}

/* ---- buffer protocol ------------------------------------------------------ */

static int tensor_getbuffer(TensorObject *self, Py_buffer *view, int flags) {
  if (native_tensor_handle(self) == NULL) {
    view->obj = NULL;
    return -1;
  }
  if ((flags & PyBUF_WRITABLE) && self->readonly) {
    PyErr_SetString(PyExc_BufferError, "this tensor wraps read-only memory");
    view->obj = NULL;
    return -1;
  }
  view->buf = self->data;
  view->obj = Py_NewRef(self); /* the view keeps the tensor (and its memory) alive */
  view->len = self->size * (Py_ssize_t)sizeof(float);
  view->readonly = self->readonly;
  view->itemsize = sizeof(float);
  view->format = (flags & PyBUF_FORMAT) ? "f" : NULL;
  view->ndim = self->rank;
  view->shape = (flags & PyBUF_ND) ? self->view_shape : NULL;
  view->strides = (flags & PyBUF_STRIDES) ? self->view_strides : NULL;
  view->suboffsets = NULL;
  view->internal = NULL;
  self->exports++;
  return 0;
}

static void tensor_releasebuffer(TensorObject *self, Py_buffer *view) {
  (void)view;
  self->exports--;
}

/* ---- DLPack export ---------------------------------------------------------- */

/* One allocation per export: both managed forms, the handle that keeps the
 * storage alive for the consumer, and the shape the DLTensor points to. */
typedef struct {
  sndl_managed_versioned versioned;
  sndl_managed legacy;
  sinabs_tensor *handle;
  int64_t shape[SINABS_MAX_RANK];
} export_block;

static void export_block_free(export_block *block) {
  /* No GIL needed: freeing the handle takes the GIL itself if it must run a
   * Python release callback. */
  sinabs_tensor_free(block->handle);
  free(block);
}

static void delete_versioned(sndl_managed_versioned *self) {
  export_block_free((export_block *)self->manager_ctx);
}

static void delete_legacy(sndl_managed *self) {
  export_block_free((export_block *)self->manager_ctx);
}

/* Capsule destructors: run the deleter only if no consumer took the tensor
 * (a consumer renames the capsule to "used_..."). */
static void capsule_versioned_destructor(PyObject *capsule) {
  if (PyCapsule_IsValid(capsule, SNDL_CAPSULE_VERSIONED)) {
    sndl_managed_versioned *managed = PyCapsule_GetPointer(capsule, SNDL_CAPSULE_VERSIONED);
    if (managed != NULL && managed->deleter != NULL) managed->deleter(managed);
  }
}

static void capsule_legacy_destructor(PyObject *capsule) {
  if (PyCapsule_IsValid(capsule, SNDL_CAPSULE)) {
    sndl_managed *managed = PyCapsule_GetPointer(capsule, SNDL_CAPSULE);
    if (managed != NULL && managed->deleter != NULL) managed->deleter(managed);
  }
}

/* Parses an optional (major, minor) / (device_type, device_id) pair. */
static int parse_pair(PyObject *obj, const char *what, long *first, long *second) {
  if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 2) {
    PyErr_Format(PyExc_TypeError, "%s must be a tuple of two ints, got %R", what, obj);
    return -1;
  }
  *first = PyLong_AsLong(PyTuple_GET_ITEM(obj, 0));
  if (*first == -1 && PyErr_Occurred()) return -1;
  *second = PyLong_AsLong(PyTuple_GET_ITEM(obj, 1));
  if (*second == -1 && PyErr_Occurred()) return -1;
  return 0;
}

static PyObject *tensor_dlpack(TensorObject *self, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"stream", "max_version", "dl_device", "copy", NULL};
  PyObject *stream = Py_None, *max_version = Py_None, *dl_device = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOOO:__dlpack__", keywords, &stream,
                                   &max_version, &dl_device, &copy)) {
    return NULL;
  }
  sinabs_tensor *source = native_tensor_handle(self);
  if (source == NULL) return NULL;
  if (stream != Py_None) {
    long value = PyLong_Check(stream) ? PyLong_AsLong(stream) : 0;
    if (!PyLong_Check(stream) || value != -1) {
      if (!PyErr_Occurred()) {
        PyErr_Format(PyExc_ValueError,
                     "stream must be None or -1 for a CPU tensor, got %R", stream);
      }
      return NULL;
    }
  }
  int versioned = 0;
  if (max_version != Py_None) {
    long major, minor;
    if (parse_pair(max_version, "max_version", &major, &minor) < 0) return NULL;
    versioned = major >= SNDL_MAJOR_VERSION;
  }
  if (dl_device != Py_None) {
    long type, id;
    if (parse_pair(dl_device, "dl_device", &type, &id) < 0) return NULL;
    if (type != SNDL_DEVICE_CPU || id != 0) {
      PyErr_Format(PyExc_BufferError,
                   "sinabs_swift tensors live on the CPU, device (1, 0); asked for %R",
                   dl_device);
      return NULL;
    }
  }
  int make_copy = 0;
  if (copy != Py_None) {
    make_copy = PyObject_IsTrue(copy);
    if (make_copy < 0) return NULL;
  }
  if (self->readonly && !versioned && !make_copy) {
    PyErr_SetString(PyExc_BufferError,
                    "a read-only tensor needs a versioned DLPack consumer "
                    "(max_version >= (1, 0)) or copy=True");
    return NULL;
  }

  export_block *block = calloc(1, sizeof(export_block));
  if (block == NULL) return PyErr_NoMemory();
  sinabs_status status = make_copy
                             ? sinabs_tensor_copy(&block->handle, source)
                             : sinabs_tensor_reshape(&block->handle, source, self->shape, self->rank);
  if (status != SINABS_OK) {
    free(block);
    return native_fail(status);
  }
  float *data = self->data;
  if (make_copy) {
    status = sinabs_tensor_data(&data, block->handle);
    if (status != SINABS_OK) {
      export_block_free(block);
      return native_fail(status);
    }
    if (data == NULL) data = empty_storage;
  }
  memcpy(block->shape, self->shape, sizeof(block->shape));
  sndl_tensor tensor = {
      .data = data,
      .device = {SNDL_DEVICE_CPU, 0},
      .ndim = self->rank,
      .dtype = {SNDL_TYPE_FLOAT, 32, 1},
      .shape = block->shape,
      .strides = NULL, /* compact row-major */
      .byte_offset = 0,
  };
  PyObject *capsule;
  if (versioned) {
    block->versioned.version.major = SNDL_MAJOR_VERSION;
    block->versioned.version.minor = SNDL_MINOR_VERSION;
    block->versioned.manager_ctx = block;
    block->versioned.deleter = delete_versioned;
    block->versioned.flags = (self->readonly && !make_copy ? SNDL_FLAG_READ_ONLY : 0) |
                             (make_copy ? SNDL_FLAG_IS_COPIED : 0);
    block->versioned.dl_tensor = tensor;
    capsule = PyCapsule_New(&block->versioned, SNDL_CAPSULE_VERSIONED,
                            capsule_versioned_destructor);
  } else {
    block->legacy.dl_tensor = tensor;
    block->legacy.manager_ctx = block;
    block->legacy.deleter = delete_legacy;
    capsule = PyCapsule_New(&block->legacy, SNDL_CAPSULE, capsule_legacy_destructor);
  }
  if (capsule == NULL) export_block_free(block);
  return capsule;
}

static PyObject *tensor_dlpack_device(TensorObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return Py_BuildValue("(ii)", SNDL_DEVICE_CPU, 0);
}

/* ---- Python-facing methods and properties -------------------------------- */

static PyObject *tensor_shape(TensorObject *self, void *closure) {
  (void)closure;
  PyObject *shape = PyTuple_New(self->rank);
  if (shape == NULL) return NULL;
  for (int32_t i = 0; i < self->rank; i++) {
    PyObject *dim = PyLong_FromLongLong(self->shape[i]);
    if (dim == NULL) {
      Py_DECREF(shape);
      return NULL;
    }
    PyTuple_SET_ITEM(shape, i, dim);
  }
  return shape;
}

static PyObject *tensor_ndim(TensorObject *self, void *closure) {
  (void)closure;
  return PyLong_FromLong(self->rank);
}

static PyObject *tensor_size(TensorObject *self, void *closure) {
  (void)closure;
  return PyLong_FromSsize_t(self->size);
}

static PyObject *tensor_data_ptr(TensorObject *self, void *closure) {
  (void)closure;
  if (native_tensor_handle(self) == NULL) return NULL;
  return PyLong_FromVoidPtr(self->data);
}

static PyObject *tensor_readonly(TensorObject *self, void *closure) {
  (void)closure;
  return PyBool_FromLong(self->readonly);
}

static PyObject *tensor_dtype(TensorObject *self, void *closure) {
  (void)self;
  (void)closure;
  return PyUnicode_FromString("float32");
}

static PyObject *tensor_closed(TensorObject *self, void *closure) {
  (void)closure;
  return PyBool_FromLong(self->handle == NULL);
}

static Py_ssize_t tensor_length(TensorObject *self) {
  if (self->rank == 0) {
    PyErr_SetString(PyExc_TypeError, "len() of a 0-d tensor");
    return -1;
  }
  return (Py_ssize_t)self->shape[0];
}

static PyObject *tensor_repr(TensorObject *self) {
  if (self->handle == NULL) return PyUnicode_FromString("sinabs_swift.Tensor(<closed>)");
  PyObject *shape = tensor_shape(self, NULL);
  if (shape == NULL) return NULL;
  PyObject *text = PyUnicode_FromFormat("sinabs_swift.Tensor(shape=%R, dtype=float32%s)", shape,
                                        self->readonly ? ", readonly" : "");
  Py_DECREF(shape);
  return text;
}

static PyObject *tensor_float(TensorObject *self) {
  if (native_tensor_handle(self) == NULL) return NULL;
  if (self->size != 1) {
    PyErr_Format(PyExc_TypeError, "only a tensor with one element converts to float, this has %zd",
                 self->size);
    return NULL;
  }
  return PyFloat_FromDouble(self->data[0]);
}

static PyObject *tensor_numpy(TensorObject *self, PyObject *unused) {
  (void)unused;
  PyObject *numpy = PyImport_ImportModule("numpy");
  if (numpy == NULL) return NULL;
  PyObject *array = PyObject_CallMethod(numpy, "asarray", "O", (PyObject *)self);
  Py_DECREF(numpy);
  return array;
}

static PyObject *tensor_copy(TensorObject *self, PyObject *unused) {
  (void)unused;
  sinabs_tensor *source = native_tensor_handle(self);
  if (source == NULL) return NULL;
  sinabs_tensor *copy = NULL;
  sinabs_status status = sinabs_tensor_copy(&copy, source);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(native_state_of_type(Py_TYPE(self)), copy, 0);
}

static PyObject *tensor_reshape(TensorObject *self, PyObject *args) {
  sinabs_tensor *source = native_tensor_handle(self);
  if (source == NULL) return NULL;
  PyObject *dims = args;
  if (PyTuple_GET_SIZE(args) == 1 && PySequence_Check(PyTuple_GET_ITEM(args, 0))) {
    dims = PyTuple_GET_ITEM(args, 0); /* reshape((2, 3)) as well as reshape(2, 3) */
  }
  int64_t shape[SINABS_MAX_RANK];
  int32_t rank = 0;
  if (native_parse_shape(dims, shape, &rank) < 0) return NULL;
  sinabs_tensor *view = NULL;
  sinabs_status status = sinabs_tensor_reshape(&view, source, shape, rank);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(native_state_of_type(Py_TYPE(self)), view, self->readonly);
}

static PyObject *tensor_close(TensorObject *self, PyObject *unused) {
  (void)unused;
  if (self->exports > 0) {
    PyErr_Format(PyExc_BufferError,
                 "cannot close a tensor with %zd live buffer view(s); drop them first",
                 self->exports);
    return NULL;
  }
  sinabs_tensor *handle = self->handle;
  self->handle = NULL;
  self->data = empty_storage;
  sinabs_tensor_free(handle);
  Py_RETURN_NONE;
}

static PyMethodDef tensor_methods[] = {
    {"__dlpack__", (PyCFunction)(void (*)(void))tensor_dlpack, METH_VARARGS | METH_KEYWORDS,
     "__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)\n--\n\n"
     "Export as a DLPack capsule sharing this tensor's memory (copy=True: a copy).\n"
     "Versioned capsule when max_version >= (1, 0), legacy capsule otherwise."},
    {"__dlpack_device__", (PyCFunction)tensor_dlpack_device, METH_NOARGS,
     "The DLPack device: always (1, 0), the CPU."},
    {"numpy", (PyCFunction)tensor_numpy, METH_NOARGS,
     "A numpy array sharing this tensor's memory (numpy.asarray(self))."},
    {"copy", (PyCFunction)tensor_copy, METH_NOARGS, "A new tensor with its own copy of the data."},
    {"reshape", (PyCFunction)tensor_reshape, METH_VARARGS,
     "reshape(*shape) -> a tensor sharing this memory with another shape (one -1 allowed)."},
    {"close", (PyCFunction)tensor_close, METH_NOARGS,
     "Release this tensor's reference now. BufferError while buffer views are alive;\n"
     "DLPack consumers hold their own reference and are unaffected."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef tensor_getset[] = {
    {"shape", (getter)tensor_shape, NULL, "The dimensions, a tuple of ints.", NULL},
    {"ndim", (getter)tensor_ndim, NULL, "The rank.", NULL},
    {"size", (getter)tensor_size, NULL, "The element count.", NULL},
    {"data_ptr", (getter)tensor_data_ptr, NULL, "Address of the first element (an int).", NULL},
    {"dtype", (getter)tensor_dtype, NULL, "Always 'float32'.", NULL},
    {"readonly", (getter)tensor_readonly, NULL, "True if the memory must not be written.", NULL},
    {"closed", (getter)tensor_closed, NULL, "True after close().", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot tensor_slots[] = {
    {Py_tp_doc, "A float32, C-contiguous tensor owned by libsinabs.\n\n"
                "Shares its memory with numpy (buffer protocol: np.asarray(t)) and with\n"
                "torch and other DLPack consumers (torch.from_dlpack(t)); views keep the\n"
                "memory alive after the Tensor is gone. Make one with sinabs_swift.as_tensor."},
    {Py_tp_dealloc, tensor_dealloc},
    {Py_tp_repr, tensor_repr},
    {Py_tp_methods, tensor_methods},
    {Py_tp_getset, tensor_getset},
    {Py_mp_length, tensor_length},
    {Py_nb_float, tensor_float},
    {Py_bf_getbuffer, tensor_getbuffer},
    {Py_bf_releasebuffer, tensor_releasebuffer},
    {0, NULL},
};

PyType_Spec native_tensor_spec = {
    .name = "sinabs_swift.Tensor",
    .basicsize = sizeof(TensorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = tensor_slots,
};
