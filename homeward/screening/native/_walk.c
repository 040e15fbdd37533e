/* Walking a message's words in C: the lexicon walk of ``tokens.AnchoredLexicon.spans``,
 * the loop every message runs twice (concepts, slang) over all its words, and two smaller
 * loops of the layers. Each does exactly what a Python function does (``tokens.walk``,
 * ``tokens.places_of``, ``slang.near``), in the same order, on the same objects;
 * ``native`` builds it at ``make env``, and the Python is used wherever it is not built.
 * The tests run both on the development set and the regression corpus and compare them.
 *
 * walk(words, keys, by_word, learn), with arguments as ``AnchoredLexicon`` keeps them:
 *   words     list[str]             the message's words
 *   keys      list[frozenset[str]]  each word's keys
 *   by_word   dict[str, _Anchored | None]  what each word anchors: None for nothing, or
 *             (ones, after, before), where ones is a tuple of values and after/before map
 *             a neighbour's key to a tuple of _Anchor (at, words, value)
 *   learn     a function of a word not in by_word yet: works out what it anchors, keeps
 *             it in by_word and returns it
 * and, optionally, two more:
 *   anchors   dict whose keys are every key an entry is anchored by
 *             (``AnchoredLexicon.anchor_keys``)
 *   kept      int, the most words by_word keeps (``tokens.WORDS_KEPT``)
 *   with which a word not in by_word none of whose keys is in anchors (most new words) is
 *   kept in by_word as anchoring nothing (None) without asking learn, while by_word holds
 *   fewer than kept words (learn empties it when it is full), as learn would keep it
 * Returns list[tuple[int, int, value]]: first and last word (inclusive), and the value.
 *
 * places_of(found) -> dict[str, list[tuple[int, int]]]
 *   found is what walk returns with frozensets of concept names for values; each name
 *   with the sorted spans (first, last) where it was found, each span once
 *
 * walk_places(words, keys, by_word, learn[, anchors, kept]) -> dict[str, list[...]]
 *   places_of(walk(words, keys, by_word, learn[, anchors, kept])) in one pass, without the
 *   list between
 *
 * near(index, keys, lo, hi, first, last, own) -> bool
 *   whether a phrase of ``index`` (a dict of a first key to a tuple of phrases, each a
 *   tuple of keys) starts at one of words lo..hi and is whole there; a phrase starting
 *   inside the term (words first..last) and ending inside it does not count when every
 *   key of it is one of ``own`` (the term's own forms)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef HOMEWARD_SOURCE /* the SHA-256 of this file, which native.build passes */
#define HOMEWARD_SOURCE "homeward-source-sha256:unknown"
#endif

static int add_places(PyObject *places, PyObject *names, PyObject *span);

/* Add what the walk found to ``found``: a list gets (first, last, value); a dict (of
 * ``walk_places``) gets the span (first, last) under each name of the value, a set. */
static int
add(PyObject *found, Py_ssize_t first, Py_ssize_t last, PyObject *value)
{
    int places = PyDict_CheckExact(found);
    PyObject *item = PyTuple_New(places ? 2 : 3);
    if (item == NULL)
        return -1;
    PyObject *a = PyLong_FromSsize_t(first), *b = PyLong_FromSsize_t(last);
    if (a == NULL || b == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_DECREF(item);
        return -1;
    }
    PyTuple_SET_ITEM(item, 0, a);
    PyTuple_SET_ITEM(item, 1, b);
    if (!places)
        PyTuple_SET_ITEM(item, 2, Py_NewRef(value));
    int failed = places ? add_places(found, value, item) : PyList_Append(found, item);
    Py_DECREF(item);
    return failed;
}

static int
bad_shape(const char *what)
{
    PyErr_Format(PyExc_TypeError, "the lexicon walk was given %s", what);
    return -1;
}

