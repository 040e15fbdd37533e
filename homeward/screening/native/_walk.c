/* The lexicon walk of ``tokens.AnchoredLexicon.spans`` in C: the loop every message runs
 * twice (concepts, slang) over all its words. It does exactly what ``tokens.walk`` does in
 * Python, in the same order, on the same objects; ``native`` builds it at ``make env``,
 * and the Python walk is used wherever it is not built. The tests run both on the
 * development set and the regression corpus and compare what they find.
 *
 * Arguments, as ``AnchoredLexicon`` keeps them:
 *   words     list[str]             the message's words
 *   keys      list[frozenset[str]]  each word's keys
 *   by_word   dict[str, _Anchored | None]  what each word anchors: None for nothing, or
 *             (ones, after, before), where ones is a tuple of values and after/before map
 *             a neighbour's key to a tuple of _Anchor (at, words, value)
 *   learn     a function of a word not in by_word yet: works out what it anchors, keeps
 *             it in by_word and returns it
 * Returns list[tuple[int, int, value]]: first and last word (inclusive), and the value.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int
add(PyObject *found, Py_ssize_t first, Py_ssize_t last, PyObject *value)
{
    PyObject *item = Py_BuildValue("(nnO)", first, last, value);
    if (item == NULL)
        return -1;
    int failed = PyList_Append(found, item);
    Py_DECREF(item);
    return failed;
}

static int
bad_shape(const char *what)
{
    PyErr_Format(PyExc_TypeError, "the lexicon walk was given %s", what);
    return -1;
}

/* Add each candidate anchored at ``index`` whose every word is among the keys there. */
static int
whole(PyObject *candidates, Py_ssize_t index, PyObject *keys, PyObject *found)
{
    Py_ssize_t count = PyList_GET_SIZE(keys);
    if (!PyTuple_Check(candidates))
        return bad_shape("candidates that are not a tuple");
    for (Py_ssize_t c = 0; c < PyTuple_GET_SIZE(candidates); c++) {
        PyObject *anchor = PyTuple_GET_ITEM(candidates, c);
        if (!PyTuple_Check(anchor) || PyTuple_GET_SIZE(anchor) != 3)
            return bad_shape("an anchor that is not (at, words, value)");
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(anchor, 0));
        if (at == -1 && PyErr_Occurred())
            return -1;
        PyObject *entry = PyTuple_GET_ITEM(anchor, 1);
        if (!PyTuple_Check(entry))
            return bad_shape("an entry whose words are not a tuple");
        Py_ssize_t size = PyTuple_GET_SIZE(entry);
        Py_ssize_t first = index - at;
        if (first < 0 || first + size > count)
            continue;
        int every = 1;
        for (Py_ssize_t i = 0; i < size; i++) {
            int has = PySet_Contains(PyList_GET_ITEM(keys, first + i), PyTuple_GET_ITEM(entry, i));
            if (has < 0)
                return -1;
            if (!has) {
                every = 0;
                break;
            }
        }
        if (every && add(found, first, first + size - 1, PyTuple_GET_ITEM(anchor, 2)) < 0)
            return -1;
    }
    return 0;
}

/* For each key of the neighbour that ``neighbours`` (after or before) knows, its candidates. */
static int
beside(PyObject *neighbours, PyObject *neighbour_keys, Py_ssize_t index, PyObject *keys,
       PyObject *found)
{
    if (!PyDict_Check(neighbours))
        return bad_shape("neighbours that are not a dict");
    if (PyDict_GET_SIZE(neighbours) == 0)
        return 0;
    PyObject *key, *candidates;
    Py_ssize_t position = 0;
    while (PyDict_Next(neighbours, &position, &key, &candidates)) {
        int has = PySet_Contains(neighbour_keys, key);
        if (has < 0)
            return -1;
        if (has && whole(candidates, index, keys, found) < 0)
            return -1;
    }
    return 0;
}

/* What the word at ``index`` anchors (``anchored``), added to ``found``. */
static int
at_word(PyObject *anchored, Py_ssize_t index, PyObject *keys, PyObject *found)
{
    if (anchored == Py_None)
        return 0;
    if (!PyTuple_Check(anchored) || PyTuple_GET_SIZE(anchored) != 3)
        return bad_shape("an anchored word that is not (ones, after, before)");
    PyObject *ones = PyTuple_GET_ITEM(anchored, 0);
    if (!PyTuple_Check(ones))
        return bad_shape("one-word entries that are not a tuple");
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ones); i++) {
        if (add(found, index, index, PyTuple_GET_ITEM(ones, i)) < 0)
            return -1;
    }
    Py_ssize_t count = PyList_GET_SIZE(keys);
    if (index + 1 < count &&
        beside(PyTuple_GET_ITEM(anchored, 1), PyList_GET_ITEM(keys, index + 1), index, keys,
               found) < 0)
        return -1;
    if (index > 0 &&
        beside(PyTuple_GET_ITEM(anchored, 2), PyList_GET_ITEM(keys, index - 1), index, keys,
               found) < 0)
        return -1;
    return 0;
}

static PyObject *
walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "walk(words, keys, by_word, learn)");
        return NULL;
    }
    PyObject *words = args[0], *keys = args[1], *by_word = args[2], *learn = args[3];
    if (!PyList_Check(words) || !PyList_Check(keys) || !PyDict_Check(by_word)) {
        PyErr_SetString(PyExc_TypeError, "walk(list, list, dict, learn)");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(words);
    if (PyList_GET_SIZE(keys) != count) {
        PyErr_SetString(PyExc_ValueError, "walk: a word without its keys");
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    for (Py_ssize_t index = 0; index < count; index++) {
        PyObject *word = PyList_GET_ITEM(words, index);
        PyObject *anchored = PyDict_GetItemWithError(by_word, word);
        if (anchored != NULL)
            Py_INCREF(anchored);
        else if (PyErr_Occurred() || (anchored = PyObject_CallOneArg(learn, word)) == NULL)
            goto failed;
        int failure = at_word(anchored, index, keys, found);
        Py_DECREF(anchored);
        if (failure < 0)
            goto failed;
    }
    return found;
failed:
    Py_DECREF(found);
    return NULL;
}

static PyMethodDef methods[] = {
    {"walk", (PyCFunction)(void (*)(void))walk, METH_FASTCALL,
     "walk(words, keys, by_word, learn): (first, last, value) of every entry found."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walk", "The lexicon walk of tokens.AnchoredLexicon, in C.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__walk(void)
{
    return PyModule_Create(&module);
}
