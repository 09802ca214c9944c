/*
 * acquire.c -- caller memory as a sinabs_tensor, without copying.
 *
 * Accepted: sinabs_swift.Tensor; any float32 C-contiguous buffer (numpy);
 * any object with __dlpack__ on the CPU (torch, jax, ...); a DLPack capsule.
 * The wrap's release callback gives the memory back (PyBuffer_Release or the
 * DLPack deleter) under the GIL when libsinabs drops its last reference,
 * which may be on another thread or long after the Python object is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "dlpack_abi.h"
#include "native.h"

static const char accepted[] =
    "a float32, C-contiguous array: sinabs_swift.Tensor, numpy (buffer protocol), "
    "or a CPU tensor with __dlpack__ (torch)";

/* ---- release callbacks ------------------------------------------------------- */

static void release_buffer(void *context, float *data) {
  (void)data;
  Py_buffer *view = context;
  /* At interpreter exit there is no one left to give memory back to. */
  if (Py_IsInitialized()) {
    PyGILState_STATE gil = PyGILState_Ensure();
    PyBuffer_Release(view);
    PyGILState_Release(gil);
  }
  free(view);
}

typedef struct {
  void *managed;
  int versioned;
} dlpack_owner;

static void release_dlpack(void *context, float *data) {
  (void)data;
  dlpack_owner *owner = context;
  if (owner->managed != NULL && Py_IsInitialized()) {
    PyGILState_STATE gil = PyGILState_Ensure();
    if (owner->versioned) {
      sndl_managed_versioned *managed = owner->managed;
      if (managed->deleter != NULL) managed->deleter(managed);
    } else {
      sndl_managed *managed = owner->managed;
      if (managed->deleter != NULL) managed->deleter(managed);
    }
    PyGILState_Release(gil);
  }
  free(owner);
}

/* ---- the three routes ---------------------------------------------------------- */

static int is_float32_format(const char *format) {
  if (format == NULL) return 0; /* we always ask for PyBUF_FORMAT */
  if (format[0] == '<' || format[0] == '=' || format[0] == '@') format++;
  return strcmp(format, "f") == 0;
}

static sinabs_tensor *acquire_buffer(PyObject *obj, const char *what, int *readonly) {
  Py_buffer *view = calloc(1, sizeof(Py_buffer));
  if (view == NULL) {
    PyErr_NoMemory();
    return NULL;
  }
  /* RECORDS_RO: format + strides, read-only accepted (inputs are only read). */
  if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO) < 0) {
    free(view);
    return NULL;
  }
  if (view->itemsize != (Py_ssize_t)sizeof(float) || !is_float32_format(view->format)) {
    PyErr_Format(PyExc_TypeError, "%s: got a buffer of format '%s' (itemsize %zd); expected %s",
                 what, view->format ? view->format : "B", view->itemsize, accepted);
    goto fail;
  }
  if (view->ndim > SINABS_MAX_RANK) {
    PyErr_Format(PyExc_ValueError, "%s: rank %d exceeds the maximum %d", what, view->ndim,
                 SINABS_MAX_RANK);
    goto fail;
  }
  if (!PyBuffer_IsContiguous(view, 'C')) {
    PyErr_Format(PyExc_ValueError,
                 "%s: got a non-contiguous array; expected %s (use numpy.ascontiguousarray)",
                 what, accepted);
    goto fail;
  }
  int64_t shape[SINABS_MAX_RANK];
  for (int i = 0; i < view->ndim; i++) shape[i] = (int64_t)view->shape[i];
  sinabs_tensor *handle = NULL;
  sinabs_status status =
      sinabs_tensor_wrap(&handle, shape, view->ndim, view->buf, release_buffer, view);
  if (status != SINABS_OK) {
    native_fail(status);
    goto fail;
  }
  if (readonly != NULL) *readonly = view->readonly;
  return handle; /* the view is released by release_buffer */

fail:
  PyBuffer_Release(view);
  free(view);
  return NULL;
}