/* The keys of word ``i`` (a set, borrowed), or NULL with an error. */
static PyObject *
key_set(PyObject *keys, Py_ssize_t i)
{
    if (i < 0 || i >= PyList_GET_SIZE(keys)) {
        PyErr_SetString(PyExc_IndexError, "the lexicon walk went past the message's words");
        return NULL;
    }
    PyObject *set = PyList_GET_ITEM(keys, i);
    if (!PyAnySet_Check(set)) {
        bad_shape("keys that are not a set");
        return NULL;
    }
    return set;
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
        if (!PyLong_CheckExact(PyTuple_GET_ITEM(anchor, 0)))
            return bad_shape("an anchor's place that is not an int");
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
            PyObject *there = key_set(keys, first + i);
            Py_XINCREF(there); /* held: a look-up may run Python code */
            int has = there == NULL ? -1 : PySet_Contains(there, PyTuple_GET_ITEM(entry, i));
            Py_XDECREF(there);
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

/* Each item of a collection, in its order (a set's: what iterating it gives): of a
 * frozenset, which nothing can change, without an iterator object where the API allows;
 * of anything else, through its iterator. The collection is held while it is read. */
typedef struct {
    PyObject *items, *iterator;
    Py_ssize_t position;
} Each;

static Each
each_of(PyObject *items)
{
    return (Each){Py_NewRef(items), NULL, 0};
}

/* The next item (a new reference), or NULL at the end or on an error. */
static PyObject *
next_item(Each *each)
{
#if PY_VERSION_HEX < 0x030D0000
    if (PyFrozenSet_CheckExact(each->items)) {
        PyObject *item;
        Py_hash_t hash;
        return _PySet_NextEntry(each->items, &each->position, &item, &hash) ? Py_NewRef(item)
                                                                             : NULL;
    }
#endif
    if (each->iterator == NULL && (each->iterator = PyObject_GetIter(each->items)) == NULL)
        return NULL;
    return PyIter_Next(each->iterator);
}

static void
done_with(Each *each)
{
    Py_CLEAR(each->iterator);
    Py_CLEAR(each->items);
}

/* For each key of the neighbour that ``neighbours`` (after or before) knows, its
 * candidates. What is read is held while adding what is found may run Python code. */
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
    int failed = 0;
    Py_INCREF(neighbour_keys);
    while (!failed && PyDict_Next(neighbours, &position, &key, &candidates)) {
        Py_INCREF(candidates);
        int has = PySet_Contains(neighbour_keys, key);
        failed = has < 0 || (has && whole(candidates, index, keys, found) < 0);
        Py_DECREF(candidates);
    }
    Py_DECREF(neighbour_keys);
    return failed ? -1 : 0;
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
    if (index + 1 < PyList_GET_SIZE(keys)) {
        PyObject *following = key_set(keys, index + 1);
        if (following == NULL ||
            beside(PyTuple_GET_ITEM(anchored, 1), following, index, keys, found) < 0)
            return -1;
    }
    if (index > 0) {
        PyObject *preceding = key_set(keys, index - 1);
        if (preceding == NULL ||
            beside(PyTuple_GET_ITEM(anchored, 2), preceding, index, keys, found) < 0)
            return -1;
    }
    return 0;
}

/* 1 where none of ``word_keys`` (a set) is a key of ``anchors`` (a dict); 0 where one is,
 * or where a key is not a str (the lexicon is asked); -1 with an error. (``_meet.c`` has
 * the same: each module is built alone, from its one file, which its build is keyed by.) */
static int
anchors_nothing(PyObject *word_keys, PyObject *anchors)
{
    PyObject *each = PyObject_GetIter(word_keys), *key;
    int nothing = 1;
    if (each == NULL)
        return -1;
    while (nothing == 1 && (key = PyIter_Next(each)) != NULL) {
        if (!PyUnicode_CheckExact(key))
            nothing = 0;
        else if (PyDict_Contains(anchors, key) != 0) /* 1: anchored; -1: an error */
            nothing = PyErr_Occurred() ? -1 : 0;
        Py_DECREF(key);
    }
    Py_DECREF(each);
    return nothing == 1 && PyErr_Occurred() ? -1 : nothing;
}

