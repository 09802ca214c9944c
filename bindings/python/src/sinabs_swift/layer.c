/*
 * layer.c -- sinabs_swift._native.Layer: one sinabs_layer (neuron or Linear).
 *
 * The low-level API the Python classes (sinabs_swift.layers) and the torch
 * drop-ins build on. Every call maps 1:1 to a function of include/sinabs.h;
 * forward and backward run without the GIL.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

/* Marks the layer busy and returns its handle, or NULL with RuntimeError
 * while another thread runs a call on this object. Test and set happen under
 * the GIL with no Python code in between, and every method calls this before
 * anything that could run Python code or release the GIL (acquiring an input
 * may call its __dlpack__): the check cannot race. libsinabs marks the layer
 * busy itself as well, which covers other wrappers of the same layer (from
 * Model[i]) and models that contain it: their clash fails with STATE, also a
 * RuntimeError. Every successful call is paired with layer_leave. */
static sinabs_layer *layer_enter(LayerObject *self) {
  if (self->busy) {
    PyErr_SetString(PyExc_RuntimeError,
                    "this layer is running a call in another thread; a layer runs one call at a time");
    return NULL;
  }
  self->busy = 1;
  return self->handle;
}

static void layer_leave(LayerObject *self) { self->busy = 0; }

/* A name as UTF-8 without embedded NUL ("v_mem\0x" would reach libsinabs as
 * "v_mem"), or NULL with an exception. Borrowed from `name`. */
static const char *name_utf8(PyObject *name) {
  Py_ssize_t size = 0;
  const char *text = PyUnicode_AsUTF8AndSize(name, &size);
  if (text != NULL && strlen(text) != (size_t)size) {
    PyErr_SetString(PyExc_ValueError, "embedded null character in name");
    return NULL;
  }
  return text;
}

PyObject *native_layer_new(native_state *state, sinabs_layer *handle) {
  LayerObject *self = PyObject_New(LayerObject, state->layer_type);
  if (self == NULL) {
    sinabs_layer_free(handle);
    return NULL;
  }
  self->handle = handle;
  self->busy = 0;
  return (PyObject *)self;
}

static void layer_dealloc(LayerObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  sinabs_layer_free(self->handle);
  PyObject_Free(self);
  Py_DECREF(type);
}

/* ---- constructors (module functions) --------------------------------------- */

typedef enum { FIELD_FLOAT, FIELD_INT32, FIELD_INT64 } field_kind;

typedef struct {
  const char *name;
  size_t offset;
  field_kind kind;
} option_field;

#define FIELD(name, kind) {#name, offsetof(sinabs_neuron_options, name), kind}
/* Every settable member of sinabs_neuron_options, by its C name. */
static const option_field option_fields[] = {
    FIELD(form, FIELD_INT32),
    FIELD(tau_mem, FIELD_FLOAT),
    FIELD(tau_syn, FIELD_FLOAT),
    FIELD(tau_adapt, FIELD_FLOAT),
    FIELD(adapt_scale, FIELD_FLOAT),
    FIELD(spike_threshold, FIELD_FLOAT),
    FIELD(spike_fn, FIELD_INT32),
    FIELD(max_num_spikes_per_bin, FIELD_INT32),
    FIELD(reset_fn, FIELD_INT32),
    FIELD(subtract_value, FIELD_FLOAT),
    FIELD(reset_value, FIELD_FLOAT),
    FIELD(surrogate_fn, FIELD_INT32),
    FIELD(grad_width, FIELD_FLOAT),
    FIELD(grad_scale, FIELD_FLOAT),
    FIELD(window, FIELD_FLOAT),
    FIELD(mu, FIELD_FLOAT),
    FIELD(sigma, FIELD_FLOAT),
    FIELD(h, FIELD_FLOAT),
    FIELD(s, FIELD_FLOAT),
    FIELD(min_v_mem, FIELD_FLOAT),
    FIELD(norm_input, FIELD_INT32),
    FIELD(train_alphas, FIELD_INT32),
    FIELD(record_states, FIELD_INT32),
    FIELD(batch_size, FIELD_INT64),
    FIELD(num_timesteps, FIELD_INT64),
    FIELD(recurrent_features, FIELD_INT64),
};
#undef FIELD

