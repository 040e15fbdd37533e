/* Carrying a text's map to the original through edits, in C: what ``edits.spans`` does in
 * Python (``native`` builds it at ``make env``; the Python is used wherever it is not built,
 * and the tests compare the two on random edits and on every exact map of the corpora).
 *
 * spans(lo, hi, edits) -> tuple[array, array]
 *   lo and hi are arrays of 'q' (a text's characters' spans in the original, [lo, hi));
 *   edits is a list of (start, end, replacement), sorted, not overlapping, inside the text.
 *   Returns the new lo and hi: the characters outside the edits keep their spans, and
 *   every character of a replacement spans the whole of what it replaced.
 * through(lo, hi, firsts, ends) -> tuple[array, array]
 *   the spans in the original of a text made from another whose spans are lo and hi
 *   (arrays of 'q'), each of its characters from the run [first, end) of the other
 *   (firsts and ends: bytes of as many machine integers): from the run's first
 *   character's lo to its last's hi (``edits.through``)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#ifndef HOMEWARD_SOURCE /* the SHA-256 of this file, which native.build passes */
#define HOMEWARD_SOURCE "homeward-source-sha256:unknown"
#endif

static PyObject *array_type; /* array.array */

static int
read_spans(PyObject *given, Py_buffer *view, const char *name)
{
    if (PyObject_GetBuffer(given, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->itemsize != 8 || view->format == NULL || strcmp(view->format, "q") != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "spans: %s is an array of 'q'", name);
        return -1;
    }
    return 0;
}

/* Both span arrays of a call (its first two arguments), or -1 with neither held. */
static int
read_both(PyObject *const *args, Py_buffer *lo_view, Py_buffer *hi_view)
{
    if (read_spans(args[0], lo_view, "lo") < 0)
        return -1;
    if (read_spans(args[1], hi_view, "hi") < 0) {
        PyBuffer_Release(lo_view);
        return -1;
    }
    return 0;
}

/* The new spans, ``count`` of each, as a tuple of two arrays of 'q'. */
static PyObject *
spans_made(const long long *out_lo, const long long *out_hi, Py_ssize_t count)
{
    PyObject *result = NULL, *new_hi = NULL;
    Py_ssize_t bytes = (Py_ssize_t)(sizeof(long long) * count);
    PyObject *new_lo = PyObject_CallFunction(array_type, "sy#", "q", (const char *)out_lo, bytes);
    if (new_lo != NULL)
        new_hi = PyObject_CallFunction(array_type, "sy#", "q", (const char *)out_hi, bytes);
    if (new_lo != NULL && new_hi != NULL)
        result = PyTuple_Pack(2, new_lo, new_hi);
    Py_XDECREF(new_lo);
    Py_XDECREF(new_hi);
    return result;
}

/* An edit's start, end and replacement, checked against the text's length and the end of
 * the edit before it (``done``). */
static int
read_edit(PyObject *edit, Py_ssize_t length, Py_ssize_t done, Py_ssize_t *start,
          Py_ssize_t *end, Py_ssize_t *size)
{
    if (!PyTuple_Check(edit) || PyTuple_GET_SIZE(edit) != 3 ||
        !PyLong_CheckExact(PyTuple_GET_ITEM(edit, 0)) ||
        !PyLong_CheckExact(PyTuple_GET_ITEM(edit, 1)) ||
        !PyUnicode_Check(PyTuple_GET_ITEM(edit, 2))) {
        PyErr_SetString(PyExc_TypeError, "spans: an edit is (start: int, end: int, str)");
        return -1;
    }
    *start = PyLong_AsSsize_t(PyTuple_GET_ITEM(edit, 0));
    *end = PyLong_AsSsize_t(PyTuple_GET_ITEM(edit, 1));
    if ((*start == -1 || *end == -1) && PyErr_Occurred())
        return -1;
    if (*start < done || *end <= *start || *end > length) {
        PyErr_SetString(PyExc_ValueError,
                        "spans: edits are sorted, do not overlap, and lie inside the text");
        return -1;
    }
    *size = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(edit, 2));
    return 0;
}