/* A capsule from __dlpack__ (or given directly) -> handle; renames the capsule
 * to "used_..." on success so its destructor leaves the tensor to us. */
static sinabs_tensor *acquire_capsule(PyObject *capsule, const char *what, int *readonly) {
  const char *name = PyCapsule_GetName(capsule);
  if (name == NULL && PyErr_Occurred()) return NULL;
  int versioned;
  if (name != NULL && strcmp(name, SNDL_CAPSULE_VERSIONED) == 0) {
    versioned = 1;
  } else if (name != NULL && strcmp(name, SNDL_CAPSULE) == 0) {
    versioned = 0;
  } else if (name != NULL && strncmp(name, "used_", 5) == 0) {
    PyErr_Format(PyExc_ValueError, "%s: this DLPack capsule was already consumed", what);
    return NULL;
  } else {
    PyErr_Format(PyExc_TypeError, "%s: got a capsule named '%s'; expected a DLPack capsule", what,
                 name ? name : "(null)");
    return NULL;
  }
  void *managed = PyCapsule_GetPointer(capsule, name);
  if (managed == NULL) return NULL;
  sndl_tensor *tensor;
  int read_only = 0;
  if (versioned) {
    sndl_managed_versioned *m = managed;
    if (m->version.major != SNDL_MAJOR_VERSION) {
      PyErr_Format(PyExc_ValueError, "%s: DLPack version %u.%u is not supported; expected 1.x",
                   what, m->version.major, m->version.minor);
      return NULL;
    }
    tensor = &m->dl_tensor;
    read_only = (m->flags & SNDL_FLAG_READ_ONLY) != 0;
  } else {
    tensor = &((sndl_managed *)managed)->dl_tensor;
  }
  if (tensor->device.device_type != SNDL_DEVICE_CPU) {
    PyErr_Format(PyExc_ValueError, "%s: got a tensor on DLPack device (%d, %d); expected %s", what,
                 (int)tensor->device.device_type, (int)tensor->device.device_id, accepted);
    return NULL;
  }
  if (tensor->dtype.code != SNDL_TYPE_FLOAT || tensor->dtype.bits != 32 ||
      tensor->dtype.lanes != 1) {
    PyErr_Format(PyExc_TypeError,
                 "%s: got DLPack dtype (code %d, bits %d, lanes %d); expected %s", what,
                 (int)tensor->dtype.code, (int)tensor->dtype.bits, (int)tensor->dtype.lanes,
                 accepted);
    return NULL;
  }
  if (tensor->ndim < 0 || tensor->ndim > SINABS_MAX_RANK) {
    PyErr_Format(PyExc_ValueError, "%s: rank %d is outside 0..%d", what, (int)tensor->ndim,
                 SINABS_MAX_RANK);
    return NULL;
  }
  int64_t count = 1;
  for (int i = 0; i < tensor->ndim; i++) count *= tensor->shape[i];
  if (tensor->strides != NULL && count > 0) { /* an empty tensor has no layout to check */
    int64_t expected = 1;
    for (int i = tensor->ndim - 1; i >= 0; i--) {
      /* A size-1 dimension may carry any stride: it is never stepped over. */
      if (tensor->shape[i] != 1 && tensor->strides[i] != expected) {
        PyErr_Format(PyExc_ValueError,
                     "%s: got a non-contiguous tensor (stride %lld in dim %d, expected %lld); "
                     "expected %s (use .contiguous())",
                     what, (long long)tensor->strides[i], i, (long long)expected, accepted);
        return NULL;
      }
      expected *= tensor->shape[i];
    }
  }
  dlpack_owner *owner = malloc(sizeof(dlpack_owner));
  if (owner == NULL) {
    PyErr_NoMemory();
    return NULL;
  }
  owner->managed = managed;
  owner->versioned = versioned;
  float *data = (float *)((char *)tensor->data + tensor->byte_offset);
  sinabs_tensor *handle = NULL;
  sinabs_status status =
      sinabs_tensor_wrap(&handle, tensor->shape, tensor->ndim, data, release_dlpack, owner);
  if (status != SINABS_OK) {
    free(owner); /* the capsule still owns the tensor and deletes it */
    native_fail(status);
    return NULL;
  }
  if (PyCapsule_SetName(capsule, versioned ? SNDL_CAPSULE_VERSIONED_USED : SNDL_CAPSULE_USED) < 0) {
    /* Cannot happen for a valid capsule; do not let two owners delete it. */
    owner->managed = NULL;
    PyErr_Clear();
  }
  if (readonly != NULL) *readonly = read_only;
  return handle;
}

