/* Where a concept rule's concepts meet within its window: ``concepts.meet`` in C, the same
 * steps in the same order (``native`` builds it at ``make env``; the Python is used
 * wherever it is not built, and the tests compare the two).
 *
 * meet(lists, ranks, window, accept)
 *   lists   one sorted list of (first, last) word spans per concept of the rule, in the
 *           rule's order, no span twice in a list
 *   ranks   each concept's place when the rule's concept names are sorted (ties between
 *           two concepts on one span are taken in name order, as in Python)
 *   window  words from the first to the last, inclusive
 *   accept  called for each place the concepts meet, with (chosen, first, end): chosen is
 *           a list of one span per concept, in the rule's order; it answers 0 (not a hit,
 *           go on), 1 (a hit: go on after its last word) or 2 (stop)
 *
 * Each span, in order of (first, last, rank), starts a try: the other concepts are taken
 * in the rule's order, each at its first span inside the window overlapping no span taken.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef HOMEWARD_SOURCE /* the SHA-256 of this file, which native.build passes */
#define HOMEWARD_SOURCE "homeward-source-sha256:unknown"
#endif
#include <stdlib.h>

typedef struct {
    Py_ssize_t first, last, rank, concept;
} Start;

typedef struct {
    Py_ssize_t first, last;
} Span;

static int
by_place(const void *a, const void *b)
{
    const Start *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* A plain int (never an object whose __index__ could run Python and change the lists). */
static int
read_int(PyObject *item, Py_ssize_t *value)
{
    if (!PyLong_CheckExact(item)) {
        PyErr_SetString(PyExc_TypeError, "meet: word positions and ranks are ints");
        return -1;
    }
    *value = PyLong_AsSsize_t(item);
    return *value == -1 && PyErr_Occurred() ? -1 : 0;
}

static int
read_span(PyObject *item, Span *span)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_SetString(PyExc_TypeError, "meet: a span is a (first, last) tuple");
        return -1;
    }
    if (read_int(PyTuple_GET_ITEM(item, 0), &span->first) < 0)
        return -1;
    return read_int(PyTuple_GET_ITEM(item, 1), &span->last);
}

static int
overlaps(Span span, const Span *taken, Py_ssize_t count)
{
    for (Py_ssize_t i = 0; i < count; i++) {
        if (span.first <= taken[i].last && taken[i].first <= span.last)
            return 1;
    }
    return 0;
}

/* The first of ``spans`` inside first..limit overlapping none of ``taken``, or -1. */
static Py_ssize_t
first_within(const Span *spans, Py_ssize_t count, Py_ssize_t first, Py_ssize_t limit,
             const Span *taken, Py_ssize_t taken_count)
{
    Py_ssize_t low = 0, high = count; /* the first span starting at ``first`` or later */
    while (low < high) {
        Py_ssize_t middle = (low + high) / 2;
        if (spans[middle].first < first)
            low = middle + 1;
        else
            high = middle;
    }
    for (Py_ssize_t i = low; i < count; i++) {
        if (spans[i].first > limit)
            break;
        if (spans[i].last <= limit && !overlaps(spans[i], taken, taken_count))
            return i;
    }
    return -1;
}

