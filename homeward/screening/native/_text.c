/* Reading a message's text, in C: what ``tokens.starts_of``, ``tokens.Vocabulary``,
 * ``concepts.symbols_inside_words``, ``concepts.three_single_letters``,
 * ``normalize._squeeze``, ``normalize._collapse_repeats``, ``decoders.sentence_initials``,
 * ``decoders.pieces_in``, ``decoders.capitals``, ``detector_cipher.letter_counts`` and
 * ``engine.alnum_squeezed``
 * do in Python, and a test that spares a regular expression (``native`` builds it at
 * ``make env``; the Python is used wherever it is not built, and the tests compare the two
 * on every character).
 *
 * starts(text) -> list[int]
 *   where each run of letters of the text starts, the runs being what the regular
 *   expression [^\W\d_]+ finds (a letter is a word character that is neither a decimal
 *   digit nor "_")
 * Vocabulary()
 *   each word seen with its keys (``tokens.Vocabulary``): add(word, keys), get(word),
 *   clear(), len(); words_and_keys(text)
 *   -> tuple[list[str], list[frozenset[str] | None], int] gives the runs of letters of a
 *   text (what starts finds), the keys of each (None where it has none) and how many have
 *   none (the keys are not read again to know whether all are there), finding each word
 *   by its characters where it lies in the text: a word seen before is the str kept for
 *   it (no new str is made, and a dict that has it as a key finds it at once). Its words
 *   are plain str. The places are chosen by a hash
 *   seeded at random and looked at 64 at most: a word with no place among them is not
 *   kept, and is read as new each time (the Python one keeps every word)
 * symbols_inside_words(text) -> bool
 *   whether a run of [0-9@$!|*] sits between letters ("p1stola", "sh@nk"), or is an @ or
 *   $ ending right before two letters ("$hank"); a letter here is what str.isalpha says
 * three_single_letters(words) -> bool
 *   whether three words in a row are one letter each ("k n i")
 * may_be_spaced(classes) -> bool
 *   False only where ``folding.spaced_runs`` finds no letters spaced apart in a class
 *   string (see below): a cheap test before its regular expressions
 * squeeze(text) -> str
 *   the text without spaces at either end, each run of spaces made one
 * collapse_repeats(text) -> str
 *   each run of one letter repeated made one letter ("baall" -> "bal"), a letter being what
 *   [^\W\d_] matches
 * alnum_squeezed(data) -> bytes
 *   the ASCII letters and digits of ``data`` (every other byte dropped), the letters in
 *   lower case, each run of one of them repeated made one ("S.h-a a_n_k" -> "shank")
 * letter_counts(data, kinds, window, step) -> tuple[int, int, int, int]
 *   for a text as Latin-1 bytes, with ``kinds`` saying what each byte is (0 not a letter, 1
 *   a common letter, 2 a rare one, 3 a vowel): its letters, rare letters and vowels, and
 *   the most rare letters in one of its windows (``detector_cipher.letter_counts``)
 * pieces_in(letters, fours, threes) -> bool
 *   whether four characters in a row of ``letters`` are one of the frozenset ``fours``, or
 *   three one of ``threes`` (``decoders.pieces_in``); the pieces of the last two sets it
 *   was given are kept packed, each in a machine word, and looked up without a str
 * sentence_initials(text) -> str
 *   the first character of each sentence, past opening quotes, brackets and dashes, where
 *   it is a letter (str.isalpha); a sentence begins the text or follows ". ", "! ", "? " or
 *   a line break (what ``decoders.sentence_initials`` does)
 * capitals(text) -> tuple[str, bool, int]
 *   the capitals among its Latin-1 characters (str.isupper), in order; whether two of
 *   A to Z stand side by side; and how many line breaks it holds (``decoders.capitals``)
 * play_and_numbers(data) -> tuple[bool, bool]
 *   for a folded view as UTF-8, whether the decoders' gate patterns of the play languages
 *   occur in it, and whether those of numbers do (``decoders.play_and_numbers``, whose
 *   regular expressions say exactly what is looked for; a letter there is a to z, a word
 *   character for \\b one of A-Z, a-z, 0-9 and _)
 * plain_chars(text, table, wide) -> str | None
 *   each character of a text as the plain view's base makes it: Latin-1 ones by ``table``
 *   (the 256 of them as bytes: 0 drops one, 1 means the general route), others by
 *   ``wide`` (a dict of code points: what each becomes, 0 where it is dropped); None where
 *   one needs the general route (``normalize._LATIN1_PLAIN`` and ``normalize._WIDE``)
 * plain_view(text, table, wide) -> str | None
 *   the same with runs of spaces made one and the ends trimmed: the plain view, in one pass
 * plain_origins(text, table, wide) -> tuple[str, bytes, bytes] | None
 *   the same with runs of spaces made one and the ends trimmed (the plain view), and the
 *   span [first, end) of ``text`` each of its characters comes from (a run made one comes
 *   from the whole run): the firsts and the ends as machine integers (what array('q')
 *   reads)
 * fold_simply(text, fold, classes, wide[, spaced, leet]) -> str | None
 *   what ``normalize._fold_base`` makes of a squeezed plain view without letters spaced
 *   apart: each character mapped by ``fold`` (Latin-1, as ``table`` above), a symbol
 *   ``wide`` keeps made a space, apostrophes dropped, joiners and dots inside words
 *   dropped as ``folding.joiner_edits`` drops them, leet made letters, runs of spaces made
 *   one, ends trimmed, repeated letters collapsed. None (the Python stages run) where a
 *   character needs the general route, or where the class string (``classes``, the table
 *   of ``folding.char_class``) may hold letters spaced apart or leet (``folding._LEET``):
 *   unless it is given the stages ``spaced`` and ``leet`` (``folding.spaced_edits`` and
 *   ``folding.leet_edits``, called as they are there, only where the quick tests say
 *   "may"): then None only where there are letters spaced apart, and the leet edits (a
 *   character for a character) are made in place
 * fold_simply_origins(text, fold, classes, wide[, spaced, leet])
 *   -> tuple[str, bytes, bytes] | None
 *   the same, with each character's span as plain_origins gives it
 * buckets(words, word_seed, pair_seed, mask) -> frozenset[int]
 *   the classifier's buckets of a message's content words (a list of bytes): the CRC-32
 *   (zlib's) of each word from ``word_seed`` and of each two neighbours written with a
 *   space between from ``pair_seed``, each masked with ``mask`` (``classifier.features``)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#define SIXTEEN_AT_ONCE 1
#else
#define SIXTEEN_AT_ONCE 0
#endif
#define SIXTEEN 16

/* Where a loop of a byte at a time looks for the next of a few rare ASCII bytes (a symbol,
 * a sentence's end, a dash or a dot, a leet mark), ``SKIP_UNMARKED`` first moves ``at`` on
 * by sixteen while none of the 16 bytes from it is one: ``marked`` gives 0xFF for each byte
 * of 16 that is one looked for (with SSE2, which every x86-64 processor has; elsewhere it
 * does nothing). The loop goes on from there, to the same byte. */
#if SIXTEEN_AT_ONCE
#define SKIP_UNMARKED(bytes, at, length, marked)                                              \
    while ((at) + SIXTEEN <= (length) &&                                                      \
           _mm_movemask_epi8(marked(_mm_loadu_si128((const __m128i *)((bytes) + (at))))) == 0) \
    (at) += SIXTEEN

static inline __m128i
any_of(__m128i v, char a, char b)
{
    return _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(a)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b)));
}

/* 0-9 @ $ ! | * (is_trick_symbol) */
static inline __m128i
trick_marks(__m128i v)
{
    __m128i moved = _mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))); /* 0-9: -128 to -119 */
    __m128i digit = _mm_cmplt_epi8(moved, _mm_set1_epi8((char)(-128 + 10)));
    __m128i some = _mm_or_si128(any_of(v, '@', '$'), any_of(v, '!', '|'));
    return _mm_or_si128(digit, _mm_or_si128(some, _mm_cmpeq_epi8(v, _mm_set1_epi8('*'))));
}

/* a line break . ! ? (sentence_mark) */
static inline __m128i
sentence_marks(__m128i v)
{
    return _mm_or_si128(any_of(v, '\n', '.'), any_of(v, '!', '?'));
}

/* the classes . and - (K_DOT, K_DASH) */
static inline __m128i
dash_or_dot(__m128i v)
{
    return any_of(v, '.', '-');
}

/* the classes 1 ! $ (LEET_MARK) */
static inline __m128i
leet_marks(__m128i v)
{
    return _mm_or_si128(any_of(v, '1', '!'), _mm_cmpeq_epi8(v, _mm_set1_epi8('$')));
}
#else
#define SKIP_UNMARKED(bytes, at, length, marked) ((void)0)
#endif

#ifndef HOMEWARD_SOURCE /* the SHA-256 of this file, which native.build passes */
#define HOMEWARD_SOURCE "homeward-source-sha256:unknown"
#endif

static unsigned char latin1_letter[256]; /* is_word_letter of each Latin-1 character */
static unsigned char alnum_kept[256]; /* each ASCII letter or digit as alnum_squeezed keeps it */
static unsigned char trick_symbol[256]; /* is_trick_symbol of each Latin-1 character */
static unsigned char latin1_upper[256];  /* str.isupper of each Latin-1 character */

static inline int
is_word_letter(Py_UCS4 ch)
{
    if (ch < 256)
        return latin1_letter[ch];
    return Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch);
}

/* A str's characters as the functions below read them. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

static int
read_text(PyObject *text, const char *function, Text *read)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s(text): text is a str", function);
        return -1;
    }
    *read = (Text){PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    return 0;
}

#define AT(text, i) PyUnicode_READ((text).kind, (text).data, (i))

/* A str of ``count`` characters: as PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, ...)
 * makes it, in one pass where every character is Latin-1 (most texts): their bits OR-ed
 * say so and whether any is beyond ASCII, then each is narrowed to a byte. */
static PyObject *
text_of(const Py_UCS4 *chars, Py_ssize_t count)
{
    Py_UCS4 bits = 0;
    for (Py_ssize_t i = 0; i < count; i++)
        bits |= chars[i];
    if (bits > 0xFF)
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars, count);
    PyObject *made = PyUnicode_New(count, bits > 0x7F ? 0xFF : 0x7F);
    if (made == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(made);
    for (Py_ssize_t i = 0; i < count; i++)
        out[i] = (Py_UCS1)chars[i];
    return made;
}

static PyObject *
starts(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "starts", &t) < 0)
        return NULL;
    Py_ssize_t length = t.length;
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    int inside = 0;
    for (Py_ssize_t at = 0; at < length; at++) {
        int letter = is_word_letter(AT(t, at));
        if (letter && !inside) {
            PyObject *where = PyLong_FromSsize_t(at);
            if (where == NULL || PyList_Append(found, where) < 0) {
                Py_XDECREF(where);
                Py_DECREF(found);
                return NULL;
            }
            Py_DECREF(where);
        }
        inside = letter;
    }
    return found;
}

/* --- the vocabulary ----------------------------------------------------------------- */

/* Each word seen with its keys, kept in a table of open addressing found by the word's
 * characters: a word of a text is looked up where it lies in the text, and only a word not
 * seen before becomes a new str. */