static int set_option(sinabs_neuron_options *options, PyObject *key, PyObject *value) {
  const char *name = name_utf8(key);
  if (name == NULL) return -1;
  for (size_t i = 0; i < sizeof(option_fields) / sizeof(option_fields[0]); i++) {
    const option_field *field = &option_fields[i];
    if (strcmp(field->name, name) != 0) continue;
    char *slot = (char *)options + field->offset;
    if (field->kind == FIELD_FLOAT) {
      double number = value == Py_None ? NAN : PyFloat_AsDouble(value); /* None = sinabs' None */
      if (number == -1.0 && PyErr_Occurred()) return -1;
      *(float *)slot = (float)number;
      return 0;
    }
    long long number = value == Py_None ? 0 : PyLong_AsLongLong(value);
    if (number == -1 && PyErr_Occurred()) return -1;
    if (field->kind == FIELD_INT32) {
      if (number < INT32_MIN || number > INT32_MAX) {
        PyErr_Format(PyExc_OverflowError, "%s=%lld does not fit in int32", name, number);
        return -1;
      }
      *(int32_t *)slot = (int32_t)number;
    } else {
      *(int64_t *)slot = (int64_t)number;
    }
    return 0;
  }
  PyErr_Format(PyExc_TypeError, "neuron_layer() got an unknown option '%s'", name);
  return -1;
}

/* `*options` = sinabs' defaults for `model` with `kwargs` (C field names) set; -1 with an exception. */
int native_neuron_options(sinabs_neuron_options *options, int model, PyObject *kwargs) {
  sinabs_status status = sinabs_neuron_options_init(options, model);
  if (status != SINABS_OK) {
    native_fail(status);
    return -1;
  }
  if (kwargs != NULL) {
    PyObject *key, *value;
    Py_ssize_t position = 0;
    while (PyDict_Next(kwargs, &position, &key, &value)) {
      if (set_option(options, key, value) < 0) return -1;
    }
  }
  return 0;
}

PyObject *native_neuron_layer(PyObject *module, PyObject *args, PyObject *kwargs) {
  int model = 0;
  if (!PyArg_ParseTuple(args, "i:neuron_layer", &model)) return NULL;
  sinabs_neuron_options options;
  sinabs_status status = sinabs_neuron_options_init(&options, model);
  if (status != SINABS_OK) return native_fail(status);
  if (kwargs != NULL) {
    PyObject *key, *value;
    Py_ssize_t position = 0;
    while (PyDict_Next(kwargs, &position, &key, &value)) {
      if (set_option(&options, key, value) < 0) return NULL;
    }
  }
  sinabs_layer *layer = NULL;
  status = sinabs_neuron_layer_create(&layer, &options);
  if (status != SINABS_OK) return native_fail(status);
  return native_layer_new(PyModule_GetState(module), layer);
}

PyObject *native_linear_layer(PyObject *module, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"in_features", "out_features", "bias", NULL};
  long long in_features, out_features;
  int bias = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "LL|p:linear_layer", keywords, &in_features,
                                   &out_features, &bias)) {
    return NULL;
  }
  sinabs_layer *layer = NULL;
  sinabs_status status = sinabs_linear_layer_create(&layer, in_features, out_features, bias);
  if (status != SINABS_OK) return native_fail(status);
  return native_layer_new(PyModule_GetState(module), layer);
}

/* ---- forward and backward -------------------------------------------------- */

static native_state *state_of(LayerObject *self) { return native_state_of_type(Py_TYPE(self)); }

/* The layer's output for `input_obj`, in `out_obj` if it is not None (a
 * writable float32 array; libsinabs refuses one that overlaps the input or
 * the layer's states, parameters or tape). Called with the layer marked. */