/* Called when __dlpack__ failed: if the reason is the device, replace the
 * pending exception by a ValueError that says what is accepted (torch raises
 * its own errors for 'meta' or CUDA-only cases); otherwise keep it. Asking
 * __dlpack_device__ only on failure keeps the common path at one Python call
 * (torch implements both in Python, ~7 us each). */
static void explain_dlpack_failure(PyObject *obj, const char *what) {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  PyObject *device = PyObject_CallMethod(obj, "__dlpack_device__", NULL);
  if (device == NULL) {
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
      PyErr_Clear();
      PyErr_Restore(type, value, traceback);
      return;
    }
    PyObject *t2, *v2, *tb2;
    PyErr_Fetch(&t2, &v2, &tb2);
    PyErr_NormalizeException(&t2, &v2, &tb2);
    PyErr_Format(PyExc_ValueError, "%s: cannot use this tensor's device (%S); expected %s", what,
                 v2 ? v2 : Py_None, accepted);
    Py_XDECREF(t2);
    Py_XDECREF(v2);
    Py_XDECREF(tb2);
  } else {
    long device_type = -1, device_id = -1;
    if (PyTuple_Check(device) && PyTuple_GET_SIZE(device) == 2) {
      device_type = PyLong_AsLong(PyTuple_GET_ITEM(device, 0));
      device_id = PyLong_AsLong(PyTuple_GET_ITEM(device, 1));
      PyErr_Clear();
    }
    Py_DECREF(device);
    if (device_type == SNDL_DEVICE_CPU) {
      PyErr_Restore(type, value, traceback); /* not about the device: the producer's error */
      return;
    }
    PyErr_Format(PyExc_ValueError, "%s: got a tensor on DLPack device (%ld, %ld); expected %s",
                 what, device_type, device_id, accepted);
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
}

static sinabs_tensor *acquire_dlpack(PyObject *obj, const char *what, int *readonly) {
  PyObject *method = PyObject_GetAttrString(obj, "__dlpack__");
  if (method == NULL) return NULL;
  PyObject *kwargs = Py_BuildValue("{s(ii)}", "max_version", SNDL_MAJOR_VERSION, SNDL_MINOR_VERSION);
  PyObject *capsule = NULL;
  if (kwargs != NULL) {
    PyObject *empty = PyTuple_New(0);
    if (empty != NULL) {
      capsule = PyObject_Call(method, empty, kwargs);
      Py_DECREF(empty);
    }
    Py_DECREF(kwargs);
  }
  if (capsule == NULL && PyErr_ExceptionMatches(PyExc_TypeError)) {
    PyErr_Clear(); /* a producer older than DLPack 1.0 */
    capsule = PyObject_CallNoArgs(method);
  }
  Py_DECREF(method);
  if (capsule == NULL) {
    explain_dlpack_failure(obj, what);
    return NULL;
  }
  sinabs_tensor *handle = NULL;
  if (!PyCapsule_CheckExact(capsule)) {
    PyErr_Format(PyExc_TypeError, "%s: __dlpack__ returned %s, not a capsule", what,
                 Py_TYPE(capsule)->tp_name);
  } else {
    handle = acquire_capsule(capsule, what, readonly);
  }
  Py_DECREF(capsule); /* unconsumed on failure: its destructor deletes the tensor */
  return handle;
}

