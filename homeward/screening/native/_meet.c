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
 * meet_words(words, by_word, learn, names, names_of, rules_by_name, accept, places)
 *   ``concepts.meetings`` of ``tokens.places_of`` of a message's words, in one pass and in
 *   numbers, calling accept(rule, chosen, first, end) as ``concepts.meetings`` does:
 *   words          list[str], the message's words
 *   by_word        dict[str, bytes | None], what each word is to the walk
 *                  (``AnchoredLexicon.packed``: its keys' numbers, and the entries it
 *                  anchors, as native 32-bit ints)
 *   learn          ``AnchoredLexicon.packed`` itself, for a word not in by_word yet
 *   names          tuple: each concept's name, by its number
 *   names_of       tuple: for each anchor's number, the numbers of its concepts' names
 *   rules_by_name  tuple: for each name's number, the rules listed under it, each
 *                  (rule, name numbers, ranks, window)
 *   and, optionally, three more:
 *   keys           list[frozenset[str]], each word's keys
 *   anchors        dict whose keys are every key of an entry's words
 *                  (``AnchoredLexicon.entry_keys``)
 *   kept           int, the most words by_word keeps (``tokens.WORDS_KEPT``)
 *                  with which a word not in by_word none of whose keys is in anchors (most
 *                  new words) is kept in by_word as None without asking learn, while
 *                  by_word holds fewer than kept words, as learn would keep it
 *   The walk finds what ``tokens.walk`` finds, in its order; each name's spans are sorted,
 *   each once, as ``tokens.places_of`` keeps them; the rules are tried in the order of
 *   ``concepts.meetings``: for each name in the order it was first found, the rules listed
 *   under it whose every concept was found. Before accept is first called, where each
 *   concept was found is appended to the list ``places``, as ``tokens.places_of`` makes it
 *   (accept may need it: a rule's exceptions are looked for around a meeting).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef HOMEWARD_SOURCE /* the SHA-256 of this file, which native.build passes */
#define HOMEWARD_SOURCE "homeward-source-sha256:unknown"
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    /* as Python's sort, whatever qsort keeps of equal items (ranks of one rule differ) */
    return (x->concept > y->concept) - (x->concept < y->concept);
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

/* a + b held to the range of Py_ssize_t (a window's last word, first + window - 1, from
 * any ints the caller gave: never an overflow). */
static Py_ssize_t
held_add(Py_ssize_t a, Py_ssize_t b)
{
    if (b > 0 && a > PY_SSIZE_T_MAX - b)
        return PY_SSIZE_T_MAX;
    if (b < 0 && a < PY_SSIZE_T_MIN - b)
        return PY_SSIZE_T_MIN;
    return a + b;
}

/* What ``meet_words`` may be given to keep a new word that is no entry's without asking
 * learn: each word's keys, the keys of the entries' words, the most words by_word keeps
 * (``anchors`` NULL where not given). */
typedef struct {
    PyObject *keys, *anchors;
    Py_ssize_t kept;
} Shortcut;

/* What ``meet_words`` hands to Python before accept is first called (``hand_over``). */
typedef struct Handover Handover;
static int hand_over(Handover *handover);

/* Call accept at each place the concepts meet (see the top), with ``rule`` first where it
 * is not NULL (``meet_words``), after ``hand_over`` where ``handover`` is not NULL; 0 or
 * -1 with an error. */
static int
try_places(const Start *starts, const Span *spans, const Py_ssize_t *offset,
           Py_ssize_t concepts, Py_ssize_t window, PyObject *accept, PyObject *rule,
           Handover *handover, Span *chosen, Span *taken)
{
    Py_ssize_t covered = -1;
    for (Py_ssize_t s = 0; s < offset[concepts]; s++) {
        Start start = starts[s];
        if (start.first <= covered)
            continue;
        Py_ssize_t limit = held_add(held_add(start.first, window), -1);
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
        if (handover != NULL && hand_over(handover) < 0)
            return -1;
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

/* ``meet`` of ``concepts`` sorted arrays of spans (``lists``, ``counts``) with their
 * ``ranks``, ``window`` and ``accept`` (given ``rule`` first where it is not NULL): 0, or -1
 * with an error. Nothing here runs Python code until accept is called. */
static int
meet_spans(const Span *const *lists, const Py_ssize_t *counts, const Py_ssize_t *rank,
           Py_ssize_t concepts, Py_ssize_t window, PyObject *accept, PyObject *rule,
           Handover *handover)
{
    Py_ssize_t *offset = PyMem_Calloc((size_t)concepts + 1, sizeof(Py_ssize_t));
    Span *chosen = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *taken = PyMem_Calloc((size_t)concepts, sizeof(Span));
    Span *spans = NULL;
    Start *starts = NULL;
    int result = -1;
    if (offset == NULL || chosen == NULL || taken == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < concepts; c++)
        offset[c + 1] = offset[c] + counts[c];
    Py_ssize_t total = offset[concepts];
    spans = PyMem_Calloc((size_t)(total ? total : 1), sizeof(Span));
    starts = PyMem_Calloc((size_t)(total ? total : 1), sizeof(Start));
    if (spans == NULL || starts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < concepts; c++) {
        for (Py_ssize_t i = 0; i < counts[c]; i++) {
            Span span = spans[offset[c] + i] = lists[c][i];
            starts[offset[c] + i] = (Start){span.first, span.last, rank[c], c};
        }
    }
    qsort(starts, (size_t)total, sizeof(Start), by_place);
    result = try_places(starts, spans, offset, concepts, window, accept, rule, handover, chosen,
                        taken);
done:
    PyMem_Free(offset);
    PyMem_Free(chosen);
    PyMem_Free(taken);
    PyMem_Free(spans);
    PyMem_Free(starts);
    return result;
}

/* ``meet`` of ``lists`` (a list of lists of spans) with ``ranks`` (a tuple as long),
 * ``window`` and ``accept``: 0, or -1 with an error. Everything is read before accept is
 * first called. */
static int
meet_lists(PyObject *lists, PyObject *ranks, Py_ssize_t window, PyObject *accept)
{
    if (!PyList_Check(lists) || !PyTuple_Check(ranks) ||
        PyTuple_GET_SIZE(ranks) != PyList_GET_SIZE(lists) || PyList_GET_SIZE(lists) < 1) {
        PyErr_SetString(PyExc_TypeError, "meet(list, tuple of as many ranks, window, accept)");
        return -1;
    }
    Py_ssize_t concepts = PyList_GET_SIZE(lists);
    Span **read = PyMem_Calloc((size_t)concepts, sizeof(Span *));
    Py_ssize_t *counts = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    Py_ssize_t *rank = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    int result = -1;
    if (read == NULL || counts == NULL || rank == NULL) {
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
        counts[c] = PyList_GET_SIZE(list);
        read[c] = PyMem_Calloc((size_t)(counts[c] ? counts[c] : 1), sizeof(Span));
        if (read[c] == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < counts[c]; i++)
            if (read_span(PyList_GET_ITEM(list, i), &read[c][i]) < 0)
                goto done;
    }
    result = meet_spans((const Span *const *)read, counts, rank, concepts, window, accept, NULL,
                        NULL);
done:
    for (Py_ssize_t c = 0; read != NULL && c < concepts; c++)
        PyMem_Free(read[c]);
    PyMem_Free(read);
    PyMem_Free(counts);
    PyMem_Free(rank);
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
    if (read_int(args[2], &window) < 0 || meet_lists(args[0], args[1], window, args[3]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* --- meet_words: the walk and the meetings in numbers -------------------------------- */

/* Native 32-bit int ``i`` of a record (read through memcpy: a bytes object's buffer is
 * chars, and nothing promises more alignment than theirs). */
static inline int32_t
int_at(const char *ints, Py_ssize_t i)
{
    int32_t value;
    memcpy(&value, ints + 4 * i, sizeof value);
    return value;
}

/* What one word is to the walk (``AnchoredLexicon.packed``): its ints and how many, and
 * where the numbers of its keys, of its one-word entries and of its longer entries begin
 * and how many of each; ``ints`` is NULL for a word none of whose keys is an entry's. The
 * counts are checked against the size when the record is read, each longer entry and
 * each anchor's number when it is used. */
typedef struct {
    const char *ints;
    Py_ssize_t size, keys, key_count, ones, one_count, longer, longer_count;
} Record;

static int
bad_record(void)
{
    PyErr_SetString(PyExc_ValueError, "meet_words: a word's record is not what packed makes");
    return -1;
}

/* The record of a word's ints as read_record has checked them. */
static inline void
unpack(const char *ints, Py_ssize_t size, Record *record)
{
    record->ints = ints;
    record->size = size;
    record->key_count = int_at(ints, 0);
    record->keys = 1;
    record->one_count = int_at(ints, 1 + record->key_count);
    record->ones = 2 + record->key_count;
    record->longer_count = int_at(ints, record->ones + record->one_count);
    record->longer = record->ones + record->one_count + 1;
}

static int
read_record(PyObject *packed, Record *record)
{
    record->ints = NULL;
    record->key_count = 0; /* a word of no entry: no key a longer entry could need */
    if (packed == Py_None)
        return 0;
    if (!PyBytes_CheckExact(packed) || PyBytes_GET_SIZE(packed) % 4 != 0) {
        PyErr_SetString(PyExc_TypeError, "meet_words: a word's record is bytes of 32-bit ints");
        return -1;
    }
    const char *ints = PyBytes_AS_STRING(packed);
    Py_ssize_t size = PyBytes_GET_SIZE(packed) / 4;
    /* K keys, O ones, C longer entries: at least the three counts */
    if (size < 3 || int_at(ints, 0) < 0 || int_at(ints, 0) > size - 3)
        return bad_record();
    Py_ssize_t at = 1 + int_at(ints, 0);
    if (int_at(ints, at) < 0 || int_at(ints, at) > size - at - 2)
        return bad_record();
    at += 1 + int_at(ints, at);
    if (int_at(ints, at) < 0)
        return bad_record();
    unpack(ints, size, record);
    return 0;
}

/* Whether a word's record (its ints, read and checked by read_record; NULL for a word of
 * no entry) holds the number of the key ``key``: its K keys come first. */
static int
has_key(const char *ints, int32_t key)
{
    if (ints == NULL)
        return 0;
    for (Py_ssize_t k = 0, count = int_at(ints, 0); k < count; k++)
        if (int_at(ints, 1 + k) == key)
            return 1;
    return 0;
}

/* Where each concept's name was found: its spans by the name's number, and the names in
 * the order each was first found. */
typedef struct {
    Span *spans;
    Py_ssize_t count, capacity;
} Places;

typedef struct {
    Places *of;
    Py_ssize_t names, *order, found;
} Found;

static int
add_place(Found *found, Py_ssize_t name, Span span)
{
    Places *places = &found->of[name];
    if (places->count == 0)
        found->order[found->found++] = name;
    if (places->count == places->capacity) {
        Py_ssize_t capacity = places->capacity ? 2 * places->capacity : 8;
        Span *grown = PyMem_Realloc(places->spans, (size_t)capacity * sizeof(Span));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        places->spans = grown;
        places->capacity = capacity;
    }
    places->spans[places->count++] = span;
    return 0;
}

/* A name's number (a plain int below the number of names) in ``*name``: 0, or -1. */
static int
read_name(PyObject *item, const Found *found, Py_ssize_t *name)
{
    if (read_int(item, name) < 0)
        return -1;
    if (*name < 0 || *name >= found->names) {
        PyErr_SetString(PyExc_ValueError, "meet_words: a name's number out of range");
        return -1;
    }
    return 0;
}

/* The span under each name of the anchor ``number`` (``names_of``). */
static int
add_entry(Found *found, PyObject *names_of, int32_t number, Py_ssize_t first, Py_ssize_t last)
{
    if (number < 0 || number >= PyTuple_GET_SIZE(names_of))
        return bad_record();
    PyObject *names = PyTuple_GET_ITEM(names_of, number);
    if (!PyTuple_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "meet_words: an anchor's names are a tuple of ints");
        return -1;
    }
    for (Py_ssize_t n = 0; n < PyTuple_GET_SIZE(names); n++) {
        Py_ssize_t name;
        if (read_name(PyTuple_GET_ITEM(names, n), found, &name) < 0 ||
            add_place(found, name, (Span){first, last}) < 0)
            return -1;
    }
    return 0;
}

static int
by_span(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return (x->last > y->last) - (x->last < y->last);
}

/* Each name's spans in order, each once (most are in order already: the walk goes word
 * by word). */
static void
in_order(Places *places)
{
    Py_ssize_t count = places->count, kept = 1;
    for (Py_ssize_t i = 1; i < count; i++)
        if (by_span(&places->spans[i - 1], &places->spans[i]) >= 0)
            goto sort;
    return;
sort:
    qsort(places->spans, (size_t)count, sizeof(Span), by_span);
    for (Py_ssize_t i = 1; i < count; i++)
        if (by_span(&places->spans[kept - 1], &places->spans[i]) != 0)
            places->spans[kept++] = places->spans[i];
    places->count = kept;
}

/* 1 where none of ``word_keys`` (a set) is a key of ``anchors`` (a dict); 0 where one is,
 * or where a key is not a str (the lexicon is asked); -1 with an error. (``_walk.c`` has
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
        else if (PyDict_Contains(anchors, key) != 0) /* 1: an entry's; -1: an error */
            nothing = PyErr_Occurred() ? -1 : 0;
        Py_DECREF(key);
    }
    Py_DECREF(each);
    return nothing == 1 && PyErr_Occurred() ? -1 : nothing;
}

/* What a word not in by_word is to the walk: None, kept in by_word, where none of its keys
 * (word ``read`` of the list ``keys``) is in ``anchors`` and by_word is not full; else what
 * learn makes of it. A new reference, or NULL with an error. */
static PyObject *
new_record(PyObject *word, Py_ssize_t read, PyObject *by_word, PyObject *learn,
           const Shortcut *shortcut)
{
    int nothing = 0;
    if (shortcut->anchors != NULL && PyDict_GET_SIZE(by_word) < shortcut->kept) {
        if (read >= PyList_GET_SIZE(shortcut->keys)) {
            PyErr_SetString(PyExc_ValueError, "meet_words: a word without its keys");
            return NULL;
        }
        PyObject *word_keys = PyList_GET_ITEM(shortcut->keys, read);
        Py_INCREF(word_keys); /* held: a look-up may run Python code */
        nothing = PyAnySet_Check(word_keys) ? anchors_nothing(word_keys, shortcut->anchors) : 0;
        Py_DECREF(word_keys);
        if (nothing == 1 && PyDict_SetItem(by_word, word, Py_None) < 0)
            return NULL;
    }
    if (nothing < 0)
        return NULL;
    return nothing ? Py_NewRef(Py_None) : PyObject_CallOneArg(learn, word);
}

/* The walk of the words (see ``tokens.walk``), each word's record read first (``learn``
 * may run any Python), then the entries found added to ``found``. */
static int
walk_words(PyObject *words, PyObject *by_word, PyObject *learn, const Shortcut *shortcut,
           PyObject *names_of, Found *found)
{
    Py_ssize_t count = PyList_GET_SIZE(words), read = 0;
    PyObject **held = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(PyObject *));
    /* Each word's ints (NULL for a word of no entry): all the walk keeps of a word, so that
     * a long letter's fit in the processor's first-level cache beside everything else. */
    const char **ints_of = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(const char *));
    int result = -1;
    if (held == NULL || ints_of == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (; read < count; read++) {
        if (read >= PyList_GET_SIZE(words)) {
            PyErr_SetString(PyExc_ValueError, "meet_words: the words changed while walking");
            goto done;
        }
        PyObject *word = PyList_GET_ITEM(words, read);
        if (!PyUnicode_CheckExact(word)) {
            PyErr_SetString(PyExc_TypeError, "meet_words: a word that is not a str");
            goto done;
        }
        /* held: a dict whose keys are not all str may run Python code in the look-up */
        Py_INCREF(word);
        PyObject *packed = PyDict_GetItemWithError(by_word, word);
        if (packed != NULL) {
            Py_INCREF(packed);
        } else if (!PyErr_Occurred()) {
            packed = new_record(word, read, by_word, learn, shortcut);
        }
        Py_DECREF(word);
        if (packed == NULL)
            goto done;
        Record record;
        if (read_record(packed, &record) < 0) {
            Py_DECREF(packed);
            goto done;
        }
        ints_of[read] = record.ints;
        held[read] = packed;
    }
    /* No Python code runs from here on: the records are held, the tuples immutable. */
    for (Py_ssize_t i = 0; i < count; i++) {
        if (ints_of[i] == NULL)
            continue;
        Record unpacked; /* checked as it was read: unpacked where it is needed */
        unpack(ints_of[i], PyBytes_GET_SIZE(held[i]) / 4, &unpacked);
        const Record *record = &unpacked;
        for (Py_ssize_t o = 0; o < record->one_count; o++)
            if (add_entry(found, names_of, int_at(record->ints, record->ones + o), i, i) < 0)
                goto done;
        Py_ssize_t at = record->longer;
        for (Py_ssize_t c = 0; c < record->longer_count; c++) {
            if (at + 3 > record->size)
                goto bad;
            int32_t place = int_at(record->ints, at), length = int_at(record->ints, at + 1);
            if (length < 1 || place < 0 || place >= length || length > record->size - at - 3)
                goto bad;
            Py_ssize_t first = i - place;
            if (first >= 0 && first + length <= count) {
                int every = 1;
                for (Py_ssize_t w = 0; every && w < length; w++)
                    every = has_key(ints_of[first + w], int_at(record->ints, at + 3 + w));
                if (every && add_entry(found, names_of, int_at(record->ints, at + 2), first,
                                       first + length - 1) < 0)
                    goto done;
            }
            at += 3 + length;
        }
        if (at != record->size)
            goto bad; /* nothing left over */
    }
    for (Py_ssize_t n = 0; n < found->found; n++)
        in_order(&found->of[found->order[n]]);
    result = 0;
    goto done;
bad:
    bad_record();
done:
    for (Py_ssize_t i = 0; held != NULL && i < read; i++)
        Py_DECREF(held[i]);
    PyMem_Free(held);
    PyMem_Free(ints_of);
    return result;
}

/* A rule as rules_by_name lists it, (rule, name numbers, ranks, window), read and checked:
 * 1 when every one of its concepts was found, 0 when not, -1 on an error. */
static int
rule_found(PyObject *entry, const Found *found)
{
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 4 ||
        !PyTuple_Check(PyTuple_GET_ITEM(entry, 1)) || !PyTuple_Check(PyTuple_GET_ITEM(entry, 2)) ||
        PyTuple_GET_SIZE(PyTuple_GET_ITEM(entry, 1)) != PyTuple_GET_SIZE(PyTuple_GET_ITEM(entry, 2)) ||
        PyTuple_GET_SIZE(PyTuple_GET_ITEM(entry, 1)) < 1) {
        PyErr_SetString(PyExc_TypeError,
                        "meet_words: a rule is (rule, name numbers, as many ranks, window)");
        return -1;
    }
    PyObject *names = PyTuple_GET_ITEM(entry, 1);
    for (Py_ssize_t n = 0; n < PyTuple_GET_SIZE(names); n++) {
        Py_ssize_t name;
        if (read_name(PyTuple_GET_ITEM(names, n), found, &name) < 0)
            return -1;
        if (found->of[name].count == 0)
            return 0;
    }
    return 1;
}

/* What ``meet_words`` hands to Python: where each concept was found, as a dict of each
 * name (``names``) to its spans, in the order the names were found, appended to the list
 * ``places`` once, before accept is first called (most messages: never). */
struct Handover {
    const Found *found;
    PyObject *names, *places;
    int done;
};

static int
hand_over(Handover *handover)
{
    if (handover->done)
        return 0;
    const Found *found = handover->found;
    PyObject *made = PyDict_New();
    if (made == NULL)
        return -1;
    for (Py_ssize_t n = 0; n < found->found; n++) {
        const Places *places = &found->of[found->order[n]];
        PyObject *spans = PyList_New(places->count);
        if (spans == NULL)
            goto failed;
        for (Py_ssize_t i = 0; i < places->count; i++) {
            PyObject *span = Py_BuildValue("(nn)", places->spans[i].first, places->spans[i].last);
            if (span == NULL) {
                Py_DECREF(spans);
                goto failed;
            }
            PyList_SET_ITEM(spans, i, span);
        }
        int failure = PyDict_SetItem(made, PyTuple_GET_ITEM(handover->names, found->order[n]),
                                     spans);
        Py_DECREF(spans);
        if (failure < 0)
            goto failed;
    }
    handover->done = 1;
    int failure = PyList_Append(handover->places, made);
    Py_DECREF(made);
    return failure;
failed:
    Py_DECREF(made);
    return -1;
}

/* ``meet`` of one rule's concepts where they were found, calling accept(rule, ...). */
static int
meet_rule(PyObject *entry, const Found *found, PyObject *accept, Handover *handover)
{
    PyObject *names = PyTuple_GET_ITEM(entry, 1), *ranks = PyTuple_GET_ITEM(entry, 2);
    Py_ssize_t concepts = PyTuple_GET_SIZE(names), window;
    const Span **lists = PyMem_Calloc((size_t)concepts, sizeof(Span *));
    Py_ssize_t *counts = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    Py_ssize_t *rank = PyMem_Calloc((size_t)concepts, sizeof(Py_ssize_t));
    int result = -1;
    if (lists == NULL || counts == NULL || rank == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (read_int(PyTuple_GET_ITEM(entry, 3), &window) < 0)
        goto done;
    for (Py_ssize_t c = 0; c < concepts; c++) {
        Py_ssize_t name;
        if (read_int(PyTuple_GET_ITEM(names, c), &name) < 0 ||
            read_int(PyTuple_GET_ITEM(ranks, c), &rank[c]) < 0)
            goto done;
        lists[c] = found->of[name].spans; /* a number rule_found checked */
        counts[c] = found->of[name].count;
    }
    result = meet_spans(lists, counts, rank, concepts, window, accept, PyTuple_GET_ITEM(entry, 0),
                        handover);
done:
    PyMem_Free(lists);
    PyMem_Free(counts);
    PyMem_Free(rank);
    return result;
}

/* The rules to meet, in order (see the top): new references in ``rules``, their number in
 * ``*count``; 0, or -1 with an error. */
static int
rules_to_meet(PyObject *rules_by_name, const Found *found, PyObject ***rules,
              Py_ssize_t *count)
{
    Py_ssize_t capacity = 0;
    *rules = NULL;
    *count = 0;
    for (Py_ssize_t n = 0; n < found->found; n++) {
        PyObject *group = PyTuple_GET_ITEM(rules_by_name, found->order[n]);
        if (!PyTuple_Check(group)) {
            PyErr_SetString(PyExc_TypeError, "meet_words: the rules of a name are a tuple");
            return -1;
        }
        for (Py_ssize_t r = 0; r < PyTuple_GET_SIZE(group); r++) {
            PyObject *entry = PyTuple_GET_ITEM(group, r);
            int every = rule_found(entry, found);
            if (every < 0)
                return -1;
            if (!every)
                continue;
            if (*count == capacity) {
                capacity = capacity ? 2 * capacity : 8;
                PyObject **grown = PyMem_Realloc(*rules, (size_t)capacity * sizeof(PyObject *));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    return -1;
                }
                *rules = grown;
            }
            (*rules)[(*count)++] = Py_NewRef(entry);
        }
    }
    return 0;
}

static PyObject *
meet_words(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if ((nargs != 8 && nargs != 11) || !PyList_Check(args[0]) || !PyDict_Check(args[1]) ||
        !PyTuple_Check(args[3]) || !PyTuple_Check(args[4]) || !PyTuple_Check(args[5]) ||
        PyTuple_GET_SIZE(args[3]) != PyTuple_GET_SIZE(args[5]) || !PyList_Check(args[7]) ||
        (nargs == 11 && (!PyList_Check(args[8]) || !PyDict_Check(args[9]) ||
                         !PyLong_CheckExact(args[10])))) {
        PyErr_SetString(PyExc_TypeError,
                        "meet_words(words: list, by_word: dict, learn, names: tuple, names_of: "
                        "tuple, rules_by_name: tuple as long as names, accept, places: list[, "
                        "keys: list, anchors: dict, kept: int])");
        return NULL;
    }
    Shortcut shortcut = {nargs == 11 ? args[8] : NULL, nargs == 11 ? args[9] : NULL, 0};
    if (nargs == 11 && (shortcut.kept = PyLong_AsSsize_t(args[10])) == -1 && PyErr_Occurred())
        return NULL;
    PyObject *names = args[3], *rules_by_name = args[5], *accept = args[6];
    Py_ssize_t named = PyTuple_GET_SIZE(names), count = 0;
    Found found = {PyMem_Calloc((size_t)(named ? named : 1), sizeof(Places)), named,
                   PyMem_Calloc((size_t)(named ? named : 1), sizeof(Py_ssize_t)), 0};
    Handover handover = {&found, names, args[7], 0};
    PyObject **rules = NULL;
    int failed = 1;
    if (found.of == NULL || found.order == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* held while accept runs Python */
    PyObject *held[] = {names, rules_by_name, accept, args[7]};
    for (size_t h = 0; h < sizeof held / sizeof *held; h++)
        Py_INCREF(held[h]);
    failed = walk_words(args[0], args[1], args[2], &shortcut, args[4], &found) < 0 ||
             rules_to_meet(rules_by_name, &found, &rules, &count) < 0;
    for (Py_ssize_t r = 0; !failed && r < count; r++)
        failed = meet_rule(rules[r], &found, accept, &handover) < 0;
    for (size_t h = 0; h < sizeof held / sizeof *held; h++)
        Py_DECREF(held[h]);
done:
    for (Py_ssize_t r = 0; r < count; r++)
        Py_DECREF(rules[r]);
    PyMem_Free(rules);
    for (Py_ssize_t n = 0; found.of != NULL && n < named; n++)
        PyMem_Free(found.of[n].spans);
    PyMem_Free(found.of);
    PyMem_Free(found.order);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"meet", (PyCFunction)(void (*)(void))meet, METH_FASTCALL,
     "meet(lists, ranks, window, accept): call accept where a rule's concepts meet."},
    {"meet_words", (PyCFunction)(void (*)(void))meet_words, METH_FASTCALL,
     "meet_words(words, by_word, learn, names, names_of, rules_by_name, accept, places[, "
     "keys, anchors, kept]): "
     "concepts.meetings of the places of a message's words."},
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