static PyObject *run_forward(LayerObject *self, sinabs_layer *layer, PyObject *input_obj,
                             PyObject *out_obj) {
  native_state *state = state_of(self);
  sinabs_tensor *input = native_acquire(state, input_obj, "input", NULL);
  if (input == NULL) return NULL;
  PyObject *result = NULL;
  sinabs_status status;
  if (out_obj == Py_None) {
    sinabs_tensor *output = NULL;
    Py_BEGIN_ALLOW_THREADS
    status = sinabs_layer_forward(&output, layer, input);
    Py_END_ALLOW_THREADS
    result = status == SINABS_OK ? native_tensor_new(state, output, 0) : native_fail(status);
  } else {
    sinabs_tensor *output = native_acquire_writable(state, out_obj, "out");
    if (output != NULL) {
      Py_BEGIN_ALLOW_THREADS
      status = sinabs_layer_forward_into(output, layer, input);
      Py_END_ALLOW_THREADS
      result = status == SINABS_OK ? Py_NewRef(out_obj) : native_fail(status);
      sinabs_tensor_free(output);
    }
  }
  sinabs_tensor_free(input);
  return result;
}

static PyObject *layer_forward(LayerObject *self, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"input", "out", NULL};
  PyObject *input_obj, *out_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:forward", keywords, &input_obj, &out_obj)) {
    return NULL;
  }
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  PyObject *result = run_forward(self, layer, input_obj, out_obj);
  layer_leave(self);
  return result;
}

static PyObject *run_backward(LayerObject *self, sinabs_layer *layer, PyObject *grad_obj) {
  native_state *state = state_of(self);
  sinabs_tensor *grad = native_acquire(state, grad_obj, "grad_output", NULL);
  if (grad == NULL) return NULL;
  sinabs_tensor *grad_input = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_layer_backward(&grad_input, layer, grad);
  Py_END_ALLOW_THREADS
  sinabs_tensor_free(grad);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(state, grad_input, 0);
}

static PyObject *layer_backward(LayerObject *self, PyObject *grad_obj) {
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  PyObject *result = run_backward(self, layer, grad_obj);
  layer_leave(self);
  return result;
}

/* ---- tapes: one per training forward, backward across calls ---------------- */

static const char tape_capsule_name[] = "sinabs_swift._native.tape";

static void tape_capsule_free(PyObject *capsule) {
  sinabs_tape_free(PyCapsule_GetPointer(capsule, tape_capsule_name));
}

static PyObject *layer_take_tape(LayerObject *self, PyObject *Py_UNUSED(ignored)) {
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  sinabs_tape *tape = NULL;
  sinabs_status status = sinabs_layer_take_tape(&tape, layer);
  layer_leave(self);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *capsule = PyCapsule_New(tape, tape_capsule_name, tape_capsule_free);
  if (capsule == NULL) {
    sinabs_tape_free(tape);
    return NULL;
  }
  /* Which layer took it: tape_backward refuses another layer's tape (the
   * busy check must guard the layer the backward touches). */
  if (PyCapsule_SetContext(capsule, self) != 0) {
    Py_DECREF(capsule);
    return NULL;
  }
  return capsule;
}

static void free_tensors(sinabs_tensor **tensors, int32_t count) {
  for (int32_t k = 0; k < count; k++) sinabs_tensor_free(tensors[k]);
}

/* Handles for the entries of `obj` (None, or a sequence of `count` arrays or
 * None) into `out`; 0, or -1 with an exception and nothing held. */
