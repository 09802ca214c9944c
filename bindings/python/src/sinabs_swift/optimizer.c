/* optimizer.c -- sinabs_swift._native.Optimizer (sinabs_optimizer*) and the
 * loss function: the training pieces of include/sinabs.h. */
#include <math.h>
#include <string.h>

#include "native.h"

static int set_float(PyObject *kwargs, const char *name, float *slot) {
  PyObject *value = kwargs == NULL ? NULL : PyDict_GetItemString(kwargs, name);
  if (value == NULL) return 0;
  double number = value == Py_None ? NAN : PyFloat_AsDouble(value);
  if (number == -1.0 && PyErr_Occurred()) return -1;
  *slot = (float)number;
  return 1;
}

static PyObject *optimizer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
  native_state *state = native_state_of_type(type);
  PyObject *model_obj;
  int kind;
  if (!PyArg_ParseTuple(args, "O!i:Optimizer", state->model_type, &model_obj, &kind)) return NULL;
  sinabs_optimizer_options options;
  sinabs_status status = sinabs_optimizer_options_init(&options, kind);
  if (status != SINABS_OK) return native_fail(status);
  static const char *floats[] = {"lr", "momentum", "dampening", "weight_decay", "beta1", "beta2", "eps",
                                 "max_grad_norm"};
  float *slots[] = {&options.lr, &options.momentum, &options.dampening, &options.weight_decay,
                    &options.beta1, &options.beta2, &options.eps, &options.max_grad_norm};
  Py_ssize_t used = 0;
  for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
    int found = set_float(kwargs, floats[i], slots[i]);
    if (found < 0) return NULL;
    used += found;
  }
  PyObject *nesterov = kwargs == NULL ? NULL : PyDict_GetItemString(kwargs, "nesterov");
  if (nesterov != NULL) {
    int flag = PyObject_IsTrue(nesterov);
    if (flag < 0) return NULL;
    options.nesterov = flag;
    used++;
  }
  if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != used) {
    PyErr_SetString(PyExc_TypeError, "Optimizer() takes lr, momentum, dampening, weight_decay, nesterov, "
                                     "beta1, beta2, eps, max_grad_norm");
    return NULL;
  }
  sinabs_optimizer *handle = NULL;
  status = sinabs_optimizer_create(&handle, ((ModelObject *)model_obj)->handle, &options);
  if (status != SINABS_OK) return native_fail(status);
  OptimizerObject *self = (OptimizerObject *)type->tp_alloc(type, 0);
  if (self == NULL) {
    sinabs_optimizer_free(handle);
    return NULL;
  }
  self->handle = handle;
  self->model = Py_NewRef(model_obj);
  self->busy = 0;
  return (PyObject *)self;
}

static void optimizer_dealloc(OptimizerObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  sinabs_optimizer_free(self->handle);
  Py_CLEAR(self->model);
  type->tp_free(self);
  Py_DECREF(type);
}

/* RuntimeError while this optimizer or its model runs without the GIL. */
static int optimizer_in_use(OptimizerObject *self) {
  if (self->busy || ((ModelObject *)self->model)->busy) {
    PyErr_SetString(PyExc_RuntimeError, "this optimizer or its model is running in another thread");
    return 1;
  }
  return 0;
}

static PyObject *optimizer_step(OptimizerObject *self, PyObject *unused) {
  (void)unused;
  if (optimizer_in_use(self)) return NULL;
  sinabs_status status = sinabs_optimizer_step(self->handle);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyObject *optimizer_zero_grad(OptimizerObject *self, PyObject *unused) {
  (void)unused;
  if (optimizer_in_use(self)) return NULL;
  sinabs_status status = sinabs_optimizer_zero_grad(self->handle);
  if (status != SINABS_OK) return native_fail(status);
  Py_RETURN_NONE;
}

static PyMethodDef optimizer_methods[] = {
    {"step", (PyCFunction)optimizer_step, METH_NOARGS, "One update from the accumulated gradients."},
    {"zero_grad", (PyCFunction)optimizer_zero_grad, METH_NOARGS, "Zero the model's gradients."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot optimizer_slots[] = {
    {Py_tp_doc, "Optimizer(model, kind, **options) -> sinabs_optimizer* over a _native.Model.\n"
                "kind: OPTIMIZER_SGD or OPTIMIZER_ADAM; options: lr, momentum, dampening,\n"
                "weight_decay, nesterov, beta1, beta2, eps, max_grad_norm (torch's meanings)."},
    {Py_tp_new, optimizer_new},
    {Py_tp_dealloc, optimizer_dealloc},
    {Py_tp_methods, optimizer_methods},
    {0, NULL},
};

PyType_Spec native_optimizer_spec = {
    .name = "sinabs_swift._native.Optimizer",
    .basicsize = sizeof(OptimizerObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = optimizer_slots,
};

PyObject *native_loss(PyObject *module, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"output", "target", "kind", NULL};
  PyObject *output_obj, *target_obj;
  int kind;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOi:loss", keywords, &output_obj, &target_obj, &kind)) {
    return NULL;
  }
  native_state *state = PyModule_GetState(module);
  sinabs_tensor *output = native_acquire(state, output_obj, "output", NULL);
  if (output == NULL) return NULL;
  sinabs_tensor *target = native_acquire(state, target_obj, "target", NULL);
  if (target == NULL) {
    sinabs_tensor_free(output);
    return NULL;
  }
  float value = 0;
  sinabs_tensor *grad = NULL;
  sinabs_status status = sinabs_loss_compute(&value, &grad, output, target, kind);
  sinabs_tensor_free(output);
  sinabs_tensor_free(target);
  if (status != SINABS_OK) return native_fail(status);
  PyObject *gradient = native_tensor_new(state, grad, 0);
  if (gradient == NULL) return NULL;
  return Py_BuildValue("(dN)", (double)value, gradient);
}