typedef struct {
    Py_uhash_t hash; /* of the characters (``chars_hash``); 0 marks an empty slot */
    PyObject *word;  /* str */
    PyObject *keys;  /* what ``add`` was given for it */
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    Py_ssize_t capacity; /* a power of two, or 0 before the first word */
    Py_ssize_t used;
} Vocabulary;

/* A seed for the hash, drawn from os.urandom when the module is loaded: words made to fall
 * in one place of the table cannot be worked out beforehand. */
static uint64_t hash_seed;

#define FNV_PRIME 1099511628211ULL

/* An FNV-1a hash's bits mixed (MurmurHash3's finaliser) so that every bit of every
 * character reaches the low bits a place is chosen by; never 0 (an empty slot). */
static inline Py_uhash_t
hash_finished(uint64_t hash)
{
    hash = (hash ^ (hash >> 33)) * 0xff51afd7ed558ccdULL;
    hash = (hash ^ (hash >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash == 0 ? 1 : (Py_uhash_t)hash;
}

/* FNV-1a over the code points of text[start:end] from ``hash_seed``, finished. */
static inline Py_uhash_t
chars_hash(Text t, Py_ssize_t start, Py_ssize_t end)
{
    uint64_t hash = hash_seed;
    for (Py_ssize_t i = start; i < end; i++)
        hash = (hash ^ AT(t, i)) * FNV_PRIME;
    return hash_finished(hash);
}

/* Whether ``word`` is text[start:end]. */
static inline int
same_chars(PyObject *word, Text t, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t length = end - start;
    if (PyUnicode_GET_LENGTH(word) != length)
        return 0;
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    if (kind == t.kind)
        return memcmp(data, (const char *)t.data + start * kind, length * kind) == 0;
    for (Py_ssize_t i = 0; i < length; i++)
        if (PyUnicode_READ(kind, data, i) != AT(t, start + i))
            return 0;
    return 1;
}

/* How many places a word is looked for in, at most: past them it is taken as not here
 * (and is not kept), so that words that fall together cost a bounded time each. */
#define MAX_PROBES 64

/* The slot of text[start:end] (of hash ``hash``): the word's, or the empty one where it
 * would go; NULL where neither is among the first MAX_PROBES places. */
static Slot *
slot_of(Vocabulary *self, Text t, Py_ssize_t start, Py_ssize_t end, Py_uhash_t hash)
{
    size_t mask = (size_t)self->capacity - 1, i = (size_t)hash & mask;
    for (int probes = 0; probes < MAX_PROBES; probes++, i = (i + 1) & mask) {
        Slot *slot = &self->slots[i];
        if (slot->hash == 0 || (slot->hash == hash && same_chars(slot->word, t, start, end)))
            return slot;
    }
    return NULL;
}

/* Room for one more word: the table doubled (from 1,024) when it would be more than half
 * full. A word that finds no place within MAX_PROBES of its own in the new table is let
 * go (as ``add`` would not keep it), after the table is in place. */
static int
grow(Vocabulary *self)
{
    if (2 * (self->used + 1) <= self->capacity)
        return 0;
    Py_ssize_t capacity = self->capacity ? 2 * self->capacity : 1024;
    Slot *slots = PyMem_Calloc((size_t)capacity, sizeof(Slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Slot *old = self->slots;
    Py_ssize_t old_capacity = self->capacity, dropped = 0;
    for (Py_ssize_t i = 0; i < old_capacity; i++) {
        if (old[i].hash == 0)
            continue;
        size_t mask = (size_t)capacity - 1, j = (size_t)old[i].hash & mask;
        int probes = 0;
        while (slots[j].hash != 0 && ++probes < MAX_PROBES)
            j = (j + 1) & mask;
        if (slots[j].hash == 0)
            slots[j] = old[i];
        else
            old[dropped++] = old[i]; /* kept below the ones still to be read: i >= dropped */
    }
    self->slots = slots;
    self->capacity = capacity;
    self->used -= dropped;
    for (Py_ssize_t i = 0; i < dropped; i++) {
        Py_DECREF(old[i].word);
        Py_DECREF(old[i].keys);
    }
    PyMem_Free(old);
    return 0;
}

/* Empty the table: taken out of the vocabulary before its words and keys are let go (which
 * could run Python code that uses the vocabulary). */
static void
vocabulary_clear_slots(Vocabulary *self)
{
    Slot *slots = self->slots;
    Py_ssize_t capacity = self->capacity;
    self->slots = NULL;
    self->capacity = self->used = 0;
    for (Py_ssize_t i = 0; i < capacity; i++) {
        Py_XDECREF(slots[i].word);
        Py_XDECREF(slots[i].keys);
    }
    PyMem_Free(slots);
}

static void
vocabulary_dealloc(Vocabulary *self)
{
    vocabulary_clear_slots(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t
vocabulary_length(Vocabulary *self)
{
    return self->used;
}

/* A word given to ``add`` or ``get``: a str, as a Text. */
static int
read_word(PyObject *word, const char *method, Text *t)
{
    if (!PyUnicode_CheckExact(word)) {
        PyErr_Format(PyExc_TypeError, "Vocabulary.%s: a word is a str", method);
        return -1;
    }
    return read_text(word, method, t);
}

static PyObject *
vocabulary_add(Vocabulary *self, PyObject *const *args, Py_ssize_t nargs)
{
    Text t;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "Vocabulary.add(word: str, keys)");
        return NULL;
    }
    if (read_word(args[0], "add", &t) < 0 || grow(self) < 0)
        return NULL;
    Py_uhash_t hash = chars_hash(t, 0, t.length);
    Slot *slot = slot_of(self, t, 0, t.length, hash);
    if (slot == NULL) /* no place near its own: not kept (it is looked up as new) */
        Py_RETURN_NONE;
    Py_INCREF(args[1]);
    if (slot->hash == 0) {
        Py_INCREF(args[0]);
        *slot = (Slot){hash, args[0], args[1]};
        self->used++;
    } else {
        Py_SETREF(slot->keys, args[1]);
    }
    Py_RETURN_NONE;
}

static PyObject *
vocabulary_get(Vocabulary *self, PyObject *word)
{
    Text t;
    if (read_word(word, "get", &t) < 0)
        return NULL;
    if (self->used == 0)
        Py_RETURN_NONE;
    Slot *slot = slot_of(self, t, 0, t.length, chars_hash(t, 0, t.length));
    return Py_NewRef(slot == NULL || slot->hash == 0 ? Py_None : slot->keys);
}

static PyObject *
vocabulary_clear(Vocabulary *self, PyObject *unused)
{
    vocabulary_clear_slots(self);
    Py_RETURN_NONE;
}

/* The next word of ``t`` at or after ``*at`` (its start returned, ``*at`` left at its end,
 * its hash in ``*hash``), or -1 where there is none. A text of one byte a character is
 * read through the table of its letters, each hashed as it is read. */
static inline Py_ssize_t
next_word(Text t, Py_ssize_t *at, Py_uhash_t *hash)
{
    Py_ssize_t i = *at, start;
    if (t.kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *data = t.data;
        while (i < t.length && !latin1_letter[data[i]])
            i++;
        if (i >= t.length)
            return -1;
        uint64_t hashed = hash_seed;
        for (start = i; i < t.length && latin1_letter[data[i]]; i++)
            hashed = (hashed ^ data[i]) * FNV_PRIME;
        *hash = hash_finished(hashed);
    } else {
        while (i < t.length && !is_word_letter(AT(t, i)))
            i++;
        if (i >= t.length)
            return -1;
        for (start = i; i < t.length && is_word_letter(AT(t, i)); i++)
            ;
        *hash = chars_hash(t, start, i);
    }
    *at = i;
    return start;
}

static PyObject *
vocabulary_words_and_keys(Vocabulary *self, PyObject *text)
{
    Text t;
    if (read_text(text, "Vocabulary.words_and_keys", &t) < 0)
        return NULL;
    /* Each word and its keys (None where it has none), held from the moment each is found
     * (making a new str may run Python code that empties the vocabulary), then handed to
     * two lists made at their size. A text of n characters holds n / 2 + 1 words at most
     * (a letter each, a character between each two). */
    Py_ssize_t most = t.length / 2 + 1, count = 0, at = 0, start;
    if ((size_t)most > PY_SSIZE_T_MAX / (2 * sizeof(PyObject *)))
        return PyErr_NoMemory();
    PyObject **found = PyMem_Malloc(2 * (size_t)most * sizeof(PyObject *));
    PyObject *words = NULL, *keys = NULL, *both = NULL;
    if (found == NULL)
        return PyErr_NoMemory();
    Py_uhash_t hash;
    Py_ssize_t unknown = 0;
    while ((start = next_word(t, &at, &hash)) >= 0) {
        Slot *slot = self->used ? slot_of(self, t, start, at, hash) : NULL;
        if (slot != NULL && slot->hash != 0) { /* the word kept, and its keys */
            found[2 * count] = Py_NewRef(slot->word);
            found[2 * count + 1] = Py_NewRef(slot->keys);
        } else {
            PyObject *word = PyUnicode_Substring(text, start, at);
            if (word == NULL)
                goto done;
            found[2 * count] = word;
            found[2 * count + 1] = Py_NewRef(Py_None);
            unknown++;
        }
        count++;
    }
    words = PyList_New(count);
    keys = PyList_New(count);
    if (words != NULL && keys != NULL) {
        for (Py_ssize_t i = 0; i < count; i++) { /* the lists take each reference */
            PyList_SET_ITEM(words, i, found[2 * i]);
            PyList_SET_ITEM(keys, i, found[2 * i + 1]);
        }
        count = 0;
        both = Py_BuildValue("(OOn)", words, keys, unknown);
    }
done:
    for (Py_ssize_t i = 0; i < 2 * count; i++)
        Py_DECREF(found[i]);
    PyMem_Free(found);
    Py_XDECREF(words);
    Py_XDECREF(keys);
    return both;
}

static PyMethodDef vocabulary_methods[] = {
    {"words_and_keys", (PyCFunction)vocabulary_words_and_keys, METH_O,
     "words_and_keys(text): its words, each one's keys (None: not known), how many None."},
    {"add", (PyCFunction)(void (*)(void))vocabulary_add, METH_FASTCALL,
     "add(word, keys): keep a word with its keys (replacing any it had)."},
    {"get", (PyCFunction)vocabulary_get, METH_O, "get(word): its keys, or None."},
    {"clear", (PyCFunction)vocabulary_clear, METH_NOARGS, "clear(): forget every word."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods vocabulary_as_sequence = {
    .sq_length = (lenfunc)vocabulary_length,
};

static PyTypeObject VocabularyType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "homeward.screening.native._text.Vocabulary",
    .tp_basicsize = sizeof(Vocabulary),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Each word seen, with its keys, found by its characters.",
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)vocabulary_dealloc,
    .tp_methods = vocabulary_methods,
    .tp_as_sequence = &vocabulary_as_sequence,
};

static inline int
is_trick_symbol(Py_UCS4 ch)
{
    return (ch >= '0' && ch <= '9') || ch == '@' || ch == '$' || ch == '!' || ch == '|' ||
           ch == '*';
}

static PyObject *
symbols_inside_words(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "symbols_inside_words", &t) < 0)
        return NULL;
    Py_ssize_t length = t.length;
    Py_ssize_t at = 0;
    const Py_UCS1 *bytes = t.kind == PyUnicode_1BYTE_KIND ? t.data : NULL;
    while (at < length) {
        if (bytes != NULL) { /* Latin-1: to the next symbol by a table, a byte at a time */
            SKIP_UNMARKED(bytes, at, length, trick_marks);
            while (at < length && !trick_symbol[bytes[at]])
                at++;
            if (at >= length)
                break;
        } else if (!is_trick_symbol(AT(t, at))) {
            at++;
            continue;
        }
        Py_ssize_t start = at;
        while (at < length && is_trick_symbol(AT(t, at)))
            at++;
        /* the run is start..at; what follows must be a letter */
        if (at >= length || !Py_UNICODE_ISALPHA(AT(t, at)))
            continue;
        if (start > 0 && Py_UNICODE_ISALPHA(AT(t, start - 1)))
            Py_RETURN_TRUE;
        Py_UCS4 last = AT(t, at - 1);
        if ((last == '@' || last == '$') && at + 1 < length &&
            Py_UNICODE_ISALPHA(AT(t, at + 1)))
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyObject *
three_single_letters(PyObject *module, PyObject *list)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "three_single_letters(words): words is a list");
        return NULL;
    }
    int in_a_row = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *word = PyList_GET_ITEM(list, i);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "three_single_letters: a word is a str");
            return NULL;
        }
        in_a_row = PyUnicode_GET_LENGTH(word) == 1 ? in_a_row + 1 : 0;
        if (in_a_row == 3)
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