static int acquire_entries(native_state *state, PyObject *obj, int32_t count, sinabs_tensor **out,
                           const char *what) {
  if (obj == Py_None) return 0;
  PyObject *items = PySequence_Fast(obj, "expected a sequence of arrays (or None)");
  if (items == NULL) return -1;
  if (PySequence_Fast_GET_SIZE(items) != count) {
    PyErr_Format(PyExc_ValueError, "%s needs %d entries (the layer's states)", what, (int)count);
    Py_DECREF(items);
    return -1;
  }
  for (int32_t k = 0; k < count; k++) {
    PyObject *item = PySequence_Fast_GET_ITEM(items, k);
    if (item == Py_None) continue;
    out[k] = native_acquire(state, item, what, NULL);
    if (out[k] == NULL) {
      free_tensors(out, count);
      Py_DECREF(items);
      return -1;
    }
  }
  Py_DECREF(items);
  return 0;
}

static PyObject *run_tape_backward(LayerObject *self, sinabs_layer *layer, PyObject *capsule,
                                   PyObject *grad_obj, PyObject *states_obj, PyObject *recordings_obj) {
  sinabs_tape *tape = PyCapsule_GetPointer(capsule, tape_capsule_name);
  if (tape == NULL) return NULL;
  if (PyCapsule_GetContext(capsule) != (void *)self) {
    PyErr_SetString(PyExc_ValueError, "the tape was taken from another layer");
    return NULL;
  }
  int32_t count = 0;
  sinabs_status status = sinabs_layer_state_count(&count, layer);
  if (status != SINABS_OK) return native_fail(status);
  enum { MAX_STATES = 8 }; /* neuron layers have at most 4 */
  if (count > MAX_STATES) {
    PyErr_SetString(PyExc_RuntimeError, "the layer has more states than tape_backward handles");
    return NULL;
  }
  sinabs_tensor *finals[MAX_STATES] = {NULL}, *initials[MAX_STATES] = {NULL};
  native_state *state = state_of(self);
  sinabs_tensor *recorded[MAX_STATES] = {NULL};
  if (acquire_entries(state, states_obj, count, finals, "grad_states") != 0) return NULL;
  if (acquire_entries(state, recordings_obj, count, recorded, "grad_recordings") != 0) {
    free_tensors(finals, count);
    return NULL;
  }
  sinabs_tensor *grad = native_acquire(state, grad_obj, "grad_output", NULL);
  if (grad == NULL) {
    free_tensors(finals, count);
    free_tensors(recorded, count);
    return NULL;
  }
  sinabs_tensor *grad_input = NULL;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_tape_backward(&grad_input, initials, tape, grad,
                                (const sinabs_tensor *const *)finals,
                                (const sinabs_tensor *const *)recorded, count);
  Py_END_ALLOW_THREADS
  sinabs_tensor_free(grad);
  free_tensors(finals, count);
  free_tensors(recorded, count);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *result = PyTuple_New(count + 1);
  PyObject *item = result ? native_tensor_new(state, grad_input, 0) : NULL;
  if (result == NULL) sinabs_tensor_free(grad_input);
  for (int32_t k = 0; k <= count; k++) {  /* native_tensor_new frees its handle on failure */
    if (item == NULL) {
      free_tensors(initials + k, count - k);
      Py_XDECREF(result);
      return NULL;
    }
    PyTuple_SET_ITEM(result, k, item);
    if (k < count) item = initials[k] ? native_tensor_new(state, initials[k], 0) : Py_NewRef(Py_None);
  }
  return result;
}

static PyObject *layer_tape_backward(LayerObject *self, PyObject *args) {
  PyObject *capsule, *grad_obj, *states_obj = Py_None, *recordings_obj = Py_None;
  if (!PyArg_ParseTuple(args, "OO|OO:tape_backward", &capsule, &grad_obj, &states_obj,
                        &recordings_obj)) {
    return NULL;
  }
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  PyObject *result = run_tape_backward(self, layer, capsule, grad_obj, states_obj, recordings_obj);
  layer_leave(self);
  return result;
}

/* ---- named states, recordings, parameters, gradients ------------------------ */

typedef sinabs_status (*named_getter)(sinabs_tensor **, const sinabs_layer *, const char *);
typedef sinabs_status (*named_setter)(sinabs_layer *, const char *, const sinabs_tensor *);
typedef sinabs_status (*name_count)(int32_t *, const sinabs_layer *);
typedef sinabs_status (*name_at)(const char **, const sinabs_layer *, int32_t);

