/* errors.c -- sinabs_status -> Python exception, with the library's message. */
#include "native.h"

PyObject *native_fail(sinabs_status status) {
  PyObject *type;
  switch (status) {
  case SINABS_ERR_INVALID_ARGUMENT: type = PyExc_ValueError; break;
  case SINABS_ERR_SHAPE: type = PyExc_ValueError; break;
  case SINABS_ERR_OUT_OF_MEMORY: type = PyExc_MemoryError; break;
  case SINABS_ERR_STATE: type = PyExc_RuntimeError; break;
  case SINABS_ERR_NOT_FOUND: type = PyExc_KeyError; break;
  default: type = PyExc_SystemError; break;
  }
  const char *message = sinabs_last_error();
  if (type == PyExc_KeyError) {
    /* KeyError(str) would show the message quoted; a tuple-free str arg is
     * still the most useful form for `except KeyError as e: str(e)`. */
    PyObject *text = PyUnicode_FromString(message);
    if (text != NULL) {
      PyErr_SetObject(type, text);
      Py_DECREF(text);
    }
    return NULL;
  }
  PyErr_SetString(type, message[0] ? message : sinabs_status_name(status));
  return NULL;
}