/* Letters spaced apart (folding._SPACED_RUN) are three or more elements with one to three
 * separators ([ .-]) between each two, an element being [!$']*[a1]([!$']+[a1])*[!$']*.
 * All but the last are each a whole segment (a run between separators) made only of
 * [!$'a1], holding a letter or leet digit ([a1]) and no two side by side; the last begins
 * a segment, and what follows it is not [a01]: so the segment begins [!$']*[a1], and the
 * class after that [a1] is not [a01]. Where no segment like the last follows two like the
 * others, no run can be found. Each class is looked up once, as bits. */
enum { S_SEPARATOR = 1, S_LETTER = 2, S_MARK = 4 };
static const unsigned char spaced_bits[256] = {
    [' '] = S_SEPARATOR, ['.'] = S_SEPARATOR, ['-'] = S_SEPARATOR, ['a'] = S_LETTER,
    ['1'] = S_LETTER,    ['!'] = S_MARK,      ['$'] = S_MARK,      ['\''] = S_MARK,
};

static int
spaced_possible(const unsigned char *c, Py_ssize_t length)
{
    Py_ssize_t at = 0;
    int in_a_row = 0; /* whole-segment elements just before this segment */
    while (at < length) {
        Py_ssize_t gap = at;
        while (at < length && spaced_bits[c[at]] & S_SEPARATOR)
            at++;
        if (at - gap > 3)
            in_a_row = 0;
        if (at >= length)
            break;
        if (in_a_row >= 2) { /* could this segment begin the last element? */
            Py_ssize_t k = at;
            while (k < length && spaced_bits[c[k]] & S_MARK)
                k++;
            if (k < length && spaced_bits[c[k]] & S_LETTER) {
                unsigned char next = k + 1 < length ? c[k + 1] : ' ';
                if (next != 'a' && next != '0' && next != '1')
                    return 1;
            }
        }
#if SIXTEEN_AT_ONCE
        else if (at + SIXTEEN <= length) {
            /* Sixteen at once: every letter of a segment like the others stands alone (no
             * letter beside it; the byte before ``at`` is a separator, ``at`` is none). Where
             * a separator is among the 16 from here and no letter before the last one stands
             * alone, no segment that ends there is like the others: none in a row, and on
             * from it. */
            __m128i sixteen = _mm_loadu_si128((const __m128i *)(c + at));
            int separators = _mm_movemask_epi8(_mm_or_si128(
                any_of(sixteen, ' ', '.'), _mm_cmpeq_epi8(sixteen, _mm_set1_epi8('-'))));
            if (separators != 0) {
                int last = 31 - __builtin_clz((unsigned)separators);
                int letters = _mm_movemask_epi8(any_of(sixteen, 'a', '1'));
                if ((letters & ~(letters << 1) & ~(letters >> 1) & ((1 << last) - 1)) == 0) {
                    in_a_row = 0;
                    at += last;
                    continue;
                }
            }
        }
#endif
        int like = 1, letters = 0, last_was_letter = 0;
        for (; at < length; at++) {
            unsigned char bits = spaced_bits[c[at]];
            if (bits & S_SEPARATOR)
                break;
            int letter = (bits & S_LETTER) != 0;
            if ((letter && last_was_letter) || !(bits & (S_LETTER | S_MARK))) {
                like = 0; /* most words, from their second letter: only their end matters */
                while (at < length && !(spaced_bits[c[at]] & S_SEPARATOR))
                    at++;
                break;
            }
            letters += letter;
            last_was_letter = letter;
        }
        in_a_row = like && letters > 0 ? in_a_row + 1 : 0;
    }
    return 0;
}

static PyObject *
may_be_spaced(PyObject *module, PyObject *classes)
{
    Text t;
    if (read_text(classes, "may_be_spaced", &t) < 0)
        return NULL;
    if (t.kind != PyUnicode_1BYTE_KIND)
        Py_RETURN_TRUE; /* no class string: whatever it is, the regular expressions judge */
    return PyBool_FromLong(spaced_possible(t.data, t.length));
}

/* The characters of ``text`` for which ``keep(previous, current)`` holds, as a new str (or
 * ``text`` itself when all are kept). */
typedef int (*Keep)(Py_UCS4 previous, Py_UCS4 current);

static PyObject *
kept(PyObject *text, Keep keep, Py_ssize_t first, Py_ssize_t end)
{
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    /* Most texts keep every character: find the first one dropped, if any. */
    Py_ssize_t drop = first + 1;
    while (drop < end &&
           keep(AT(t, drop - 1), AT(t, drop)))
        drop++;
    if (drop >= end)
        return PyUnicode_Substring(text, first, end);
    Py_UCS4 *out = PyMem_Malloc(sizeof(Py_UCS4) * (end - first));
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t count = 0;
    for (Py_ssize_t at = first; at < drop; at++)
        out[count++] = AT(t, at);
    for (Py_ssize_t at = drop + 1; at < end; at++) {
        Py_UCS4 current = AT(t, at);
        if (keep(AT(t, at - 1), current))
            out[count++] = current;
    }
    PyObject *made = text_of(out, count);
    PyMem_Free(out);
    return made;
}

static int
not_a_second_space(Py_UCS4 previous, Py_UCS4 current)
{
    return !(current == ' ' && previous == ' ');
}

static PyObject *
squeeze(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "squeeze", &t) < 0)
        return NULL;
    Py_ssize_t first = 0, end = t.length;
    while (first < end && AT(t, first) == ' ')
        first++;
    while (end > first && AT(t, end - 1) == ' ')
        end--;
    return kept(text, not_a_second_space, first, end);
}

static int
not_a_repeated_letter(Py_UCS4 previous, Py_UCS4 current)
{
    return !(current == previous && is_word_letter(current));
}

static PyObject *
collapse_repeats(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "collapse_repeats", &t) < 0)
        return NULL;
    return kept(text, not_a_repeated_letter, 0, t.length);
}

static PyObject *
alnum_squeezed(PyObject *module, PyObject *data)
{
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "alnum_squeezed(data: bytes)");
        return NULL;
    }
    Py_ssize_t size = PyBytes_GET_SIZE(data);
    PyObject *made = PyBytes_FromStringAndSize(NULL, size);
    if (made == NULL)
        return NULL;
    const unsigned char *in = (const unsigned char *)PyBytes_AS_STRING(data);
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(made);
    /* Each byte written and counted only if kept (no branch to mispredict at every
     * word's end): a letter or digit not the same as the last kept. */
    Py_ssize_t count = 0;
    unsigned char last = 0; /* the last kept */
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = alnum_kept[in[i]];
        int kept = c != 0 && c != last;
        out[count] = c;
        count += kept;
        last = c != 0 ? c : last;
    }
    if (_PyBytes_Resize(&made, count) < 0)
        return NULL;
    return made;
}

static PyObject *
letter_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyBytes_Check(args[0]) || !PyBytes_Check(args[1]) ||
        PyBytes_GET_SIZE(args[1]) != 256 || !PyLong_CheckExact(args[2]) ||
        !PyLong_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "letter_counts(data: bytes, kinds: 256 bytes, window: int, step: int)");
        return NULL;
    }
    Py_ssize_t window = PyLong_AsSsize_t(args[2]), step = PyLong_AsSsize_t(args[3]);
    if ((window == -1 || step == -1) && PyErr_Occurred())
        return NULL;
    if (window < 1 || step < 1) {
        PyErr_SetString(PyExc_ValueError, "letter_counts: window and step are 1 or more");
        return NULL;
    }
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    const unsigned char *kinds = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    Py_ssize_t size = PyBytes_GET_SIZE(args[0]);
    /* rare_before[k]: the rare letters among the first k letters */
    Py_ssize_t *rare_before = PyMem_Malloc(sizeof(Py_ssize_t) * (size + 1));
    if (rare_before == NULL)
        return PyErr_NoMemory();
    Py_ssize_t n = 0, rare = 0, vowels = 0;
    rare_before[0] = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        /* Each byte's count written and kept only for a letter (kind 0 is none): no
         * branch to mispredict at every word's end. */
        unsigned char kind = kinds[data[i]];
        rare += kind == 2;
        vowels += kind == 3;
        n += kind != 0;
        rare_before[n] = rare;
    }
    Py_ssize_t most = 0;
    if (n - window > step) { /* more than window + step letters (a sum could overflow) */
        /* windows [i, i + window) for i = 0, step, ... below n - window, then the last */
        for (Py_ssize_t start = 0; start < n - window; start += step) {
            Py_ssize_t count = rare_before[start + window] - rare_before[start];
            if (count > most)
                most = count;
        }
        Py_ssize_t last = rare_before[n] - rare_before[n - window];
        if (last > most)
            most = last;
    }
    PyMem_Free(rare_before);
    return Py_BuildValue("(nnnn)", n, rare, vowels, most);
}

/* Whether a piece of ``size`` characters in a row of ``text`` is in ``set``. */
static int
has_piece(PyObject *text, Py_ssize_t size, PyObject *set)
{
    for (Py_ssize_t at = 0; at + size <= PyUnicode_GET_LENGTH(text); at++) {
        PyObject *piece = PyUnicode_Substring(text, at, at + size);
        if (piece == NULL)
            return -1;
        int has = PySet_Contains(set, piece);
        Py_DECREF(piece);
        if (has != 0)
            return has;
    }
    return 0;
}

/* The pieces of one size of a set, each packed in a machine word (16 bits a character),
 * in a table of open addressing (0 marks an empty place): a piece of a text is looked up
 * without making a str of it. */
typedef struct {
    uint64_t *keys;
    size_t mask;
} Packed;

/* ``size`` characters from ``at`` packed, or 0 where one is beyond 16 bits or is 0. */
static inline uint64_t
pack(Text t, Py_ssize_t at, Py_ssize_t size)
{
    uint64_t packed = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS4 ch = AT(t, at + i);
        if (ch == 0 || ch > 0xFFFF)
            return 0;
        packed = (packed << 16) | ch;
    }
    return packed;
}