/* torch implements __dlpack__ and __dlpack_device__ in Python (~7 us each);
 * torch.utils.dlpack.to_dlpack is its C exporter (~1 us). Returns 1 if `obj`
 * is a torch tensor that may take that path (one that does not require grad,
 * which __dlpack__ would refuse), 0 if not, -1 with an exception. Looks for
 * torch only if the program imported it: we never import torch ourselves. */
static int is_plain_torch_tensor(native_state *state, PyObject *obj) {
  if (state->torch_tensor_type == NULL) {
    PyObject *name = PyUnicode_FromString("torch");
    if (name == NULL) return -1;
    PyObject *torch = PyImport_GetModule(name); /* NULL, no error: not imported */
    Py_DECREF(name);
    if (torch == NULL) return PyErr_Occurred() ? -1 : 0;
    PyObject *type = PyObject_GetAttrString(torch, "Tensor");
    PyObject *utils = type ? PyImport_ImportModule("torch.utils.dlpack") : NULL;
    PyObject *export = utils ? PyObject_GetAttrString(utils, "to_dlpack") : NULL;
    Py_DECREF(torch);
    Py_XDECREF(utils);
    if (export == NULL || !PyType_Check(type)) {
      Py_XDECREF(type);
      Py_XDECREF(export);
      PyErr_Clear(); /* an unusual torch: use the generic protocol */
      return 0;
    }
    state->torch_tensor_type = type;
    state->torch_to_dlpack = export;
  }
  if (!PyObject_TypeCheck(obj, (PyTypeObject *)state->torch_tensor_type)) return 0;
  PyObject *requires_grad = PyObject_GetAttrString(obj, "requires_grad");
  if (requires_grad == NULL) return -1;
  int needs_grad = PyObject_IsTrue(requires_grad);
  Py_DECREF(requires_grad);
  return needs_grad < 0 ? -1 : !needs_grad;
}

static sinabs_tensor *acquire_torch(native_state *state, PyObject *obj, const char *what,
                                    int *readonly) {
  PyObject *capsule = PyObject_CallOneArg(state->torch_to_dlpack, obj);
  if (capsule == NULL) {
    explain_dlpack_failure(obj, what);
    return NULL;
  }
  sinabs_tensor *handle = acquire_capsule(capsule, what, readonly);
  Py_DECREF(capsule);
  return handle;
}

sinabs_tensor *native_acquire(native_state *state, PyObject *obj, const char *what,
                              int *readonly) {
  if (PyObject_TypeCheck(obj, state->tensor_type)) {
    TensorObject *tensor = (TensorObject *)obj;
    sinabs_tensor *source = native_tensor_handle(tensor);
    if (source == NULL) return NULL;
    sinabs_tensor *handle = NULL;
    sinabs_status status = sinabs_tensor_reshape(&handle, source, tensor->shape, tensor->rank);
    if (status != SINABS_OK) return (sinabs_tensor *)native_fail(status);
    if (readonly != NULL) *readonly = tensor->readonly;
    return handle;
  }
  if (PyObject_CheckBuffer(obj)) return acquire_buffer(obj, what, readonly);
  if (PyCapsule_CheckExact(obj)) return acquire_capsule(obj, what, readonly);
  int torch = is_plain_torch_tensor(state, obj);
  if (torch < 0) return NULL;
  if (torch) return acquire_torch(state, obj, what, readonly);
  if (PyObject_HasAttrString(obj, "__dlpack__")) return acquire_dlpack(obj, what, readonly);
  PyErr_Format(PyExc_TypeError, "%s: got %s; expected %s", what, Py_TYPE(obj)->tp_name, accepted);
  return NULL;
}

sinabs_tensor *native_acquire_writable(native_state *state, PyObject *obj, const char *what) {
  int readonly = 0;
  sinabs_tensor *handle = native_acquire(state, obj, what, &readonly);
  if (handle != NULL && readonly) {
    sinabs_tensor_free(handle);
    PyErr_Format(PyExc_ValueError, "%s: got read-only memory; it must be writable", what);
    return NULL;
  }
  return handle;
}
