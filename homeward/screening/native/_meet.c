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
 *
 * meetings(places, by_first, accept)
 *   ``concepts.meetings``: for each rule whose every concept is in ``places`` (a dict of a
 *   concept's name to its sorted spans), found by the names of ``places`` in order and the
 *   rules ``by_first`` lists under each (name -> tuple of (rule, names, ranks, window)),
 *   meet of its concepts' spans, calling accept(rule, chosen, first, end)
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

/* Call accept at each place the concepts meet (see the top), with ``rule`` first where it
 * is not NULL (``meetings``); 0 or -1 with an error. */
static int
try_places(const Start *starts, const Span *spans, const Py_ssize_t *offset,
           Py_ssize_t concepts, Py_ssize_t window, PyObject *accept, PyObject *rule,
           Span *chosen, Span *taken)
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
        PyObject *answer = rule == NULL
                               ? PyObject_CallFunction(accept, "Nnn", listed, start.first, end)
                               : PyObject_CallFunction(accept, "ONnn", rule, listed, start.first,
                                                       end);
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

/* ``meet`` of ``lists`` (a list of lists of spans) with ``ranks`` (a tuple as long),
 * ``window`` and ``accept`` (given ``rule`` first where it is not NULL): 0, or -1 with an
 * error. */
static int
meet_lists(PyObject *lists, PyObject *ranks, Py_ssize_t window, PyObject *accept,
           PyObject *rule)
{
    if (!PyList_Check(lists) || !PyTuple_Check(ranks) ||
        PyTuple_GET_SIZE(ranks) != PyList_GET_SIZE(lists) || PyList_GET_SIZE(lists) < 1) {
        PyErr_SetString(PyExc_TypeError, "meet(list, tuple of as many ranks, window, accept)");
        return -1;
    }
    Py_ssize_t concepts = PyList_GET_SIZE(lists);
    /* Nothing below runs Python code until accept is called, after everything is read. */
    Py_ssize_t *offset = PyMem_Calloc((size_t)concepts + 1, sizeof(Py_ssize_t));
    Py_ssize_t *rank = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    Span *chosen = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *taken = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *spans = NULL;
    Start *starts = NULL;
    int result = -1;
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
    result = try_places(starts, spans, offset, concepts, window, accept, rule, chosen, taken);
done:
    PyMem_Free(offset);
    PyMem_Free(rank);
    PyMem_Free(chosen);
    PyMem_Free(taken);
    PyMem_Free(spans);
    PyMem_Free(starts);
    return result;
}

static PyObject *
meet(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "meet(lists, ranks, window, accept)");
        return NULL;
    }
    Py_ssize_t window;
    if (read_int(args[2], &window) < 0 || meet_lists(args[0], args[1], window, args[3], NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* The rules whose every concept is in ``places``, in order: for each name of ``places``,
 * the rules ``by_first`` lists under it, each (rule, names, ranks, window). */
static PyObject *
candidates(PyObject *places, PyObject *by_first)
{
    PyObject *found = PyList_New(0), *name, *spans;
    Py_ssize_t position = 0;
    while (found != NULL && PyDict_Next(places, &position, &name, &spans)) {
        PyObject *group = PyDict_GetItemWithError(by_first, name);
        if (group == NULL) {
            if (PyErr_Occurred())
                Py_CLEAR(found);
            continue;
        }
        if (!PyTuple_Check(group)) {
            PyErr_SetString(PyExc_TypeError, "meetings: by_first holds tuples of rules");
            Py_CLEAR(found);
            break;
        }
        for (Py_ssize_t r = 0; found != NULL && r < PyTuple_GET_SIZE(group); r++) {
            PyObject *entry = PyTuple_GET_ITEM(group, r);
            if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 4 ||
                !PyTuple_Check(PyTuple_GET_ITEM(entry, 1))) {
                PyErr_SetString(PyExc_TypeError,
                                "meetings: a rule is (rule, names, ranks, window)");
                Py_CLEAR(found);
                break;
            }
            PyObject *names = PyTuple_GET_ITEM(entry, 1);
            int every = 1;
            for (Py_ssize_t n = 0; every == 1 && n < PyTuple_GET_SIZE(names); n++)
                every = PyDict_Contains(places, PyTuple_GET_ITEM(names, n));
            if (every < 0 || (every == 1 && PyList_Append(found, entry) < 0))
                Py_CLEAR(found);
        }
    }
    return found;
}

static PyObject *
meetings(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_CheckExact(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "meetings(places: dict, by_first: dict, accept)");
        return NULL;
    }
    PyObject *places = args[0], *accept = args[2];
    PyObject *rules = candidates(places, args[1]);
    if (rules == NULL)
        return NULL;
    int failed = 0;
    for (Py_ssize_t r = 0; !failed && r < PyList_GET_SIZE(rules); r++) {
        PyObject *entry = PyList_GET_ITEM(rules, r), *names = PyTuple_GET_ITEM(entry, 1);
        Py_ssize_t window;
        PyObject *lists = PyList_New(PyTuple_GET_SIZE(names));
        failed = lists == NULL || read_int(PyTuple_GET_ITEM(entry, 3), &window) < 0;
        for (Py_ssize_t n = 0; !failed && n < PyTuple_GET_SIZE(names); n++) {
            /* accept is Python: a name is looked up again, never trusted to be there. */
            PyObject *spans = PyDict_GetItemWithError(places, PyTuple_GET_ITEM(names, n));
            if (spans == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_KeyError, "meetings: places changed while meeting");
                failed = 1;
            } else {
                PyList_SET_ITEM(lists, n, Py_NewRef(spans));
            }
        }
        if (!failed)
            failed = meet_lists(lists, PyTuple_GET_ITEM(entry, 2), window, accept,
                                PyTuple_GET_ITEM(entry, 0)) < 0;
        Py_XDECREF(lists);
    }
    Py_DECREF(rules);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"meet", (PyCFunction)(void (*)(void))meet, METH_FASTCALL,
     "meet(lists, ranks, window, accept): call accept where a rule's concepts meet."},
    {"meetings", (PyCFunction)(void (*)(void))meetings, METH_FASTCALL,
     "meetings(places, by_first, accept): meet for every rule whose concepts are there."},
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