static inline size_t
packed_place(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

/* The table of the pieces of ``set`` of ``size`` characters: 0, or 1 where one cannot be
 * packed (a character beyond 16 bits, or NUL, or not a plain str), -1 on an error. */
static int
pack_set(PyObject *set, Py_ssize_t size, Packed *table)
{
    size_t capacity = 16;
    while (capacity < 2 * (size_t)PySet_GET_SIZE(set))
        capacity *= 2;
    table->keys = PyMem_Calloc(capacity, sizeof(uint64_t));
    if (table->keys == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    table->mask = capacity - 1;
    PyObject *each = PyObject_GetIter(set), *piece;
    if (each == NULL)
        return -1;
    int result = 0;
    while (result == 0 && (piece = PyIter_Next(each)) != NULL) {
        /* Anything but a plain str may equal a piece its own way: the slow search then. A
         * str of another length never equals one: left out. */
        if (!PyUnicode_CheckExact(piece)) {
            result = 1;
        } else if (PyUnicode_GET_LENGTH(piece) == size) {
            Text t = {PyUnicode_KIND(piece), PyUnicode_DATA(piece), size};
            uint64_t key = pack(t, 0, size);
            if (key == 0) {
                result = 1;
            } else {
                size_t i = packed_place(key, table->mask);
                while (table->keys[i] != 0 && table->keys[i] != key)
                    i = (i + 1) & table->mask;
                table->keys[i] = key;
            }
        }
        Py_DECREF(piece);
    }
    Py_DECREF(each);
    return PyErr_Occurred() ? -1 : result;
}

static int
packed_has(const Packed *table, Text t, Py_ssize_t size)
{
    for (Py_ssize_t at = 0; at + size <= t.length; at++) {
        uint64_t key = pack(t, at, size);
        if (key == 0)
            continue; /* a character no packed piece has */
        for (size_t i = packed_place(key, table->mask); table->keys[i] != 0;
             i = (i + 1) & table->mask)
            if (table->keys[i] == key)
                return 1;
    }
    return 0;
}

/* The sets the tables were made of (held), and whether they could be packed: a caller
 * asks with the same two sets every time (``decoders._prefix_sets``). */
static PyObject *packed_of[2];
static Packed packed[2];
static int packed_fine;

static int
packed_for(PyObject *fours, PyObject *threes)
{
    if (packed_of[0] == fours && packed_of[1] == threes)
        return 0;
    /* Made aside, then put in place at once: making them may run Python code (a garbage
     * collection) that calls here too. */
    Packed made[2] = {{NULL, 0}, {NULL, 0}};
    int four = pack_set(fours, 4, &made[0]);
    int three = four < 0 ? -1 : pack_set(threes, 3, &made[1]);
    if (four < 0 || three < 0) {
        PyMem_Free(made[0].keys);
        PyMem_Free(made[1].keys);
        return -1; /* the sets stay unknown: the next call tries again */
    }
    PyObject *old[2] = {packed_of[0], packed_of[1]};
    for (int i = 0; i < 2; i++) {
        PyMem_Free(packed[i].keys);
        packed[i] = made[i];
    }
    packed_of[0] = Py_NewRef(fours);
    packed_of[1] = Py_NewRef(threes);
    packed_fine = four == 0 && three == 0;
    Py_XDECREF(old[0]); /* last: letting go may run Python code */
    Py_XDECREF(old[1]);
    return 0;
}

static PyObject *
pieces_in(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyFrozenSet_CheckExact(args[1]) ||
        !PyFrozenSet_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "pieces_in(letters: str, fours: frozenset, threes: frozenset)");
        return NULL;
    }
    if (packed_for(args[1], args[2]) < 0)
        return NULL;
    if (packed_fine) {
        Text t = {PyUnicode_KIND(args[0]), PyUnicode_DATA(args[0]),
                  PyUnicode_GET_LENGTH(args[0])};
        return PyBool_FromLong(packed_has(&packed[0], t, 4) || packed_has(&packed[1], t, 3));
    }
    int has = has_piece(args[0], 4, args[1]);
    if (has == 0)
        has = has_piece(args[0], 3, args[2]);
    if (has < 0)
        return NULL;
    return PyBool_FromLong(has);
}

/* Characters that may open a sentence before its first letter (decoders._OPENERS). */
static inline int
is_opener(Py_UCS4 ch)
{
    return ch == ' ' || ch == '"' || ch == '\'' || ch == 0xbf /* ¿ */ || ch == 0xa1 /* ¡ */ ||
           ch == '(' || ch == '[' || ch == '-' || ch == '*';
}

/* The characters that may end a sentence ("\n", ".", "!", "?"). */
static const unsigned char sentence_mark[256] = {['\n'] = 1, ['.'] = 1, ['!'] = 1, ['?'] = 1};

static PyObject *
sentence_initials(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "sentence_initials", &t) < 0)
        return NULL;
    Py_ssize_t length = t.length, count = 0;
    Py_UCS4 *out = PyMem_Malloc(sizeof(Py_UCS4) * (length + 1));
    if (out == NULL)
        return PyErr_NoMemory();
    /* A sentence starts at 0 and after each ". ", "! ", "? " and line break: none of these
     * begins with an opener, so skipping openers never runs past the next one's start. */
    Py_ssize_t start = 0;
    while (start <= length) {
        Py_ssize_t at = start;
        while (at < length && is_opener(AT(t, at)))
            at++;
        if (at < length && Py_UNICODE_ISALPHA(AT(t, at)))
            out[count++] = AT(t, at);
        Py_ssize_t next = -1, i = start;
        if (t.kind == PyUnicode_1BYTE_KIND) { /* most texts: to the next mark, a table away */
            const unsigned char *bytes = t.data;
            SKIP_UNMARKED(bytes, i, length, sentence_marks);
            while (i < length && !sentence_mark[bytes[i]])
                i++;
        }
        for (; i < length; i++) {
            Py_UCS4 ch = AT(t, i);
            if (ch == '\n') {
                next = i + 1;
                break;
            }
            if ((ch == '.' || ch == '!' || ch == '?') && i + 1 < length && AT(t, i + 1) == ' ') {
                next = i + 2;
                break;
            }
        }
        if (next < 0)
            break;
        start = next;
    }
    PyObject *made = text_of(out, count);
    PyMem_Free(out);
    return made;
}

/* What each Latin-1 character is to capitals, as bits: a capital (str.isupper), one of A
 * to Z, a line break. */
enum { C_UPPER = 1, C_ASCII = 2, C_LINE = 4 };
static unsigned char capital_bits[256];

/* Whether one of the eight bytes at ``eight`` is A to Z, a line break or beyond ASCII
 * (where Latin-1's other capitals are), read as one 64-bit word: for a byte b below 128,
 * (b | 128) - k has its top bit set exactly where b >= k (no borrow crosses a byte), and
 * a byte of b ^ 10 is zero exactly where b is a line break. */
static inline int
capital_or_line(const unsigned char *eight)
{
    const uint64_t ones = 0x0101010101010101ULL, tops = 0x8080808080808080ULL;
    uint64_t x;
    memcpy(&x, eight, 8);
    uint64_t from_a = ((x | tops) - ones * 'A') & tops;
    uint64_t past_z = ((x | tops) - ones * ('Z' + 1)) & tops;
    uint64_t line = x ^ (ones * '\n');
    return ((from_a & ~past_z) | (x & tops) | ((line - ones) & ~line & tops)) != 0;
}

static PyObject *
capitals(PyObject *module, PyObject *text)
{
    Text t;
    if (read_text(text, "capitals", &t) < 0)
        return NULL;
    unsigned char *out = PyMem_Malloc(t.length + 1);
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t count = 0, lines = 0;
    int pair = 0, ascii_before = 0; /* an A to Z just before */
    if (t.kind == PyUnicode_1BYTE_KIND) { /* most texts: a table lookup a character */
        const unsigned char *bytes = t.data;
        for (Py_ssize_t at = 0; at < t.length; at++) {
            if ((at & 7) == 0 && at + 8 <= t.length && !capital_or_line(bytes + at)) {
                /* Eight characters of small letters, digits and marks (most of a text),
                 * passed over at once: none counts, and none is A to Z. */
                ascii_before = 0;
                at += 7;
                continue;
            }
            unsigned char ch = bytes[at], bits = capital_bits[ch];
            out[count] = ch;
            count += bits & C_UPPER;
            pair |= bits & ascii_before;
            ascii_before = bits & C_ASCII;
            lines += bits >> 2;
        }
        pair = pair != 0;
    } else {
        for (Py_ssize_t at = 0; at < t.length; at++) {
            Py_UCS4 ch = AT(t, at);
            int upper = ch < 256 && latin1_upper[ch], ascii = ch >= 'A' && ch <= 'Z';
            out[count] = (unsigned char)ch;
            count += upper;
            pair |= ascii && ascii_before;
            ascii_before = ascii;
            lines += ch == '\n';
        }
    }
    PyObject *letters = PyUnicode_DecodeLatin1((const char *)out, count, NULL);
    PyMem_Free(out);
    if (letters == NULL)
        return NULL;
    return Py_BuildValue("(NNn)", letters, PyBool_FromLong(pair), lines);
}

/* --- play_and_numbers ------------------------------------------------------------ */

/* What each byte is to play_and_numbers: a to z, a digit, another word character for \b
 * (A to Z, _), or none of them. */
enum { PN_OTHER = 0, PN_SMALL = 1, PN_DIGIT = 2, PN_WORD = 3 };
static unsigned char pn_class[256];

static inline int
ascii_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline int
word_byte(unsigned char c)
{
    return pn_class[c] != PN_OTHER;
}