/* Call accept at each place the concepts meet (see the top); 0 or -1 with an error. */
static int
try_places(const Start *starts, const Span *spans, const Py_ssize_t *offset,
           Py_ssize_t concepts, Py_ssize_t window, PyObject *accept, Span *chosen, Span *taken)
{
    Py_ssize_t covered = -1;
    for (Py_ssize_t s = 0; s < offset[concepts]; s++) {
        Start start = starts[s];
        if (start.first <= covered)
            continue;
        Py_ssize_t limit = start.first + window - 1;
        if (start.last > limit)
            continue;
        Py_ssize_t taken_count = 1, end = start.last;
        chosen[start.concept] = taken[0] = (Span){start.first, start.last};
        int every = 1;
        for (Py_ssize_t other = 0; other < concepts; other++) {
            if (other == start.concept)
                continue;
            Py_ssize_t at = first_within(&spans[offset[other]], offset[other + 1] - offset[other],
                                         start.first, limit, taken, taken_count);
            if (at < 0) {
                every = 0;
                break;
            }
            chosen[other] = taken[taken_count++] = spans[offset[other] + at];
            if (chosen[other].last > end)
                end = chosen[other].last;
        }
        if (!every)
            continue;
        PyObject *listed = PyList_New(concepts);
        if (listed == NULL)
            return -1;
        for (Py_ssize_t c = 0; c < concepts; c++) {
            PyObject *pair = Py_BuildValue("(nn)", chosen[c].first, chosen[c].last);
            if (pair == NULL) {
                Py_DECREF(listed);
                return -1;
            }
            PyList_SET_ITEM(listed, c, pair);
        }
        PyObject *answer = PyObject_CallFunction(accept, "Nnn", listed, start.first, end);
        if (answer == NULL)
            return -1;
        long verdict = PyLong_AsLong(answer);
        Py_DECREF(answer);
        if (verdict == -1 && PyErr_Occurred())
            return -1;
        if (verdict == 2)
            break;
        if (verdict == 1)
            covered = end;
    }
    return 0;
}

static PyObject *
meet(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "meet(lists, ranks, window, accept)");
        return NULL;
    }
    PyObject *lists = args[0], *ranks = args[1], *accept = args[3];
    Py_ssize_t window;
    if (read_int(args[2], &window) < 0)
        return NULL;
    if (!PyList_Check(lists) || !PyTuple_Check(ranks) ||
        PyTuple_GET_SIZE(ranks) != PyList_GET_SIZE(lists) || PyList_GET_SIZE(lists) < 1) {
        PyErr_SetString(PyExc_TypeError, "meet(list, tuple of as many ranks, window, accept)");
        return NULL;
    }
    Py_ssize_t concepts = PyList_GET_SIZE(lists);
    /* Nothing below runs Python code until accept is called, after everything is read. */
    Py_ssize_t *offset = PyMem_Calloc((size_t)concepts + 1, sizeof(Py_ssize_t));
    Py_ssize_t *rank = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    Span *chosen = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *taken = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *spans = NULL;
    Start *starts = NULL;
    PyObject *result = NULL;
    if (offset == NULL || rank == NULL || chosen == NULL || taken == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < concepts; c++) {
        PyObject *list = PyList_GET_ITEM(lists, c);
        if (!PyList_Check(list)) {
            PyErr_SetString(PyExc_TypeError, "meet: each concept's spans are a list");
            goto done;
        }
        if (read_int(PyTuple_GET_ITEM(ranks, c), &rank[c]) < 0)
            goto done;
        offset[c + 1] = offset[c] + PyList_GET_SIZE(list);
    }
    Py_ssize_t total = offset[concepts];
    spans = PyMem_Calloc((size_t)(total ? total : 1), sizeof(Span));
    starts = PyMem_Calloc((size_t)(total ? total : 1), sizeof(Start));
    if (spans == NULL || starts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < concepts; c++) {
        PyObject *list = PyList_GET_ITEM(lists, c);
        for (Py_ssize_t i = 0; i < offset[c + 1] - offset[c]; i++) {
            Span *span = &spans[offset[c] + i];
            if (read_span(PyList_GET_ITEM(list, i), span) < 0)
                goto done;
            starts[offset[c] + i] = (Start){span->first, span->last, rank[c], c};
        }
    }
    qsort(starts, (size_t)total, sizeof(Start), by_place);
    if (try_places(starts, spans, offset, concepts, window, accept, chosen, taken) == 0)
        result = Py_NewRef(Py_None);
done:
    PyMem_Free(offset);
    PyMem_Free(rank);
    PyMem_Free(chosen);
    PyMem_Free(taken);
    PyMem_Free(spans);
    PyMem_Free(starts);
    return result;
}

static PyMethodDef methods[] = {
    {"meet", (PyCFunction)(void (*)(void))meet, METH_FASTCALL,
     "meet(lists, ranks, window, accept): call accept where a rule's concepts meet."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_meet", "Where a concept rule's concepts meet, in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__meet(void)
{
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddStringConstant(made, "source", HOMEWARD_SOURCE) < 0)
        Py_CLEAR(made);
    return made;
}