static PyObject *
spans(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "spans(lo, hi, edits: list)");
        return NULL;
    }
    Py_buffer lo_view, hi_view;
    if (read_both(args, &lo_view, &hi_view) < 0)
        return NULL;
    PyObject *edits = args[2], *result = NULL;
    long long *out_lo = NULL, *out_hi = NULL;
    const long long *lo = lo_view.buf, *hi = hi_view.buf;
    Py_ssize_t length = lo_view.len / 8, count = PyList_GET_SIZE(edits);
    if (hi_view.len / 8 != length) {
        PyErr_SetString(PyExc_ValueError, "spans: lo and hi are not as long");
        goto done;
    }
    /* First every edit is checked and the new length counted; no Python code runs between
     * this pass and the next, so the list is the same in both. */
    Py_ssize_t total = length, done = 0, start, end, size;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (read_edit(PyList_GET_ITEM(edits, i), length, done, &start, &end, &size) < 0)
            goto done;
        total += size - (end - start);
        done = end;
        if (total > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(long long) - 1) {
            PyErr_NoMemory();
            goto done;
        }
    }
    out_lo = PyMem_Malloc(sizeof(long long) * (total + 1));
    out_hi = PyMem_Malloc(sizeof(long long) * (total + 1));
    if (out_lo == NULL || out_hi == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0, made = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (read_edit(PyList_GET_ITEM(edits, i), length, at, &start, &end, &size) < 0)
            goto done;
        memcpy(out_lo + made, lo + at, sizeof(long long) * (start - at));
        memcpy(out_hi + made, hi + at, sizeof(long long) * (start - at));
        made += start - at;
        for (Py_ssize_t k = 0; k < size; k++) {
            out_lo[made] = lo[start];
            out_hi[made] = hi[end - 1];
            made++;
        }
        at = end;
    }
    memcpy(out_lo + made, lo + at, sizeof(long long) * (length - at));
    memcpy(out_hi + made, hi + at, sizeof(long long) * (length - at));
    made += length - at;
    result = spans_made(out_lo, out_hi, made);
done:
    PyMem_Free(out_lo);
    PyMem_Free(out_hi);
    PyBuffer_Release(&lo_view);
    PyBuffer_Release(&hi_view);
    return result;
}

static PyObject *
through(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyBytes_Check(args[2]) || !PyBytes_Check(args[3]) ||
        PyBytes_GET_SIZE(args[2]) != PyBytes_GET_SIZE(args[3]) ||
        PyBytes_GET_SIZE(args[2]) % sizeof(long long) != 0) {
        PyErr_SetString(PyExc_TypeError,
                        "through(lo, hi, firsts: bytes, ends: bytes of as many integers)");
        return NULL;
    }
    Py_buffer lo_view, hi_view;
    if (read_both(args, &lo_view, &hi_view) < 0)
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t length = lo_view.len / 8, count = PyBytes_GET_SIZE(args[2]) / 8;
    long long *out = NULL;
    const long long *lo = lo_view.buf, *hi = hi_view.buf;
    const long long *firsts = (const long long *)PyBytes_AS_STRING(args[2]);
    const long long *ends = (const long long *)PyBytes_AS_STRING(args[3]);
    if (hi_view.len / 8 != length) {
        PyErr_SetString(PyExc_ValueError, "through: lo and hi are not as long");
        goto done;
    }
    out = PyMem_Malloc(sizeof(long long) * (2 * count + 1));
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (firsts[i] < 0 || ends[i] <= firsts[i] || ends[i] > length) {
            PyErr_SetString(PyExc_ValueError, "through: a span lies outside the text");
            goto done;
        }
        out[i] = lo[firsts[i]];
        out[count + i] = hi[ends[i] - 1];
    }
    result = spans_made(out, out + count, count);
done:
    PyMem_Free(out);
    PyBuffer_Release(&lo_view);
    PyBuffer_Release(&hi_view);
    return result;
}

static PyMethodDef methods[] = {
    {"spans", (PyCFunction)(void (*)(void))spans, METH_FASTCALL,
     "spans(lo, hi, edits): the characters' spans in the original after the edits."},
    {"through", (PyCFunction)(void (*)(void))through, METH_FASTCALL,
     "through(lo, hi, firsts, ends): spans of a text made from runs of another."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_edits", "Carrying a text's map through edits, in C.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__edits(void)
{
    if (array_type == NULL) {
        PyObject *arrays = PyImport_ImportModule("array");
        if (arrays == NULL)
            return NULL;
        array_type = PyObject_GetAttrString(arrays, "array");
        Py_DECREF(arrays);
        if (array_type == NULL)
            return NULL;
    }
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddStringConstant(made, "source", HOMEWARD_SOURCE) < 0)
        Py_CLEAR(made);
    return made;
}