static inline int
small_vowel(unsigned char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* What one run of a-z (a word) holds that the play patterns ask about. */
typedef struct {
    int syllables; /* p-syllables (apa, epe, ipi, opo, upu), the most of them apart */
    int ends_ay;   /* ends in "ay" */
    int ay_ay;     /* "ay", one to twelve letters, "ay" */
} PlayWord;

/* The word that begins at ``start``, read in one pass that stops at its p's and y's only;
 * where it ends put in ``*end``. (A p-syllable's vowels are letters of the word: the one
 * after the p is never past its end.) */
static PlayWord
play_word(const unsigned char *d, Py_ssize_t n, Py_ssize_t start, Py_ssize_t *end)
{
    PlayWord w = {0, 0, 0};
    Py_ssize_t free_from = start;          /* where the next p-syllable may begin */
    Py_ssize_t ay = -100, ay_before = -100; /* where the last two "ay" begin */
    Py_ssize_t at = start + 1;
    for (; at < n && pn_class[d[at]] == PN_SMALL; at++) {
        unsigned char c = d[at];
        if (c == 'p') {
            if (at - 1 >= free_from && at + 1 < n && d[at - 1] == d[at + 1] &&
                small_vowel(d[at + 1])) {
                w.syllables++;
                free_from = at + 2;
            }
        } else if (c == 'y' && d[at - 1] == 'a') {
            Py_ssize_t x = at - 1, earlier = x - ay >= 3 ? ay : ay_before;
            if (x - earlier >= 3 && x - earlier <= 14)
                w.ay_ay = 1;
            ay_before = ay;
            ay = x;
        }
    }
    w.ends_ay = ay == at - 2;
    *end = at;
    return w;
}

/* The number patterns at a run of digits data[start:end] (a word boundary before it):
 * "1-2", "1.2", "1 2" and "1,2,3,4" ("1, 2, 3, 4"), each number of one or two digits,
 * a word boundary after the last. */
static int
numbers_at(const unsigned char *d, Py_ssize_t n, Py_ssize_t start, Py_ssize_t end)
{
    if (end - start > 2 || end >= n)
        return 0;
    /* "1-2", "1.2", "1 2": a number of one or two digits after the mark, then a boundary */
    if (d[end] == '-' || d[end] == '.' || d[end] == ' ') {
        Py_ssize_t from = end + 1, at = from;
        while (at < n && ascii_digit(d[at]))
            at++;
        if (at - from >= 1 && at - from <= 2 && (at == n || !word_byte(d[at])))
            return 1;
    }
    /* "1,2,3,4": three more numbers of one or two digits, each after a comma and at most
     * one space, a boundary after the last */
    Py_ssize_t at = end;
    for (int more = 0; more < 3; more++) {
        if (d[at] != ',')
            return 0;
        at++;
        if (at < n && d[at] == ' ')
            at++;
        Py_ssize_t from = at;
        while (at < n && ascii_digit(d[at]))
            at++;
        if (at - from < 1 || at - from > 2)
            return 0;
        if (more < 2 ? at >= n : at < n && word_byte(d[at]))
            return 0;
    }
    return 1;
}

#if SIXTEEN_AT_ONCE
/* 0xFF for each of 16 bytes that is a to z (PN_SMALL) */
static inline __m128i
a_to_z(__m128i v)
{
    __m128i moved = _mm_add_epi8(v, _mm_set1_epi8((char)(128 - 'a'))); /* a-z: -128 to -103 */
    return _mm_cmplt_epi8(moved, _mm_set1_epi8((char)(-128 + 26)));
}

/* 0xFF for each of 16 bytes that is a p, a y or a digit: a word without a p or a y holds no
 * p-syllable and no "ay", and only a digit begins a number pattern */
static inline __m128i
play_marks(__m128i v)
{
    __m128i moved = _mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))); /* 0-9: -128 to -119 */
    __m128i digit = _mm_cmplt_epi8(moved, _mm_set1_epi8((char)(-128 + 10)));
    return _mm_or_si128(digit, any_of(v, 'p', 'y'));
}
#endif

static PyObject *
play_and_numbers(PyObject *module, PyObject *data)
{
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "play_and_numbers(data): data is bytes");
        return NULL;
    }
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data);
    int play = 0, numbers = 0;
    /* The last two words before this one: (p-syllables, ended in "ay" with a byte after) */
    int syllables_1 = 0, syllables_2 = 0, ay_1 = 0, ay_2 = 0;
    for (Py_ssize_t at = 0; at < n && !(play && numbers);) {
#if SIXTEEN_AT_ONCE
        /* Sixteen bytes without a p, a y or a digit, up to the last of them that is not a to
         * z: each word inside (where ``at`` is, no word has begun) finds nothing and only
         * moves the last two words on, as a word of no p-syllable and no "ay". */
        if (at + SIXTEEN <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(d + at));
            unsigned not_small = ~(unsigned)_mm_movemask_epi8(a_to_z(v)) & 0xFFFF;
            if (not_small != 0 && _mm_movemask_epi8(play_marks(v)) == 0) {
                int last = 31 - __builtin_clz(not_small);
                unsigned small = ~not_small & ((1u << last) - 1);
                int words = __builtin_popcount(small & ~(small << 1)); /* their first letters */
                if (words >= 2)
                    syllables_1 = syllables_2 = ay_1 = ay_2 = 0;
                else if (words == 1)
                    syllables_2 = syllables_1, syllables_1 = 0, ay_2 = ay_1, ay_1 = 0;
                at += last + 1; /* past that byte too, which is neither a word nor a number */
                continue;
            }
        }
#endif
        unsigned char kind = pn_class[d[at]];
        if (kind == PN_SMALL) {
            Py_ssize_t end;
            PlayWord w = play_word(d, n, at, &end);
            int bounded = end == n || !word_byte(d[end]); /* \b after its "ay" */
            if (w.syllables >= 2 || w.ay_ay || (w.syllables && (syllables_1 || syllables_2)) ||
                (w.ends_ay && bounded && (ay_1 || ay_2)))
                play = 1;
            syllables_2 = syllables_1, syllables_1 = w.syllables > 0;
            ay_2 = ay_1, ay_1 = w.ends_ay && end < n;
            at = end;
        } else if (kind == PN_DIGIT && (at == 0 || !word_byte(d[at - 1]))) {
            Py_ssize_t start = at;
            while (at < n && ascii_digit(d[at]))
                at++;
            numbers |= numbers_at(d, n, start, at);
        } else {
            at++;
        }
    }
    return Py_BuildValue("(NN)", PyBool_FromLong(play), PyBool_FromLong(numbers));
}

/* The classes the folding passes below tell apart, as bits, so that whether a class is one of
 * a few ("a01!$") is one table lookup and a mask. */
enum {
    K_LETTER = 1 << 0, /* 'a' */
    K_ZERO = 1 << 1,   /* '0' */
    K_ONE = 1 << 2,    /* '1' */
    K_BANG = 1 << 3,   /* '!' */
    K_DOLLAR = 1 << 4, /* '$' */
    K_SPACE = 1 << 5,  /* ' ' */
    K_ASK = 1 << 6,    /* '?' */
    K_DOT = 1 << 7,    /* '.' */
    K_DASH = 1 << 8,   /* '-' */
    K_QUOTE = 1 << 9,  /* '\'' (an apostrophe) */
};
static const unsigned short class_bits[256] = {
    ['a'] = K_LETTER, ['0'] = K_ZERO, ['1'] = K_ONE, ['!'] = K_BANG, ['$'] = K_DOLLAR,
    [' '] = K_SPACE,  ['?'] = K_ASK,  ['.'] = K_DOT, ['-'] = K_DASH,   ['\''] = K_QUOTE,
};
#define LEETISH (K_LETTER | K_ZERO | K_ONE | K_BANG | K_DOLLAR) /* "a01!$" */
#define LETTER_OR_MARK (K_LETTER | K_BANG | K_DOLLAR)           /* "a!$" */
#define LETTER_OR_DIGIT (K_LETTER | K_ZERO | K_ONE)             /* "a01" */
#define LEET_MARK (K_ONE | K_BANG | K_DOLLAR)                   /* "1!$" */
#define DIGIT (K_ZERO | K_ONE)                                  /* "01" */
#define TOKEN_END (K_SPACE | K_ASK | K_DOT | K_DASH)            /* " ?.-" */

/* Whether class ``c`` is one of the classes ``set`` (never for the 0 past either end). */
static inline int
among(unsigned char c, unsigned short set)
{
    return (class_bits[c] & set) != 0;
}

/* Whether chars[from:to] is a number with a unit (``folding._NUMBER_LIKE`` matches all of
 * it: "5pm", "28th", "1990s", "4x4"), which ``folding.leet_edits`` leaves alone. */
static int
number_like(const Py_UCS4 *chars, Py_ssize_t from, Py_ssize_t to)
{
    static const char *const units[] = {
        "st", "nd", "rd", "th", "am", "pm", "hr", "hrs", "min", "mins", "sec", "secs", "lb",
        "lbs", "kg", "mg", "ml", "oz", "ft", "in", "mi", "km", "cm", "mm", "mph", "yr", "yrs",
        "yo", "gb", "mb"};
    Py_ssize_t at = from;
    while (at < to && chars[at] >= '0' && chars[at] <= '9')
        at++;
    Py_ssize_t digits = at - from, rest = to - at;
    if (digits == 0 || rest == 0)
        return 0;
    if (chars[at] == 's' && rest == 1 && digits >= 2)
        return 1;
    if (chars[at] == 'x' && rest >= 2) {
        Py_ssize_t k = at + 1;
        while (k < to && chars[k] >= '0' && chars[k] <= '9')
            k++;
        if (k == to)
            return 1;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        Py_ssize_t k = 0;
        while (k < rest && units[u][k] != '\0' && chars[at + k] == (Py_UCS4)units[u][k])
            k++;
        if (k == rest && units[u][k] == '\0')
            return 1;
    }
    return 0;
}

/* Whether a class string (after the joiners are dropped) has a place where
 * ``folding.leet_edits`` may edit. Its tokens are the runs of [a01!$] (between separators,
 * " ?.-"); a token is judged once (as ``done`` skips the rest of it), where ``_LEET`` finds
 * a place in it: it must hold a leet character, and a letter (and not be a number with a
 * unit: "5am", "28th"), an "!" or an "@", without a "!" that ends it. Only a token holding
 * a "1", "!" or "$" can (most tokens are words, passed over at a table lookup a
 * character); each is read from its end, so the "$" rule's look ahead ([01!$]* then a
 * letter) is one flag: linear in the text whatever it holds. */
static int
leet_possible(const Py_UCS4 *chars, const unsigned char *cls, Py_ssize_t n)
{
    Py_ssize_t after = 0; /* where the next token holding a mark may begin */
    for (Py_ssize_t mark = 0; mark < n; mark++) {
        if (mark >= after) {
            SKIP_UNMARKED(cls, mark, n, leet_marks);
            if (mark >= n)
                break;
        }
        if (mark < after || !among(cls[mark], LEET_MARK))
            continue; /* most characters: one table lookup */
        Py_ssize_t start = mark, end = mark + 1;
        while (start > 0 && among(cls[start - 1], LEETISH))
            start--;
        while (end < n && among(cls[end], LEETISH))
            end++;
        after = end;
        int found = 0, letter_ahead = 0; /* a letter after [01!$]* from the next place */
        for (Py_ssize_t i = end - 1; i >= start && !found; i--) {
            unsigned char before = i > 0 ? cls[i - 1] : 0, next = i + 1 < n ? cls[i + 1] : 0;
            switch (cls[i]) {
            case '1':
                found = among(before, LETTER_OR_MARK) || among(next, LETTER_OR_MARK);
                break;
            case '!':
                found = among(next, LEETISH);
                break;
            case '$':
                found = letter_ahead || before == 'a' ||
                        (!among(before, LETTER_OR_DIGIT) && !among(next, LETTER_OR_DIGIT));
                break;
            }
            letter_ahead = letter_ahead || cls[i] == 'a';
        }
        if (found) {
            Py_ssize_t last = end, digits = start;
            while (last > start && cls[last - 1] == '!')
                last--;
            while (digits < last && (cls[digits] == '!' || cls[digits] == '$'))
                digits++; /* "@5pm" is a time */
            int leet = 0, letter = 0, why = 0;
            for (Py_ssize_t k = start; k < last; k++) {
                leet |= among(cls[k], LEET_MARK);
                letter |= cls[k] == 'a';
                why |= cls[k] == '!' || chars[k] == '@';
            }
            if (leet && (letter ? !number_like(chars, digits, last) : why))
                return 1;
        }
    }
    return 0;
}

/* joined marks a class it drops with this bit; the places are judged on the classes
 * without it, as they were before anything was dropped. */
#define DROPPED 0x80
#define CLASS(cls, k) ((unsigned char)((cls)[k] & ~DROPPED))

