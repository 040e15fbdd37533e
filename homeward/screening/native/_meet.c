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
#include <stdlib.h>

#define MOST_CONCEPTS 16

typedef struct {
    Py_ssize_t first, last;
    int rank, concept;
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

static int
read_span(PyObject *item, Span *span)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_SetString(PyExc_TypeError, "meet: a span is a (first, last) tuple");
        return -1;
    }
    span->first = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
    span->last = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
    return PyErr_Occurred() ? -1 : 0;
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

static PyObject *
meet(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "meet(lists, ranks, window, accept)");
        return NULL;
    }
    PyObject *lists = args[0], *ranks = args[1], *accept = args[3];
    Py_ssize_t window = PyLong_AsSsize_t(args[2]);
    if (window == -1 && PyErr_Occurred())
        return NULL;
    if (!PyList_Check(lists) || !PyTuple_Check(ranks) ||
        PyTuple_GET_SIZE(ranks) != PyList_GET_SIZE(lists)) {
        PyErr_SetString(PyExc_TypeError, "meet(list, tuple of as many ranks, window, accept)");
        return NULL;
    }
    Py_ssize_t concepts = PyList_GET_SIZE(lists);
    if (concepts < 1 || concepts > MOST_CONCEPTS) {
        PyErr_Format(PyExc_ValueError, "meet: a rule has 1 to %d concepts", MOST_CONCEPTS);
        return NULL;
    }
    Py_ssize_t total = 0, offset[MOST_CONCEPTS + 1];
    for (Py_ssize_t c = 0; c < concepts; c++) {
        PyObject *spans = PyList_GET_ITEM(lists, c);
        if (!PyList_Check(spans)) {
            PyErr_SetString(PyExc_TypeError, "meet: each concept's spans are a list");
            return NULL;
        }
        offset[c] = total;
        total += PyList_GET_SIZE(spans);
    }
    offset[concepts] = total;
    Span *spans = PyMem_Malloc(sizeof(Span) * (total ? total : 1));
    Start *starts = PyMem_Malloc(sizeof(Start) * (total ? total : 1));
    PyObject *result = NULL;
    if (spans == NULL || starts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < concepts; c++) {
        PyObject *list = PyList_GET_ITEM(lists, c);
        int rank = (int)PyLong_AsLong(PyTuple_GET_ITEM(ranks, c));
        if (rank == -1 && PyErr_Occurred())
            goto done;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
            Span *span = &spans[offset[c] + i];
            if (read_span(PyList_GET_ITEM(list, i), span) < 0)
                goto done;
            starts[offset[c] + i] = (Start){span->first, span->last, rank, (int)c};
        }
    }
    qsort(starts, (size_t)total, sizeof(Start), by_place);

    Py_ssize_t covered = -1;
    for (Py_ssize_t s = 0; s < total; s++) {
        Start start = starts[s];
        if (start.first <= covered)
            continue;
        Py_ssize_t limit = start.first + window - 1;
        if (start.last > limit)
            continue;
        Span chosen[MOST_CONCEPTS], taken[MOST_CONCEPTS];
        Py_ssize_t taken_count = 1, end = start.last;
        chosen[start.concept] = taken[0] = (Span){start.first, start.last};
        int every = 1;
        for (Py_ssize_t other = 0; other < concepts && every; other++) {
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
            goto done;
        for (Py_ssize_t c = 0; c < concepts; c++) {
            PyObject *pair = Py_BuildValue("(nn)", chosen[c].first, chosen[c].last);
            if (pair == NULL) {
                Py_DECREF(listed);
                goto done;
            }
            PyList_SET_ITEM(listed, c, pair);
        }
        PyObject *answer = PyObject_CallFunction(accept, "Nnn", listed, start.first, end);
        if (answer == NULL)
            goto done;
        long verdict = PyLong_AsLong(answer);
        Py_DECREF(answer);
        if (verdict == -1 && PyErr_Occurred())
            goto done;
        if (verdict == 2)
            break;
        if (verdict == 1)
            covered = end;
    }
    result = Py_NewRef(Py_None);
done:
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
    return PyModule_Create(&module);
}