/* The walk over the words, adding what it finds to ``found`` (``add``): 0, or -1 with an
 * error. */
static int
walk_into(PyObject *const *args, Py_ssize_t nargs, const char *usage, PyObject *found)
{
    if (nargs != 4 && nargs != 6) {
        PyErr_Format(PyExc_TypeError, "%s(words, keys, by_word, learn[, anchors, kept])", usage);
        return -1;
    }
    PyObject *words = args[0], *keys = args[1], *by_word = args[2], *learn = args[3];
    PyObject *anchors = nargs == 6 ? args[4] : NULL;
    Py_ssize_t kept = 0;
    if (!PyList_Check(words) || !PyList_Check(keys) || !PyDict_Check(by_word) ||
        (anchors != NULL && (!PyDict_Check(anchors) || !PyLong_CheckExact(args[5])))) {
        PyErr_Format(PyExc_TypeError, "%s(list, list, dict, learn[, dict, int])", usage);
        return -1;
    }
    if (anchors != NULL && (kept = PyLong_AsSsize_t(args[5])) == -1 && PyErr_Occurred())
        return -1;
    /* learn is Python: the lists are measured again after every word, never trusted. */
    for (Py_ssize_t index = 0; index < PyList_GET_SIZE(words); index++) {
        if (PyList_GET_SIZE(keys) != PyList_GET_SIZE(words)) {
            PyErr_SetString(PyExc_ValueError, "walk: a word without its keys");
            return -1;
        }
        PyObject *word = PyList_GET_ITEM(words, index);
        if (!PyUnicode_CheckExact(word))
            return bad_shape("a word that is not a str");
        /* held: a dict whose keys are not all str may run Python code in the look-up */
        Py_INCREF(word);
        PyObject *anchored = PyDict_GetItemWithError(by_word, word);
        if (anchored != NULL) {
            Py_INCREF(anchored);
            Py_DECREF(word);
        } else if (PyErr_Occurred()) {
            Py_DECREF(word);
            return -1;
        } else {
            int nothing = 0; /* the word anchors nothing: kept so without asking learn */
            if (anchors != NULL && PyDict_GET_SIZE(by_word) < kept) {
                PyObject *word_keys = key_set(keys, index);
                Py_XINCREF(word_keys); /* held: a look-up may run Python code */
                nothing = word_keys == NULL ? -1 : anchors_nothing(word_keys, anchors);
                Py_XDECREF(word_keys);
                if (nothing == 1 && PyDict_SetItem(by_word, word, Py_None) < 0)
                    nothing = -1;
            }
            anchored = nothing == 1 ? Py_NewRef(Py_None)
                       : nothing == 0 ? PyObject_CallOneArg(learn, word)
                                      : NULL;
            Py_DECREF(word);
            if (anchored == NULL)
                return -1;
            if (index >= PyList_GET_SIZE(keys)) {
                Py_DECREF(anchored);
                PyErr_SetString(PyExc_ValueError, "walk: the words changed while walking");
                return -1;
            }
        }
        int failure = at_word(anchored, index, keys, found);
        Py_DECREF(anchored);
        if (failure < 0)
            return -1;
    }
    return 0;
}

static PyObject *
walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *found = PyList_New(0);
    if (found != NULL && walk_into(args, nargs, "walk", found) < 0)
        Py_CLEAR(found);
    return found;
}

static int in_order(PyObject *spans);
static int sorted_once(PyObject *spans);

/* Each list of places in order, each span once. */
static int
places_in_order(PyObject *places)
{
    PyObject *key, *spans;
    Py_ssize_t position = 0;
    while (PyDict_Next(places, &position, &key, &spans))
        if (PyList_GET_SIZE(spans) > 1 && !in_order(spans) && sorted_once(spans) < 0)
            return -1;
    return 0;
}

static PyObject *
walk_places(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *places = PyDict_New();
    if (places != NULL && (walk_into(args, nargs, "walk_places", places) < 0 ||
                           places_in_order(places) < 0))
        Py_CLEAR(places);
    return places;
}