/* Whether ``folding.joiner_edits`` drops the dot at ``at`` (``_DOT`` finds it): a letter
 * in the tokens on either side, and one letter or leet there or a token of one. */
static int
dot_dropped(const unsigned char *cls, Py_ssize_t n, Py_ssize_t at)
{
    Py_ssize_t start = at, end = at + 1;
    while (start > 0 && !among(CLASS(cls, start - 1), TOKEN_END))
        start--; /* _token_start */
    while (end < n && among(CLASS(cls, end), LEETISH))
        end++; /* _token_end */
    int letter = 0, leet = 0;
    for (Py_ssize_t k = start; k < end; k++) {
        letter |= CLASS(cls, k) == 'a';
        leet |= among(CLASS(cls, k), LEET_MARK);
    }
    return letter && (at - start == 1 || end - at - 1 == 1 || leet);
}

/* What ``folding.joiner_edits`` does (after apostrophes are dropped), in place: runs of
 * joiners with a letter or leet on one side and a letter, digit or leet on the other
 * (``_JOINER``), and the dots ``dot_dropped`` says, are dropped; the count left returned.
 * Every place is judged first, on the classes before any is dropped, as the edits are. */
static Py_ssize_t
joined(Py_UCS4 *chars, unsigned char *cls, long long *firsts, long long *ends, Py_ssize_t n)
{
    int any = 0;
    for (Py_ssize_t at = 0; at < n; at++) {
        SKIP_UNMARKED(cls, at, n, dash_or_dot); /* the places ahead are not marked yet */
        if (at >= n)
            break;
        if (!among(cls[at], K_DASH | K_DOT))
            continue; /* most characters: one table lookup */
        unsigned char before = at > 0 ? CLASS(cls, at - 1) : 0;
        if (cls[at] == '-') {
            Py_ssize_t end = at;
            while (end < n && cls[end] == '-')
                end++;
            unsigned char after = end < n ? cls[end] : 0;
            if ((among(before, LETTER_OR_MARK) && among(after, LEETISH)) ||
                (among(before, DIGIT) && among(after, LETTER_OR_MARK))) {
                for (Py_ssize_t k = at; k < end; k++)
                    cls[k] |= DROPPED;
                any = 1;
            }
            at = end - 1;
        } else if (cls[at] == '.' && among(before, LEETISH) && at + 1 < n &&
                   among(cls[at + 1], LEETISH) && dot_dropped(cls, n, at)) {
            cls[at] |= DROPPED;
            any = 1;
        }
    }
    if (!any)
        return n;
    Py_ssize_t kept = 0;
    for (Py_ssize_t at = 0; at < n; at++) {
        if (cls[at] & DROPPED)
            continue;
        if (firsts != NULL) {
            firsts[kept] = firsts[at];
            ends[kept] = ends[at];
        }
        chars[kept] = chars[at];
        cls[kept++] = cls[at];
    }
    return kept;
}

/* The ``n`` characters of ``chars`` with runs of spaces made one, the ends trimmed, and
 * (where ``collapse``) runs of one letter made one, in place; their count returned. Given
 * ``firsts`` and ``ends`` (each character's span [first, end), in place too), a run made
 * one spans the whole run. */
static Py_ssize_t
squeezed(Py_UCS4 *chars, Py_ssize_t n, int collapse, long long *firsts, long long *ends)
{
    if (collapse && firsts == NULL) {
        /* Without spans (most calls): each character written, and counted only if kept,
         * without a branch to mispredict at every word's end. */
        Py_ssize_t count = 0, at = 0;
        Py_UCS4 previous = ' '; /* the last kept; a space before the first trims the start */
        while (at < n) {
            Py_ssize_t stop = n;
#if SIXTEEN_AT_ONCE
            /* Four characters (sixteen bytes) at once where none is the one before it:
             * each is kept (what overlaps them in place is already read). */
            if (at + 4 <= n) {
                __m128i four = _mm_loadu_si128((const __m128i *)(chars + at));
                __m128i before =
                    _mm_or_si128(_mm_slli_si128(four, 4), _mm_cvtsi32_si128((int)previous));
                if (_mm_movemask_epi8(_mm_cmpeq_epi32(four, before)) == 0) {
                    _mm_storeu_si128((__m128i *)(chars + count), four);
                    previous = (Py_UCS4)_mm_cvtsi128_si32(_mm_srli_si128(four, 12));
                    count += 4;
                    at += 4;
                    continue;
                }
                stop = at + 4;
            }
#endif
            for (; at < stop; at++) {
                Py_UCS4 c = chars[at];
                int again = c == previous && (c == ' ' || (c < 256 && latin1_letter[c]));
                chars[count] = c;
                count += !again;
                previous = again ? previous : c;
            }
        }
        return count > 0 && chars[count - 1] == ' ' ? count - 1 : count;
    }
    Py_ssize_t count = 0;
    for (Py_ssize_t at = 0; at < n; at++) {
        Py_UCS4 c = chars[at];
        if (c == ' ' ? count == 0 || chars[count - 1] == ' '
                     : collapse && count > 0 && chars[count - 1] == c && c < 256 &&
                           latin1_letter[c]) {
            if (count > 0 && firsts != NULL) /* a run made one: it spans the run */
                ends[count - 1] = ends[at];
            continue;
        }
        if (firsts != NULL) {
            firsts[count] = firsts[at];
            ends[count] = ends[at];
        }
        chars[count++] = c;
    }
    if (count > 0 && chars[count - 1] == ' ')
        count--;
    return count;
}

/* Sixteen characters at a time, where the processor has SSE2 (every x86-64 one): most of
 * a letter is runs of ASCII letters and single spaces. A table that keeps a to z and the
 * space, and where ``upper`` (the plain view's) lowers A to Z (``keeps_letters``), maps
 * each of them as ``byte | 0x20`` does (the byte itself, for a to z and the space).
 * ``letters_and_spaces`` says whether 16 bytes are all such letters (A to Z too where
 * ``upper``) or spaces, with no two spaces side by side and none first unless
 * ``space_first`` (their mapped bytes in ``mapped``, 0xFF at each space in ``space``);
 * ``widen`` writes 16 bytes as 16 characters. Any other 16 bytes go through the loop of a
 * byte at a time, which says what every byte does. */
#if SIXTEEN_AT_ONCE
static const unsigned char small_letters[26] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
                                                'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r',
                                                's', 't', 'u', 'v', 'w', 'x', 'y', 'z'};

static int
keeps_letters(const unsigned char *table, int upper)
{
    return memcmp(table + 'a', small_letters, 26) == 0 && table[' '] == ' ' &&
           (!upper || memcmp(table + 'A', small_letters, 26) == 0);
}

static inline int
letters_and_spaces(const unsigned char *bytes, int upper, int space_first, __m128i *mapped,
                   __m128i *space)
{
    __m128i v = _mm_loadu_si128((const __m128i *)bytes);
    __m128i low = upper ? _mm_or_si128(v, _mm_set1_epi8(0x20)) : v;
    /* a to z as -128 to -103 (signed), every other byte above */
    __m128i moved = _mm_add_epi8(low, _mm_set1_epi8((char)(128 - 'a')));
    __m128i letter = _mm_cmplt_epi8(moved, _mm_set1_epi8((char)(-128 + 26)));
    *space = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
    int all = _mm_movemask_epi8(_mm_or_si128(letter, *space));
    int spaces = _mm_movemask_epi8(*space);
    *mapped = low;
    return all == 0xFFFF && (spaces & (spaces >> 1)) == 0 && (space_first || !(spaces & 1));
}

static inline void
widen(Py_UCS4 *chars, __m128i bytes)
{
    __m128i zero = _mm_setzero_si128();
    __m128i low = _mm_unpacklo_epi8(bytes, zero), high = _mm_unpackhi_epi8(bytes, zero);
    _mm_storeu_si128((__m128i *)chars, _mm_unpacklo_epi16(low, zero));
    _mm_storeu_si128((__m128i *)(chars + 4), _mm_unpackhi_epi16(low, zero));
    _mm_storeu_si128((__m128i *)(chars + 8), _mm_unpacklo_epi16(high, zero));
    _mm_storeu_si128((__m128i *)(chars + 12), _mm_unpackhi_epi16(high, zero));
}
#endif

/* What ``wide`` (a dict of code points beyond Latin-1) says a character becomes in the
 * plain view: a code point, 0 where it is dropped; -1 where it does not say (the general
 * route runs), -2 on an error. */
static long
wide_char(PyObject *wide, Py_UCS4 ch)
{
    PyObject *key = PyLong_FromUnsignedLong(ch);
    if (key == NULL)
        return -2;
    PyObject *to = PyDict_GetItemWithError(wide, key);
    Py_DECREF(key);
    if (to == NULL)
        return PyErr_Occurred() ? -2 : -1;
    long value = PyLong_AsLong(to);
    if (value == -1 && PyErr_Occurred())
        return -2;
    if (value < 0 || value > 0x10FFFF) {
        PyErr_SetString(PyExc_ValueError, "a wide character maps to a code point or 0");
        return -2;
    }
    return value;
}

/* What ``stage(text, classes)`` (a folding stage of Python, ``folding.spaced_edits`` or
 * ``folding.leet_edits``) returns for the ``n`` characters so far: a new list of edits, or
 * NULL with an error. */
static PyObject *
stage_edits(PyObject *stage, const Py_UCS4 *chars, const unsigned char *cls, Py_ssize_t n)
{
    PyObject *text = text_of(chars, n);
    PyObject *classes = NULL, *edits = NULL;
    if (text != NULL)
        classes = PyUnicode_DecodeLatin1((const char *)cls, n, NULL);
    if (classes != NULL)
        edits = PyObject_CallFunctionObjArgs(stage, text, classes, NULL);
    Py_XDECREF(text);
    Py_XDECREF(classes);
    if (edits != NULL && !PyList_Check(edits)) {
        Py_DECREF(edits);
        PyErr_SetString(PyExc_TypeError, "a folding stage returned something not a list");
        return NULL;
    }
    return edits;
}

/* The leet edits of ``leet`` made on the characters in place: 0, or -1 where one is not a
 * character for a Latin-1 character (the stages run: never, with ``folding.leet_edits``),
 * -2 on an error. */
static Py_ssize_t
leet_in_place(PyObject *leet, Py_UCS4 *chars, unsigned char *cls, Py_ssize_t n,
              const unsigned char *classes)
{
    PyObject *edits = stage_edits(leet, chars, cls, n);
    if (edits == NULL)
        return -2;
    Py_ssize_t result = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(edits) && result == 0; i++) {
        PyObject *edit = PyList_GET_ITEM(edits, i);
        Py_ssize_t start, end;
        PyObject *to;
        if (!PyTuple_Check(edit) || !PyArg_ParseTuple(edit, "nnU", &start, &end, &to)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a leet edit that is not (start, end, str)");
            result = -2;
        } else if (start < 0 || end != start + 1 || end > n || PyUnicode_GET_LENGTH(to) != 1 ||
                   PyUnicode_READ_CHAR(to, 0) > 255) {
            result = -1;
        } else {
            chars[start] = PyUnicode_READ_CHAR(to, 0);
            cls[start] = classes[chars[start]];
        }
    }
    Py_DECREF(edits);
    return result;
}