static PyObject *get_named(LayerObject *self, PyObject *name_obj, named_getter get) {
  const char *name = name_utf8(name_obj);
  if (name == NULL) return NULL;
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  sinabs_tensor *tensor = NULL;
  sinabs_status status = get(&tensor, layer, name);
  layer_leave(self);
  if (status != SINABS_OK) return native_fail(status);
  return native_tensor_new(state_of(self), tensor, 0);
}

static PyObject *set_named(LayerObject *self, PyObject *args, named_setter set, const char *fn) {
  const char *name;
  PyObject *value_obj;
  char format[32];
  PyOS_snprintf(format, sizeof(format), "sO:%s", fn);
  if (!PyArg_ParseTuple(args, format, &name, &value_obj)) return NULL;
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  sinabs_tensor *value = native_acquire(state_of(self), value_obj, "value", NULL);
  sinabs_status status = value == NULL ? SINABS_OK : set(layer, name, value);
  layer_leave(self);
  if (value == NULL) return NULL;
  sinabs_tensor_free(value);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *list_names(LayerObject *self, name_count count, name_at at) {
  sinabs_layer *layer = self->handle; /* each call below is marked by libsinabs */
  int32_t n = 0;
  sinabs_status status = count(&n, layer);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *names = PyTuple_New(n);
  if (names == NULL) return NULL;
  for (int32_t i = 0; i < n; i++) {
    const char *name = NULL;
    status = at(&name, layer, i);
    PyObject *text = status == SINABS_OK ? PyUnicode_FromString(name) : native_fail(status);
    if (text == NULL) {
      Py_DECREF(names);
      return NULL;
    }
    PyTuple_SET_ITEM(names, i, text);
  }
  return names;
}

static PyObject *layer_state_names(LayerObject *self, PyObject *unused) {
  (void)unused;
  return list_names(self, sinabs_layer_state_count, sinabs_layer_state_name);
}

static PyObject *layer_parameter_names(LayerObject *self, PyObject *unused) {
  (void)unused;
  return list_names(self, sinabs_layer_parameter_count, sinabs_layer_parameter_name);
}

static PyObject *layer_get_state(LayerObject *self, PyObject *name) {
  return get_named(self, name, sinabs_layer_get_state);
}

static PyObject *layer_set_state(LayerObject *self, PyObject *args) {
  return set_named(self, args, sinabs_layer_set_state, "set_state");
}

static PyObject *layer_recording(LayerObject *self, PyObject *name) {
  return get_named(self, name, sinabs_layer_get_recording);
}

static PyObject *layer_get_parameter(LayerObject *self, PyObject *name) {
  return get_named(self, name, sinabs_layer_get_parameter);
}

static PyObject *layer_set_parameter(LayerObject *self, PyObject *args) {
  return set_named(self, args, sinabs_layer_set_parameter, "set_parameter");
}

/* The parameter becomes `value`'s memory (no copy; writable memory only:
 * optimizers update it in place). The layer keeps the producer alive. */
static PyObject *layer_share_parameter(LayerObject *self, PyObject *args) {
  const char *name;
  PyObject *value_obj;
  if (!PyArg_ParseTuple(args, "sO:share_parameter", &name, &value_obj)) return NULL;
  sinabs_layer *layer = layer_enter(self);
  if (layer == NULL) return NULL;
  sinabs_tensor *value = native_acquire_writable(state_of(self), value_obj, "value");
  sinabs_status status = value == NULL ? SINABS_OK : sinabs_layer_share_parameter(layer, name, value);
  layer_leave(self);
  if (value == NULL) return NULL;
  sinabs_tensor_free(value);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *layer_grad(LayerObject *self, PyObject *name) {
  return get_named(self, name, sinabs_layer_get_grad);
}

/* ---- the rest ---------------------------------------------------------------- */

static PyObject *layer_firing_rate(LayerObject *self, PyObject *unused) {
  (void)unused;
  float rate = 0;
  sinabs_status status = sinabs_layer_firing_rate(&rate, self->handle); /* marked by libsinabs */
  if (status != SINABS_OK) return native_fail(status);
  return PyFloat_FromDouble(rate);
}

static PyObject *layer_reset_states(LayerObject *self, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"randomize", "value_ranges", "seed", NULL};
  int randomize = 0;
  PyObject *ranges = Py_None;
  unsigned long long seed = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|pOK:reset_states", keywords, &randomize,
                                   &ranges, &seed)) {
    return NULL;
  }
  if (ranges != Py_None && !PyDict_Check(ranges)) {
    PyErr_Format(PyExc_TypeError, "value_ranges must be a dict {state: (low, high)}, got %s",
                 Py_TYPE(ranges)->tp_name);
    return NULL;
  }
  Py_ssize_t count = ranges == Py_None ? 0 : PyDict_Size(ranges);
  const char **names = PyMem_Calloc(count + 1, sizeof(char *));
  float *lows = PyMem_Calloc(count + 1, sizeof(float));
  float *highs = PyMem_Calloc(count + 1, sizeof(float));
  PyObject *result = NULL;
  if (names == NULL || lows == NULL || highs == NULL) {
    PyErr_NoMemory();
    goto done;
  }
  PyObject *key, *value;
  Py_ssize_t position = 0, i = 0;
  while (ranges != Py_None && PyDict_Next(ranges, &position, &key, &value)) {
    double low, high;
    names[i] = name_utf8(key); /* borrowed from the dict's key */
    if (names[i] == NULL) goto done;
    PyObject *pair = PySequence_Check(value) ? PySequence_Tuple(value) : NULL;
    if (pair == NULL) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "value_ranges['%s'] must be (low, high), got %s", names[i],
                   Py_TYPE(value)->tp_name);
      goto done;
    }
    int parsed = PyArg_ParseTuple(pair, "dd;value_ranges entries must be (low, high)", &low, &high);
    Py_DECREF(pair);
    if (!parsed) goto done;
    lows[i] = (float)low;
    highs[i] = (float)high;
    i++;
  }
  /* No Python code runs in this one call: libsinabs' own mark suffices. */
  sinabs_status status =
      sinabs_layer_reset_states(self->handle, randomize, names, lows, highs, (int32_t)count, seed);
  result = status == SINABS_OK ? Py_NewRef(Py_None) : native_fail(status);