/* Whether each span (first, last) of a list comes after the one before it: most lists of
 * places are in order already (the walk goes word by word), and need no sort. */
static int
in_order(PyObject *spans)
{
    Py_ssize_t before_first = -1, before_last = -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(spans); i++) {
        PyObject *span = PyList_GET_ITEM(spans, i);
        if (!PyTuple_CheckExact(span) || PyTuple_GET_SIZE(span) != 2)
            return 0;
        Py_ssize_t first = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
        Py_ssize_t last = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
        if (first == -1 || last == -1) {
            PyErr_Clear(); /* not a place: the sort says what is wrong */
            return 0;
        }
        if (first < before_first || (first == before_first && last <= before_last))
            return 0;
        before_first = first;
        before_last = last;
    }
    return 1;
}

/* Sort a list of spans and keep each once. */
static int
sorted_once(PyObject *spans)
{
    Py_ssize_t count = PyList_GET_SIZE(spans);
    if (PyList_Sort(spans) < 0)
        return -1;
    Py_ssize_t kept = 1; /* each span once: drop those equal to the one before */
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *current = PyList_GET_ITEM(spans, i);
        int same = PyObject_RichCompareBool(PyList_GET_ITEM(spans, kept - 1), current, Py_EQ);
        if (same < 0)
            return -1;
        if (!same) {
            Py_INCREF(current);
            if (PyList_SetItem(spans, kept++, current) < 0)
                return -1;
        }
    }
    return kept < count ? PyList_SetSlice(spans, kept, count, NULL) : 0;
}

/* Add ``span`` to the list of each name of ``names`` (a set of them) in ``places``. */
static int
add_places(PyObject *places, PyObject *names, PyObject *span)
{
    Each each = each_of(names);
    PyObject *name;
    int failed = 0;
    while (!failed && (name = next_item(&each)) != NULL) {
        PyObject *spans = PyDict_GetItemWithError(places, name);
        if (spans != NULL) {
            failed = PyList_Append(spans, span) < 0;
        } else if (PyErr_Occurred()) {
            failed = 1;
        } else {
            spans = PyList_New(1);
            if (spans == NULL) {
                failed = 1;
            } else {
                PyList_SET_ITEM(spans, 0, Py_NewRef(span));
                failed = PyDict_SetItem(places, name, spans) < 0;
                Py_DECREF(spans); /* the dict holds it */
            }
        }
        Py_DECREF(name);
    }
    done_with(&each);
    return failed || PyErr_Occurred() ? -1 : 0;
}

static PyObject *
places_of(PyObject *module, PyObject *found)
{
    if (!PyList_Check(found)) {
        PyErr_SetString(PyExc_TypeError, "places_of(found): found is a list");
        return NULL;
    }
    PyObject *places = PyDict_New();
    if (places == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++) {
        PyObject *item = PyList_GET_ITEM(found, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            bad_shape("a found entry that is not (first, last, names)");
            goto failed;
        }
        PyObject *span = PyTuple_Pack(2, PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1));
        if (span == NULL)
            goto failed;
        int failure = add_places(places, PyTuple_GET_ITEM(item, 2), span);
        Py_DECREF(span);
        if (failure < 0)
            goto failed;
    }
    if (places_in_order(places) < 0)
        goto failed;
    return places;
failed:
    Py_DECREF(places);
    return NULL;
}

/* Whether every key of ``phrase`` is in the set ``keys``. */
static int
all_in(PyObject *phrase, Py_ssize_t from, PyObject *keys_list, Py_ssize_t at)
{
    for (Py_ssize_t i = from; i < PyTuple_GET_SIZE(phrase); i++) {
        PyObject *there = key_set(keys_list, at + i);
        int has = there == NULL ? -1 : PySet_Contains(there, PyTuple_GET_ITEM(phrase, i));
        if (has <= 0)
            return has;
    }
    return 1;
}