/* fold_simply's pass over a text: the folded characters into ``chars`` (room for
 * ``t.length``, with ``cls`` for their classes), their count returned; -1 where the stages
 * must run instead, -2 on an error. A character beyond Latin-1 folds to a space where
 * ``wide`` keeps it (a symbol), else the stages run. Where letters may be spaced apart or
 * leet may be, the stages run too, unless ``spaced`` and ``leet`` are given (else NULL):
 * they are asked. Given ``firsts`` and ``ends`` (room for ``t.length`` each), each folded
 * character's span of the text, [first, end), is put there. */
/* One character of fold_pass's first loop: ``to`` (what it folds to) put at ``n``. */
#define FOLD_PUT(to, at)                                                                      \
    do {                                                                                      \
        if ((to) == ' ' && n >= 2 && chars[n - 1] == ' ' && chars[n - 2] == ' ') {           \
            /* Runs of spaces are kept at two (a wide gap) before letters spaced apart are    \
             * looked for, as _fold_base keeps them; the second spans the rest. */            \
            if (firsts != NULL)                                                               \
                ends[n - 1] = (at) + 1;                                                       \
        } else if ((to) != 0) {                                                               \
            if (firsts != NULL) {                                                             \
                firsts[n] = (at);                                                             \
                ends[n] = (at) + 1;                                                           \
            }                                                                                 \
            chars[n] = (to);                                                                  \
            seen |= class_bits[cls[n++] = classes[to]];                                       \
        }                                                                                     \
    } while (0)

static Py_ssize_t
fold_pass(Text t, const unsigned char *fold, const unsigned char *classes, PyObject *wide,
          PyObject *spaced, PyObject *leet, Py_UCS4 *chars, unsigned char *cls,
          long long *firsts, long long *ends)
{
    Py_ssize_t n = 0;
    unsigned short seen = 0; /* the class_bits of every class put, OR-ed */
    if (t.kind == PyUnicode_1BYTE_KIND && firsts == NULL) {
        /* Most texts: a byte a character, no dict, no spans. Each character is written and
         * counted only if kept (no branch to mispredict at every word's end): not a NUL,
         * and not a third space in a row. */
        const unsigned char *bytes = t.data;
        int spaces = 0; /* spaces kept just before, in a row (at most 2) */
        /* Sixteen at once where the table keeps a to z and spaces, and the classes give
         * every letter one class (``letter``): each of 16 such bytes is kept (no third
         * space in a row), as a letter or a space. */
#if SIXTEEN_AT_ONCE
        unsigned char letter = classes['a'];
        int at_once = keeps_letters(fold, 0) && memcmp(classes + 'a', classes + 'b', 25) == 0;
#endif
        Py_ssize_t at = 0;
        while (at < t.length) {
            Py_ssize_t stop = t.length;
#if SIXTEEN_AT_ONCE
            if (at_once && at + SIXTEEN <= t.length) {
                __m128i lowered, space;
                if (letters_and_spaces(bytes + at, 0, spaces < 2, &lowered, &space)) {
                    int space_bits = _mm_movemask_epi8(space);
                    __m128i gap = _mm_set1_epi8((char)classes[' ']);
                    __m128i c = _mm_or_si128(_mm_and_si128(space, gap),
                                             _mm_andnot_si128(space, _mm_set1_epi8((char)letter)));
                    widen(chars + n, lowered);
                    _mm_storeu_si128((__m128i *)(cls + n), c);
                    seen |= class_bits[letter] | (space_bits ? class_bits[classes[' ']] : 0);
                    /* no two spaces side by side: a space last is the only one in a row */
                    spaces = space_bits & 0x8000 ? 1 : 0;
                    n += SIXTEEN;
                    at += SIXTEEN;
                    continue;
                }
                stop = at + SIXTEEN;
            }
#endif
            for (; at < stop; at++) {
                unsigned char to = fold[bytes[at]];
                if (to == 1)
                    return -1;
                unsigned char c = classes[to];
                chars[n] = to;
                cls[n] = c;
                int space = to == ' ', kept = to != 0 && !(space && spaces == 2);
                seen |= kept ? class_bits[c] : 0;
                spaces = kept ? (space ? spaces + (spaces < 2) : 0) : spaces;
                n += kept;
            }
        }
    } else if (t.kind == PyUnicode_1BYTE_KIND) {
        const unsigned char *bytes = t.data;
        for (Py_ssize_t at = 0; at < t.length; at++) {
            unsigned char to = fold[bytes[at]];
            if (to == 1)
                return -1;
            FOLD_PUT(to, at);
        }
    } else {
        for (Py_ssize_t at = 0; at < t.length; at++) {
            Py_UCS4 ch = AT(t, at);
            unsigned char to;
            if (ch < 256) {
                to = fold[ch];
                if (to == 1)
                    return -1;
            } else {
                long kept = wide_char(wide, ch);
                if (kept == -2)
                    return -2;
                if (kept != (long)ch)
                    return -1;
                to = ' ';
            }
            FOLD_PUT(to, at);
        }
    }
    if (spaced_possible(cls, n)) {
        /* Letters spaced apart need the stages; the stage itself says whether there are. */
        if (spaced == NULL)
            return -1;
        PyObject *edits = stage_edits(spaced, chars, cls, n);
        if (edits == NULL)
            return -2;
        Py_ssize_t found = PyList_GET_SIZE(edits);
        Py_DECREF(edits);
        if (found)
            return -1;
    }
    /* The passes below change nothing in a text without the classes they act on. */
    if (seen & K_QUOTE) {
        Py_ssize_t kept = 0; /* apostrophes dropped */
        for (Py_ssize_t at = 0; at < n; at++) {
            if (cls[at] != '\'') {
                if (firsts != NULL) {
                    firsts[kept] = firsts[at];
                    ends[kept] = ends[at];
                }
                chars[kept] = chars[at];
                cls[kept++] = cls[at];
            }
        }
        n = kept;
    }
    if (seen & (K_DASH | K_DOT))
        n = joined(chars, cls, firsts, ends, n);
    if ((seen & LEET_MARK) && leet_possible(chars, cls, n)) {
        /* Leet edits are a character for a character: each keeps its span. */
        Py_ssize_t made = leet == NULL ? -1 : leet_in_place(leet, chars, cls, n, classes);
        if (made < 0)
            return made;
    }
    return squeezed(chars, n, 1, firsts, ends);
}

/* The arguments every pass below takes: (text: str, table: bytes[256], [classes:
 * bytes[256],] wide: dict[, stage, ...]), ``tables`` of them being tables, and ``stages``
 * Python functions after them that a pass may be given or not. */
static int
pass_arguments(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t tables, Py_ssize_t stages,
               const char *usage)
{
    int fine = (nargs == tables + 2 || nargs == tables + 2 + stages) &&
               PyUnicode_Check(args[0]) && PyDict_CheckExact(args[tables + 1]);
    for (Py_ssize_t i = 1; fine && i <= tables; i++)
        fine = PyBytes_Check(args[i]) && PyBytes_GET_SIZE(args[i]) == 256;
    for (Py_ssize_t i = tables + 2; fine && i < nargs; i++)
        fine = PyCallable_Check(args[i]);
    if (!fine)
        PyErr_SetString(PyExc_TypeError, usage);
    return fine ? 0 : -1;
}

/* Room for ``length`` characters (Py_UCS4), their classes, and (where ``origins``) their
 * spans; one block, freed with pass_free. */
