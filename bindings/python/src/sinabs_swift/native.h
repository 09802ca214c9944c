/*
 * native.h -- what the files of the sinabs_swift._native extension share.
 *
 * The extension is a thin layer over include/sinabs.h: Tensor owns a
 * sinabs_tensor handle, Layer a sinabs_layer, Model a sinabs_model. Types are
 * heap types with per-module state (no globals), as CPython's arraymodule.c.
 */
#ifndef SINABS_SWIFT_NATIVE_H
#define SINABS_SWIFT_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sinabs.h"

typedef struct {
  PyTypeObject *tensor_type;
  PyTypeObject *layer_type;
  PyTypeObject *model_type;
  PyTypeObject *optimizer_type;
  /* Resolved on first use once torch is imported (acquire.c); NULL before. */
  PyObject *torch_tensor_type;
  PyObject *torch_to_dlpack;
} native_state;

typedef struct {
  PyObject_HEAD
  sinabs_tensor *handle; /* NULL after close() */
  float *data;
  int readonly;          /* wraps memory the producer marked read-only */
  int32_t rank;
  Py_ssize_t size;       /* element count */
  Py_ssize_t exports;    /* live buffer-protocol views */
  int64_t shape[SINABS_MAX_RANK];
  Py_ssize_t view_shape[SINABS_MAX_RANK];
  Py_ssize_t view_strides[SINABS_MAX_RANK]; /* bytes, row-major */
} TensorObject;

typedef struct {
  PyObject_HEAD
  sinabs_layer *handle;
  int busy; /* a call runs without the GIL: other threads must not touch the layer */
} LayerObject;

typedef struct {
  PyObject_HEAD
  sinabs_model *handle;
  int busy; /* as LayerObject.busy */
} ModelObject;

typedef struct {
  PyObject_HEAD
  sinabs_optimizer *handle;
  PyObject *model; /* the Model it updates (a strong reference) */
  int busy;        /* as LayerObject.busy */
} OptimizerObject;

/* errors.c: sets the Python exception for a failed libsinabs call and
 * returns NULL, so callers can `return native_fail(status);`. */
PyObject *native_fail(sinabs_status status);

/* tensor.c */
extern PyType_Spec native_tensor_spec;
/* A new Tensor that takes over `handle` (freed on failure too). */
PyObject *native_tensor_new(native_state *state, sinabs_tensor *handle, int readonly);
/* A sequence of ints -> shape[SINABS_MAX_RANK] and *rank; -1 with an exception. */
int native_parse_shape(PyObject *dims, int64_t *shape, int32_t *rank);
/* The live handle of a Tensor, or NULL with ValueError if closed. */
sinabs_tensor *native_tensor_handle(TensorObject *tensor);

/* acquire.c: a new handle viewing `obj` without copying (sinabs Tensor,
 * float32 C-contiguous buffer, __dlpack__ producer or DLPack capsule).
 * `*readonly` (may be NULL) tells whether the memory must not be written.
 * `what` names the argument in error messages. NULL with an exception set
 * on failure. */
sinabs_tensor *native_acquire(native_state *state, PyObject *obj, const char *what,
                              int *readonly);
/* As native_acquire, but refuses read-only memory (for outputs). */
sinabs_tensor *native_acquire_writable(native_state *state, PyObject *obj,
                                       const char *what);

/* layer.c */
extern PyType_Spec native_layer_spec;
PyObject *native_layer_new(native_state *state, sinabs_layer *handle);
PyObject *native_neuron_layer(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *native_linear_layer(PyObject *module, PyObject *args, PyObject *kwargs);

/* connection.c: conv, pool and shape layers (create_layer table) and the
 * Layer methods only they have. */
PyObject *native_create_layer(PyObject *module, PyObject *args);
PyObject *native_layer_forward_pair(LayerObject *self, PyObject *args);
PyObject *native_layer_backward_pair(LayerObject *self, PyObject *grad);
PyObject *native_layer_set_kernel(LayerObject *self, PyObject *kernel);

/* model.c */
extern PyType_Spec native_model_spec;
PyObject *native_described_layer(PyObject *module, PyObject *args);

/* optimizer.c */
extern PyType_Spec native_optimizer_spec;
PyObject *native_loss(PyObject *module, PyObject *args, PyObject *kwargs);
int native_neuron_options(sinabs_neuron_options *options, int model, PyObject *kwargs);
PyObject *native_model_from_ann(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *native_analyzer_create(PyObject *module, PyObject *args);
PyObject *native_analyzer_json(PyObject *module, PyObject *args);
PyObject *native_analyzer_reset(PyObject *module, PyObject *capsule);

/* encode.c: DVS event binning and the encoders' random stream. */
PyObject *native_events_to_frames(PyObject *module, PyObject *args);
PyObject *native_uniform_draws(PyObject *module, PyObject *args);

/* _native.c */
native_state *native_state_of_type(PyTypeObject *type);

#endif
