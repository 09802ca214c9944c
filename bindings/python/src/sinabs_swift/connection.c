/*
 * connection.c -- the conv, pool and shape layers of include/sinabs.h behind
 * one module function, _native.create_layer(kind, *args), driven by a table
 * (argument types + a small adapter per create), and the Layer methods only
 * they need: forward_pair / backward_pair (Merge) and set_kernel (Conv2d).
 */
#include <string.h>

#include "native.h"

/* One positional argument: 'L' int64, 'K' uint64, 'd' float, 'O' a Layer. */
typedef union {
  long long i;
  unsigned long long u;
  double f;
  sinabs_layer *layer;
} arg_value;

typedef sinabs_status (*create_fn)(sinabs_layer **out, const arg_value *a);

static sinabs_status make_conv2d(sinabs_layer **out, const arg_value *a) {
  sinabs_conv2d_options o;
  sinabs_status status = sinabs_conv2d_options_init(&o, a[0].i, a[1].i, a[2].i, a[3].i);
  if (status != SINABS_OK) return status;
  o.stride_h = a[4].i, o.stride_w = a[5].i, o.padding_h = a[6].i, o.padding_w = a[7].i;
  o.dilation_h = a[8].i, o.dilation_w = a[9].i, o.groups = a[10].i;
  o.bias = a[11].i != 0, o.seed = a[12].u;
  return sinabs_conv2d_layer_create(out, &o);
}

/* kernel_h, kernel_w, stride_h, stride_w, padding_h, padding_w, dilation_h,
 * dilation_w, ceil_mode, count_include_pad, divisor_override */
static sinabs_status pool_options(sinabs_pool2d_options *o, const arg_value *a) {
  sinabs_status status = sinabs_pool2d_options_init(o, a[0].i, a[1].i);
  if (status != SINABS_OK) return status;
  o->stride_h = a[2].i, o->stride_w = a[3].i, o->padding_h = a[4].i, o->padding_w = a[5].i;
  o->dilation_h = a[6].i, o->dilation_w = a[7].i;
  o->ceil_mode = a[8].i != 0, o->count_include_pad = a[9].i != 0, o->divisor_override = a[10].i;
  return SINABS_OK;
}

#define POOL_MAKER(name, create)                                        \
  static sinabs_status name(sinabs_layer **out, const arg_value *a) {   \
    sinabs_pool2d_options o;                                            \
    sinabs_status status = pool_options(&o, a);                         \
    return status != SINABS_OK ? status : create(out, &o);              \
  }
POOL_MAKER(make_avg_pool2d, sinabs_avg_pool2d_layer_create)
POOL_MAKER(make_sum_pool2d, sinabs_sum_pool2d_layer_create)
POOL_MAKER(make_max_pool2d, sinabs_max_pool2d_layer_create)
#undef POOL_MAKER

static int32_t clamp32(long long v) { return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v; }

static sinabs_status make_flatten(sinabs_layer **out, const arg_value *a) {
  return sinabs_flatten_layer_create(out, clamp32(a[0].i), clamp32(a[1].i));
}
static sinabs_status make_flatten_time(sinabs_layer **out, const arg_value *a) {
  (void)a;
  return sinabs_flatten_time_layer_create(out);
}
static sinabs_status make_unflatten_time(sinabs_layer **out, const arg_value *a) {
  return sinabs_unflatten_time_layer_create(out, a[0].i);
}
static sinabs_status make_zero_pad2d(sinabs_layer **out, const arg_value *a) {
  return sinabs_zero_pad2d_layer_create(out, a[0].i, a[1].i, a[2].i, a[3].i);
}
static sinabs_status make_cropping2d(sinabs_layer **out, const arg_value *a) {
  return sinabs_cropping2d_layer_create(out, a[0].i, a[1].i, a[2].i, a[3].i);
}
static sinabs_status make_channel_shift(sinabs_layer **out, const arg_value *a) {
  return sinabs_channel_shift_layer_create(out, a[0].i, clamp32(a[1].i));
}
static sinabs_status make_relu(sinabs_layer **out, const arg_value *a) {
  (void)a;
  return sinabs_relu_layer_create(out);
}
static sinabs_status make_dropout(sinabs_layer **out, const arg_value *a) {
  return sinabs_dropout_layer_create(out, (float)a[0].f, a[1].u);
}
static sinabs_status make_repeat(sinabs_layer **out, const arg_value *a) {
  return sinabs_repeat_layer_create(out, a[0].layer);
}
static sinabs_status make_merge(sinabs_layer **out, const arg_value *a) {
  (void)a;
  return sinabs_merge_layer_create(out);
}

static const struct {
  const char *kind;
  const char *types; /* one character per argument, see arg_value */
  create_fn create;
} creators[] = {
    {"conv2d", "LLLLLLLLLLLLK", make_conv2d},
    {"avg_pool2d", "LLLLLLLLLLL", make_avg_pool2d},
    {"sum_pool2d", "LLLLLLLLLLL", make_sum_pool2d},
    {"max_pool2d", "LLLLLLLLLLL", make_max_pool2d},
    {"flatten", "LL", make_flatten},
    {"flatten_time", "", make_flatten_time},
    {"unflatten_time", "L", make_unflatten_time},
    {"zero_pad2d", "LLLL", make_zero_pad2d},
    {"cropping2d", "LLLL", make_cropping2d},
    {"channel_shift", "LL", make_channel_shift},
    {"relu", "", make_relu},
    {"dropout", "dK", make_dropout},
    {"repeat", "O", make_repeat},
    {"merge", "", make_merge},
};