static int
pass_room(Py_ssize_t length, int origins, Py_UCS4 **chars, unsigned char **cls,
          long long **firsts, long long **ends)
{
    size_t each = sizeof(Py_UCS4) + 1 + (origins ? 2 * sizeof(long long) : 0);
    if ((size_t)length > (PY_SSIZE_T_MAX - 16) / each) {
        PyErr_NoMemory();
        return -1;
    }
    char *block = PyMem_Malloc(each * (size_t)length + 16);
    if (block == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* The spans first, then the characters, then the classes: each array aligned. */
    *firsts = origins ? (long long *)block : NULL;
    *ends = origins ? *firsts + length : NULL;
    *chars = (Py_UCS4 *)(origins ? (char *)(*ends + length) : block);
    *cls = (unsigned char *)(*chars + length);
    return 0;
}

static void
pass_free(Py_UCS4 *chars, long long *firsts)
{
    PyMem_Free(firsts != NULL ? (void *)firsts : (void *)chars);
}

/* A pass's result: None (count -1), an error (-2), the text, or the text with its spans. */
static PyObject *
pass_result(Py_ssize_t count, const Py_UCS4 *chars, const long long *firsts,
            const long long *ends)
{
    if (count == -2)
        return NULL;
    if (count < 0)
        Py_RETURN_NONE;
    PyObject *text = text_of(chars, count);
    if (text == NULL || firsts == NULL)
        return text;
    return Py_BuildValue("(Ny#y#)", text, (const char *)firsts,
                         (Py_ssize_t)(count * sizeof(long long)), (const char *)ends,
                         (Py_ssize_t)(count * sizeof(long long)));
}

/* A pass: given a text (and the call's ``nargs`` arguments: its tables, ``wide`` and any
 * stages), its characters into ``chars`` (with ``cls`` for their classes, and each one's
 * span where ``firsts`` is not NULL), their count returned; -1 for None, -2 on an error. */
typedef Py_ssize_t (*Pass)(Text t, PyObject *const *args, Py_ssize_t nargs, Py_UCS4 *chars,
                           unsigned char *cls, long long *firsts, long long *ends);

/* A call of a pass: its arguments checked (``tables`` tables between the text and
 * ``wide``, then ``stages`` functions or none), room made, the pass run and its result
 * made. */
static PyObject *
call_pass(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t tables, Py_ssize_t stages,
          const char *usage, int origins, Pass pass)
{
    if (pass_arguments(args, nargs, tables, stages, usage) < 0)
        return NULL;
    Text t = {PyUnicode_KIND(args[0]), PyUnicode_DATA(args[0]), PyUnicode_GET_LENGTH(args[0])};
    Py_UCS4 *chars;
    unsigned char *cls;
    long long *firsts, *ends;
    if (pass_room(t.length, origins, &chars, &cls, &firsts, &ends) < 0)
        return NULL;
    PyObject *made =
        pass_result(pass(t, args, nargs, chars, cls, firsts, ends), chars, firsts, ends);
    pass_free(chars, firsts);
    return made;
}

static Py_ssize_t
folding(Text t, PyObject *const *args, Py_ssize_t nargs, Py_UCS4 *chars, unsigned char *cls,
        long long *firsts, long long *ends)
{
    PyObject *spaced = nargs > 4 ? args[4] : NULL, *leet = nargs > 5 ? args[5] : NULL;
    return fold_pass(t, (const unsigned char *)PyBytes_AS_STRING(args[1]),
                     (const unsigned char *)PyBytes_AS_STRING(args[2]), args[3], spaced, leet,
                     chars, cls, firsts, ends);
}

/* The plain view's characters of a text: each mapped by ``table`` (Latin-1) or ``wide``
 * (beyond it), 0 dropping one; -1 where one needs the general route, -2 on an error.
 * With the spans (``firsts``), runs of spaces are made one and the ends trimmed too: the
 * plain view itself rather than its base. */
static Py_ssize_t
plain_mapping(Text t, PyObject *const *args, Py_ssize_t nargs, Py_UCS4 *chars,
              unsigned char *cls, long long *firsts, long long *ends)
{
    const unsigned char *table = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    Py_ssize_t count = 0;
    int changed = 0; /* the character before was one ``wide`` changes (a curly quote) */
    for (Py_ssize_t at = 0; at < t.length; at++) {
        Py_UCS4 ch = AT(t, at);
        long to = ch < 256 ? (table[ch] == 1 ? -1 : table[ch]) : wide_char(args[2], ch);
        if (to == 0 && changed)
            to = -1; /* the stages give a mark dropped after it to it: the general route */
        if (to < 0)
            return to;
        if (to != 0) {
            if (firsts != NULL) {
                firsts[count] = at;
                ends[count] = at + 1;
            }
            chars[count++] = (Py_UCS4)to;
        }
        changed = ch >= 256 && to > 0 && to != (long)ch;
    }
    return firsts != NULL ? squeezed(chars, count, 0, firsts, ends) : count;
}

#define FOLD_USAGE                                                                        \
    "(text: str, fold: bytes[256], classes: bytes[256], wide: dict[, spaced, leet])"
#define PLAIN_USAGE "(text: str, table: bytes[256], wide: dict)"

static PyObject *
fold_simply(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return call_pass(args, nargs, 2, 2, "fold_simply" FOLD_USAGE, 0, folding);
}

static PyObject *
fold_simply_origins(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return call_pass(args, nargs, 2, 2, "fold_simply_origins" FOLD_USAGE, 1, folding);
}

static PyObject *
plain_chars(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return call_pass(args, nargs, 1, 0, "plain_chars" PLAIN_USAGE, 0, plain_mapping);
}

static Py_ssize_t
plain_squeezed(Text t, PyObject *const *args, Py_ssize_t nargs, Py_UCS4 *chars,
               unsigned char *cls, long long *firsts, long long *ends)
{
    if (t.kind != PyUnicode_1BYTE_KIND) {
        Py_ssize_t count = plain_mapping(t, args, nargs, chars, cls, NULL, NULL);
        return count < 0 ? count : squeezed(chars, count, 0, NULL, NULL);
    }
    /* Latin-1 (most texts): mapped and squeezed in one loop, each character written and
     * counted only if kept, without a branch to mispredict at every word's end. */
    const unsigned char *table = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    const unsigned char *bytes = t.data;
    Py_ssize_t count = 0;
    unsigned char previous = ' '; /* the last kept; a space before the first trims the start */
    /* Sixteen at once where the table lowers letters and keeps spaces: each of 16 such
     * bytes is kept, unless the first is a space after one. */
#if SIXTEEN_AT_ONCE
    int at_once = keeps_letters(table, 1);
#endif
    Py_ssize_t at = 0;
    while (at < t.length) {
        Py_ssize_t stop = t.length;
#if SIXTEEN_AT_ONCE
        if (at_once && at + SIXTEEN <= t.length) {
            __m128i lowered, space;
            if (letters_and_spaces(bytes + at, 1, previous != ' ', &lowered, &space)) {
                widen(chars + count, lowered);
                count += SIXTEEN;
                previous = bytes[at + SIXTEEN - 1] | 0x20;
                at += SIXTEEN;
                continue;
            }
            stop = at + SIXTEEN;
        }
#endif
        for (; at < stop; at++) {
            unsigned char to = table[bytes[at]];
            if (to == 1)
                return -1;
            int kept = to != 0 && !(to == ' ' && previous == ' ');
            chars[count] = to;
            count += kept;
            previous = kept ? to : previous;
        }
    }
    return count > 0 && chars[count - 1] == ' ' ? count - 1 : count;
}

static PyObject *
plain_view(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return call_pass(args, nargs, 1, 0, "plain_view" PLAIN_USAGE, 0, plain_squeezed);
}

static PyObject *
plain_origins(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return call_pass(args, nargs, 1, 0, "plain_origins" PLAIN_USAGE, 1, plain_mapping);
}

/* --- the classifier's buckets ------------------------------------------------------ */

static uint32_t crc_table[256]; /* CRC-32 (zlib's polynomial, reflected), a byte at a time */

static inline uint32_t
crc_more(uint32_t crc, const unsigned char *data, Py_ssize_t size)
{
    crc = ~crc;
    for (Py_ssize_t i = 0; i < size; i++)
        crc = crc_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* Add ``crc & mask`` to ``set``: 0, or -1 with an error. */
static int
add_bucket(PyObject *set, uint32_t crc, uint32_t mask)
{
    PyObject *bucket = PyLong_FromUnsignedLong(crc & mask);
    int failed = bucket == NULL || PySet_Add(set, bucket) < 0;
    Py_XDECREF(bucket);
    return failed ? -1 : 0;
}

static PyObject *
buckets(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t given[3]; /* the word seed, the pair seed, the mask */
    if (nargs != 4 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError,
                        "buckets(words: list[bytes], word_seed: int, pair_seed: int, mask: int)");
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        unsigned long value = PyLong_AsUnsignedLong(args[i + 1]);
        if (value == (unsigned long)-1 && PyErr_Occurred())
            return NULL;
        if (value > 0xFFFFFFFFUL) {
            PyErr_SetString(PyExc_ValueError, "buckets: a seed or mask is 32 bits");
            return NULL;
        }
        given[i] = (uint32_t)value;
    }
    PyObject *words = args[0], *found = PyFrozenSet_New(NULL);
    if (found == NULL)
        return NULL;
    uint32_t previous = 0; /* the CRC of the word before and a space, from pair_seed */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (!PyBytes_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "buckets: a word is bytes");
            Py_DECREF(found);
            return NULL;
        }
        /* Held: a bytes object cannot change, but the list can lose it while a bucket is
         * added (an int's hash runs no Python code; held all the same). */
        Py_INCREF(word);
        const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(word);
        Py_ssize_t size = PyBytes_GET_SIZE(word);
        int failed = add_bucket(found, crc_more(given[0], data, size), given[2]) < 0 ||
                     (i > 0 && add_bucket(found, crc_more(previous, data, size), given[2]) < 0);
        previous = crc_more(crc_more(given[1], data, size), (const unsigned char *)" ", 1);
        Py_DECREF(word);
        if (failed) {
            Py_DECREF(found);
            return NULL;
        }
    }
    return found;
}

static PyMethodDef methods[] = {
    {"starts", starts, METH_O, "starts(text): where each run of letters starts."},
    {"symbols_inside_words", symbols_inside_words, METH_O,
     "symbols_inside_words(text): whether digits or symbols sit inside a word."},
    {"three_single_letters", three_single_letters, METH_O,
     "three_single_letters(words): whether three words in a row are one letter each."},
    {"may_be_spaced", may_be_spaced, METH_O,
     "may_be_spaced(classes): False where no letters spaced apart can be found."},
    {"letter_counts", (PyCFunction)(void (*)(void))letter_counts, METH_FASTCALL,
     "letter_counts(data, kinds, window, step): letters, rare ones, vowels, most rare."},
    {"pieces_in", (PyCFunction)(void (*)(void))pieces_in, METH_FASTCALL,
     "pieces_in(letters, fours, threes): whether a piece of four or three is there."},
    {"sentence_initials", sentence_initials, METH_O,
     "sentence_initials(text): the letters that begin its sentences."},
    {"capitals", capitals, METH_O,
     "capitals(text): its Latin-1 capitals, whether two of A-Z are side by side, its lines."},
    {"play_and_numbers", play_and_numbers, METH_O,
     "play_and_numbers(data): whether the gate's play and number patterns occur."},
    {"squeeze", squeeze, METH_O, "squeeze(text): ends trimmed, runs of spaces made one."},
    {"alnum_squeezed", alnum_squeezed, METH_O,
     "alnum_squeezed(data): its ASCII letters and digits, lower case, each run made one."},
    {"collapse_repeats", collapse_repeats, METH_O,
     "collapse_repeats(text): each run of one letter repeated made one letter."},
    {"fold_simply", (PyCFunction)(void (*)(void))fold_simply, METH_FASTCALL,
     "fold_simply(text, fold, classes, wide[, spaced, leet]): the folded view, no letters spaced."},
    {"fold_simply_origins", (PyCFunction)(void (*)(void))fold_simply_origins, METH_FASTCALL,
     "fold_simply_origins(text, fold, classes, wide[, spaced, leet]): and each one's span."},
    {"plain_chars", (PyCFunction)(void (*)(void))plain_chars, METH_FASTCALL,
     "plain_chars(text, table, wide): each character mapped as the plain view maps it."},
    {"plain_view", (PyCFunction)(void (*)(void))plain_view, METH_FASTCALL,
     "plain_view(text, table, wide): the plain view, where each character maps alone."},
    {"plain_origins", (PyCFunction)(void (*)(void))plain_origins, METH_FASTCALL,
     "plain_origins(text, table, wide): the plain view, and each character's span."},
    {"buckets", (PyCFunction)(void (*)(void))buckets, METH_FASTCALL,
     "buckets(words, word_seed, pair_seed, mask): the classifier's buckets of the words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_text", "Reading a message's text, in C.", -1, methods,
};

/* ``hash_seed`` from os.urandom; where that fails, from the clock and where this module
 * was loaded (less random, never an error: screening goes on). */
static void
seed_hash(void)
{
    PyObject *os = PyImport_ImportModule("os");
    PyObject *drawn = os == NULL ? NULL : PyObject_CallMethod(os, "urandom", "i", 8);
    Py_XDECREF(os);
    if (drawn != NULL && PyBytes_Check(drawn) && PyBytes_GET_SIZE(drawn) == 8)
        memcpy(&hash_seed, PyBytes_AS_STRING(drawn), 8);
    else
        hash_seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&hash_seed;
    Py_XDECREF(drawn);
    PyErr_Clear();
}

PyMODINIT_FUNC
PyInit__text(void)
{
    for (Py_UCS4 ch = 0; ch < 256; ch++) {
        latin1_letter[ch] = ch != '_' && Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch);
        trick_symbol[ch] = is_trick_symbol(ch);
        latin1_upper[ch] = Py_UNICODE_ISUPPER(ch) != 0;
        pn_class[ch] = ch >= 'a' && ch <= 'z'   ? PN_SMALL
                       : ch >= '0' && ch <= '9' ? PN_DIGIT
                       : (ch >= 'A' && ch <= 'Z') || ch == '_' ? PN_WORD
                                                                : PN_OTHER;
        capital_bits[ch] = (latin1_upper[ch] ? C_UPPER : 0) |
                           (ch >= 'A' && ch <= 'Z' ? C_ASCII : 0) | (ch == '\n' ? C_LINE : 0);
    }
    for (int c = 0; c < 256; c++)
        alnum_kept[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c
                        : c >= 'A' && c <= 'Z'                           ? c - 'A' + 'a'
                                                                         : 0;
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1 ? 0xEDB88320U ^ (crc >> 1) : crc >> 1;
        crc_table[byte] = crc;
    }
    if (PyType_Ready(&VocabularyType) < 0)
        return NULL;
    seed_hash();
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && (PyModule_AddStringConstant(made, "source", HOMEWARD_SOURCE) < 0 ||
                         PyModule_AddObjectRef(made, "Vocabulary", (PyObject *)&VocabularyType) < 0))
        Py_CLEAR(made);
    return made;
}