done:
  PyMem_Free(names);
  PyMem_Free(lows);
  PyMem_Free(highs);
  return result;
}

static PyObject *layer_set_training(LayerObject *self, PyObject *flag) {
  int training = PyObject_IsTrue(flag);
  if (training < 0) return NULL;
  sinabs_status status = sinabs_layer_set_training(self->handle, training); /* marked by libsinabs */
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *layer_zero_grad(LayerObject *self, PyObject *unused) {
  (void)unused;
  sinabs_status status = sinabs_layer_zero_grad(self->handle); /* marked by libsinabs */
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyMethodDef layer_methods[] = {
    {"forward", (PyCFunction)(void (*)(void))layer_forward, METH_VARARGS | METH_KEYWORDS,
     "forward(input, out=None) -> Tensor\n\n"
     "Runs the layer on `input` (any float32 C-contiguous array; not copied). With `out`\n"
     "(a writable float32 array of the input's size, not sharing its memory) writes there\n"
     "and returns `out`; otherwise returns a new Tensor. Releases the GIL."},
    {"backward", (PyCFunction)layer_backward, METH_O,
     "backward(grad_output) -> Tensor: gradient w.r.t. the input of the last training\n"
     "forward; adds parameter gradients to their accumulators. RuntimeError without one."},
    {"take_tape", (PyCFunction)layer_take_tape, METH_NOARGS,
     "take_tape() -> capsule: the tape of the last training forward, moved out of the\n"
     "layer (freed with the capsule). RuntimeError without one."},
    {"tape_backward", (PyCFunction)layer_tape_backward, METH_VARARGS,
     "tape_backward(tape, grad_output, grad_states=None, grad_recordings=None)\n"
     "-> (grad_input, *grad_states)\n\n"
     "Backward through the call `tape` recorded, with dL/d(states after it) and\n"
     "dL/d(recordings) in state order (None: zero); returns dL/d(states before it).\n"
     "Once per tape."},
    {"state_names", (PyCFunction)layer_state_names, METH_NOARGS, "The state names, a tuple."},
    {"get_state", (PyCFunction)layer_get_state, METH_O,
     "get_state(name) -> Tensor sharing the state's memory (shape (0,) before the first\n"
     "forward). KeyError for an unknown name."},
    {"set_state", (PyCFunction)layer_set_state, METH_VARARGS,
     "set_state(name, value): copies `value` into the state (initialises all states\n"
     "with its shape if they are not yet)."},
    {"recording", (PyCFunction)layer_recording, METH_O,
     "recording(name) -> Tensor (Batch, Time, ...) of the state at every step of the\n"
     "last forward with record_states; shape (0,) if none."},
    {"firing_rate", (PyCFunction)layer_firing_rate, METH_NOARGS,
     "Mean spikes per neuron and step of the last forward."},
    {"parameter_names", (PyCFunction)layer_parameter_names, METH_NOARGS,
     "The parameter names, a tuple."},
    {"get_parameter", (PyCFunction)layer_get_parameter, METH_O,
     "get_parameter(name) -> Tensor sharing the parameter (rank 0 for scalars)."},
    {"set_parameter", (PyCFunction)layer_set_parameter, METH_VARARGS,
     "set_parameter(name, value): copies a value of the parameter's shape in (validated)."},
    {"share_parameter", (PyCFunction)layer_share_parameter, METH_VARARGS,
     "share_parameter(name, value): the parameter (Linear, Conv2d) becomes value's memory,\n"
     "without copying (a writable float32 C-contiguous numpy array or CPU torch tensor)."},
    {"reset_states", (PyCFunction)(void (*)(void))layer_reset_states,
     METH_VARARGS | METH_KEYWORDS,
     "reset_states(randomize=False, value_ranges=None, seed=0): zero the states, or draw\n"
     "them uniformly from [0, 1) or value_ranges[name] = (low, high)."},
    {"set_training", (PyCFunction)layer_set_training, METH_O,
     "set_training(flag): keep what backward needs during forward."},
    {"grad", (PyCFunction)layer_grad, METH_O,
     "grad(name) -> Tensor with the accumulated gradient of parameter `name`."},
    {"zero_grad", (PyCFunction)layer_zero_grad, METH_NOARGS,
     "Set every parameter gradient accumulator to zero."},
    {"forward_pair", (PyCFunction)native_layer_forward_pair, METH_VARARGS,
     "forward_pair(a, b) -> Tensor: a two-input layer's forward (Merge)."},
    {"backward_pair", (PyCFunction)native_layer_backward_pair, METH_O,
     "backward_pair(grad_output) -> (grad_a, grad_b): a two-input layer's backward."},
    {"set_kernel", (PyCFunction)native_layer_set_kernel, METH_O,
     "set_kernel(k): Conv2d forward kernel, CONV_KERNEL_AUTO / _DENSE / _SPARSE."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot layer_slots[] = {
    {Py_tp_doc, "A libsinabs layer (sinabs_layer*). Create with _native.neuron_layer(model,\n"
                "**options) or _native.linear_layer(in_features, out_features, bias=True)."},
    {Py_tp_dealloc, layer_dealloc},
    {Py_tp_methods, layer_methods},
    {0, NULL},
};

PyType_Spec native_layer_spec = {
    .name = "sinabs_swift._native.Layer",
    .basicsize = sizeof(LayerObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = layer_slots,
};