enum { MAX_ARGS = 16 };

static int read_arg(native_state *state, PyObject *obj, char type, arg_value *value) {
  switch (type) {
  case 'L':
    value->i = PyLong_AsLongLong(obj);
    return value->i == -1 && PyErr_Occurred() ? -1 : 0;
  case 'K':
    value->u = PyLong_AsUnsignedLongLongMask(obj);
    return value->u == (unsigned long long)-1 && PyErr_Occurred() ? -1 : 0;
  case 'd':
    value->f = PyFloat_AsDouble(obj);
    return value->f == -1.0 && PyErr_Occurred() ? -1 : 0;
  default:
    if (!PyObject_TypeCheck(obj, state->layer_type)) {
      PyErr_Format(PyExc_TypeError, "expected a _native.Layer, got %s", Py_TYPE(obj)->tp_name);
      return -1;
    }
    value->layer = ((LayerObject *)obj)->handle;
    return 0;
  }
}

PyObject *native_create_layer(PyObject *module, PyObject *args) {
  Py_ssize_t count = PyTuple_GET_SIZE(args);
  const char *kind = count > 0 ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0)) : NULL;
  if (kind == NULL) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "create_layer(kind, *args): kind missing");
    return NULL;
  }
  native_state *state = PyModule_GetState(module);
  for (size_t k = 0; k < sizeof(creators) / sizeof(creators[0]); k++) {
    if (strcmp(creators[k].kind, kind) != 0) continue;
    Py_ssize_t expected = (Py_ssize_t)strlen(creators[k].types);
    if (count - 1 != expected) {
      return PyErr_Format(PyExc_TypeError, "create_layer('%s') takes %zd arguments, got %zd", kind,
                          expected, count - 1);
    }
    arg_value values[MAX_ARGS];
    for (Py_ssize_t i = 0; i < expected; i++) {
      if (read_arg(state, PyTuple_GET_ITEM(args, i + 1), creators[k].types[i], &values[i]) < 0) return NULL;
    }
    sinabs_layer *layer = NULL;
    sinabs_status status = creators[k].create(&layer, values);
    if (status != SINABS_OK) return native_fail(status);
    return native_layer_new(state, layer);
  }
  return PyErr_Format(PyExc_ValueError, "unknown layer kind '%s'", kind);
}

/* ---- Layer methods of the two-input and conv layers -------------------------- */

/* Marks the layer busy, or fails with RuntimeError while another thread runs
 * a call on it. As layer_enter in layer.c: test and set under the GIL before
 * acquiring any input (an input's __dlpack__ may run Python code and let
 * another thread in). Every success is paired with release(). */
static int claim(LayerObject *self) {
  if (self->busy) {
    PyErr_SetString(PyExc_RuntimeError,
                    "this layer is running a call in another thread; use one layer per thread");
    return -1;
  }
  self->busy = 1;
  return 0;
}

static void release(LayerObject *self) { self->busy = 0; }

PyObject *native_layer_forward_pair(LayerObject *self, PyObject *args) {
  PyObject *a_obj, *b_obj;
  if (!PyArg_ParseTuple(args, "OO:forward_pair", &a_obj, &b_obj) || claim(self) < 0) return NULL;
  native_state *state = native_state_of_type(Py_TYPE(self));
  sinabs_tensor *a = native_acquire(state, a_obj, "a", NULL);
  sinabs_tensor *b = a == NULL ? NULL : native_acquire(state, b_obj, "b", NULL);
  if (b == NULL) {
    sinabs_tensor_free(a);
    release(self);
    return NULL;
  }
  sinabs_tensor *out = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_layer_forward_pair(&out, self->handle, a, b);
  Py_END_ALLOW_THREADS
  release(self);
  sinabs_tensor_free(a);
  sinabs_tensor_free(b);
  return status == SINABS_OK ? native_tensor_new(state, out, 0) : native_fail(status);
}

PyObject *native_layer_backward_pair(LayerObject *self, PyObject *grad_obj) {
  if (claim(self) < 0) return NULL;
  native_state *state = native_state_of_type(Py_TYPE(self));
  sinabs_tensor *grad = native_acquire(state, grad_obj, "grad_output", NULL);
  if (grad == NULL) {
    release(self);
    return NULL;
  }
  sinabs_tensor *ga = NULL, *gb = NULL;
  sinabs_status status;
  Py_BEGIN_ALLOW_THREADS
  status = sinabs_layer_backward_pair(&ga, &gb, self->handle, grad);
  Py_END_ALLOW_THREADS
  release(self);
  sinabs_tensor_free(grad);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *first = native_tensor_new(state, ga, 0);
  if (first == NULL) {
    sinabs_tensor_free(gb);
    return NULL;
  }
  PyObject *second = native_tensor_new(state, gb, 0);
  if (second == NULL) {
    Py_DECREF(first);
    return NULL;
  }
  PyObject *pair = PyTuple_Pack(2, first, second);
  Py_DECREF(first);
  Py_DECREF(second);
  return pair;
}

PyObject *native_layer_set_kernel(LayerObject *self, PyObject *kernel_obj) {
  if (claim(self) < 0) return NULL;
  long kernel = PyLong_AsLong(kernel_obj);
  sinabs_status status = SINABS_OK;
  if (!(kernel == -1 && PyErr_Occurred())) {
    status = sinabs_conv2d_layer_set_kernel(self->handle, (int32_t)clamp32(kernel));
  }
  release(self);
  if (PyErr_Occurred()) return NULL;
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}