static int
own_phrase(PyObject *phrase, PyObject *own)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(phrase); i++) {
        int has = PySet_Contains(own, PyTuple_GET_ITEM(phrase, i));
        if (has <= 0)
            return has;
    }
    return 1;
}

static PyObject *
near(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "near(index, keys, lo, hi, first, last, own)");
        return NULL;
    }
    PyObject *index = args[0], *keys = args[1], *own = args[6];
    Py_ssize_t bounds[4]; /* lo, hi, first, last */
    for (int i = 0; i < 4; i++) {
        if (!PyLong_CheckExact(args[2 + i])) {
            PyErr_SetString(PyExc_TypeError, "near: lo, hi, first and last are ints");
            return NULL;
        }
        bounds[i] = PyLong_AsSsize_t(args[2 + i]);
        if (bounds[i] == -1 && PyErr_Occurred())
            return NULL;
    }
    Py_ssize_t lo = bounds[0], hi = bounds[1], first = bounds[2], last = bounds[3];
    if (!PyDict_Check(index) || !PyList_Check(keys) || !PyAnySet_Check(own)) {
        PyErr_SetString(PyExc_TypeError, "near(dict, list, int, int, int, int, frozenset)");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(keys);
    if (lo < 0 || hi >= count) {
        PyErr_SetString(PyExc_IndexError, "near: words lo..hi are not all in the message");
        return NULL;
    }
    for (Py_ssize_t at = lo; at <= hi; at++) {
        int inside = first <= at && at <= last;
        PyObject *there = key_set(keys, at);
        PyObject *word_keys = there == NULL ? NULL : PyObject_GetIter(there);
        if (word_keys == NULL)
            return NULL;
        PyObject *k;
        int answer = 0;
        while (answer == 0 && (k = PyIter_Next(word_keys)) != NULL) {
            PyObject *phrases = PyDict_GetItemWithError(index, k);
            Py_DECREF(k);
            if (phrases == NULL) {
                if (PyErr_Occurred())
                    answer = -1;
                continue;
            }
            if (!PyTuple_Check(phrases)) {
                answer = bad_shape("phrases that are not a tuple");
                continue;
            }
            Py_INCREF(phrases); /* held: the look-ups below may run Python code */
            for (Py_ssize_t p = 0; answer == 0 && p < PyTuple_GET_SIZE(phrases); p++) {
                PyObject *phrase = PyTuple_GET_ITEM(phrases, p);
                if (!PyTuple_Check(phrase) || PyTuple_GET_SIZE(phrase) == 0) {
                    answer = bad_shape("a phrase that is not a tuple of keys");
                    break;
                }
                Py_ssize_t end = at + PyTuple_GET_SIZE(phrase) - 1;
                if (inside && end <= last) {
                    int its_own = own_phrase(phrase, own);
                    if (its_own < 0)
                        answer = -1;
                    if (its_own != 0)
                        continue;
                }
                if (end < count)
                    answer = all_in(phrase, 1, keys, at);
            }
            Py_DECREF(phrases);
        }
        Py_DECREF(word_keys);
        if (answer < 0 || PyErr_Occurred())
            return NULL;
        if (answer > 0)
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"walk", (PyCFunction)(void (*)(void))walk, METH_FASTCALL,
     "walk(words, keys, by_word, learn[, anchors, kept]): (first, last, value) of every "
     "entry found."},
    {"walk_places", (PyCFunction)(void (*)(void))walk_places, METH_FASTCALL,
     "walk_places(words, keys, by_word, learn[, anchors, kept]): places_of what walk "
     "finds, in one pass."},
    {"places_of", places_of, METH_O, "places_of(found): each concept name's sorted spans."},
    {"near", (PyCFunction)(void (*)(void))near, METH_FASTCALL,
     "near(index, keys, lo, hi, first, last, own): whether a phrase is near the term."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walk", "Walking a message's words, in C.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__walk(void)
{
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddStringConstant(made, "source", HOMEWARD_SOURCE) < 0)
        Py_CLEAR(made);
    return made;
}
