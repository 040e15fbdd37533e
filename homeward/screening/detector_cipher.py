"""Cipher-like text, for the ``cipher`` detector (see detectors.py).

Three signals, cheapest first:

1. Letter statistics. Ordinary English and Spanish draw ~83% of their letters from
   "etaoinshrdlcu"; a shifted alphabet (ROT13, Caesar, Atbash) or random letters draw about
   half. Every message gets one bytes.translate to its letters and one bytes.count per
   window of 64 letters (overlapping by half). Only a window below the threshold is looked
   at word by word: a run of words that are not common English or Spanish words, with at
   least 12 letters, whose letters are unlikely under both languages' letter frequencies
   (log-likelihood ratio against uniform letters, in bits per letter), is cipher text.
2. Blobs: base64 and hex strings of 16 characters or more (found by the gate and a regex),
   kept when their make-up is not a word's: digits mixed in, case changes in the original,
   padding, or high entropy with unlikely letters.
3. Words written backwards ("tnuoc retfa thginot"): three or more nearby words that are
   common words reversed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import partial
from itertools import repeat

from homeward.screening import native

Span = tuple[int, int]

# Letter frequencies (percent) of English and Spanish prose.
_EN = dict(
    zip(
        "etaoinshrdlcumwfgypbvkjxqz",
        (
            12.7,
            9.1,
            8.2,
            7.5,
            7.0,
            6.7,
            6.3,
            6.1,
            6.0,
            4.3,
            4.0,
            2.8,
            2.8,
            2.4,
            2.4,
            2.2,
            2.0,
            2.0,
            1.9,
            1.5,
            1.0,
            0.8,
            0.15,
            0.15,
            0.1,
            0.07,
        ),
        strict=True,
    )
)
_ES = dict(
    zip(
        "eaosrnidlctumpbgvyqhfzjxkw",
        (
            13.7,
            12.5,
            8.7,
            8.0,
            6.9,
            6.7,
            6.3,
            5.9,
            5.0,
            4.7,
            4.6,
            3.9,
            3.2,
            2.5,
            1.4,
            1.0,
            0.9,
            0.9,
            0.9,
            0.7,
            0.7,
            0.5,
            0.4,
            0.2,
            0.05,
            0.05,
        ),
        strict=True,
    )
)


def _weights(freq: dict[str, float]) -> dict[str, float]:
    total = sum(freq.values())
    return {c: math.log2(f / total * 26) for c, f in freq.items()}


WEIGHTS = (_weights(_EN), _weights(_ES))
COMMON_LETTERS = "etaoinshrdlcu"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common words of both languages: a run of words containing none of them is unusual.
KNOWN_WORDS = _word_set(
    """
    a about after again all also always am an and any are around as ask at away baby back
    be because been before being best better big bill birthday book both boy brother but by
    call came can car card care check church class come coming could court cousin day days
    dad did didn do does doing don done down each early eat even ever every everyone family
    far feel few find fine first food for friday friend friends from fun game gave get gets
    getting girl give go god going gone good got great had happy hard has have he hear hello
    help her here hey hi him his home hope house how i if im in is it its job just keep kids
    kind know last late lawyer let life like little live long look lot love made make mama
    man many may me mean miss mom money monday month more morning most mother much must my
    name need never new next nice night no not now of off oh ok okay old on once one only or
    other our out over own paper party people phone please pray put read ready really rest
    right room said same saturday say school see send sent she should since sister so some
    someone something son soon still stay sunday sure take talk tell than thank thanks that
    the their them then there these they thing things think this those though thursday time
    to today told tomorrow tonight too took tuesday two up us very visit wait want was watch
    way we wednesday week weekend well went were what when where which while who why will
    wish with work would write year years yes yet you your yours
    count after before ready morning evening love hugs kisses xo xoxo xx lol lmk tbh smh idk
    brb omg btw ttyl ily imy nvm jk ty thx pls plz bc cuz rn hbd hmu fyi asap bff dm tmr tmrw
    ppl msg txt ur hmm mm shh grr pfft psst tv dvd dmv usa nyc nfl nba mlb gpa ged ps pm
    ahora al algo algún alguna allá allí amor año años antes aquí así aunque ayer bien bueno
    buenos cada casa cariño carta casi cerca como cómo con contigo cosa cosas creo cuando
    cuándo cuánto cuenta de decir del desde después dia día dias días dice dijo dinero donde
    dónde dos el él ella ellos en entre era eres es esa ese eso esta está estamos están
    estar estas estás este esto estoy familia fue gracias hablar hace hacer hasta hay hermano
    hermana hijo hija hijos hoy la las le les lo los luego mamá mañana mas más me mejor mes
    mi mí mis mucho muchos muy nada necesito ni niños no noche nos nosotros nuestra nuestro
    nuevo o otra otro papá para pero poco por porque pronto puedo pues que qué quiero se sé
    semana si sí siempre sin sobre son soy su sus también tan tanto te tengo tenemos ti
    tiempo tiene todo todos trabajo tu tú tus un una uno unos usted va vamos ver vez voy y ya
    yo q xq pq tb tmb bn dnd tqm tkm ntp xfa bss jaja jajaja jeje
    """
)

# --- letters as bytes --------------------------------------------------------------------

# Latin-1 letters stay (accents folded: é→e, ñ→n); everything else, and every character
# outside Latin-1 (encoded as "?"), is deleted.
_LATIN1_LETTERS = [c for c in range(256) if chr(c).isalpha()]
_DELETE = bytes(c for c in range(256) if c not in _LATIN1_LETTERS)


def _base(code: int) -> int:
    base = unicodedata.normalize("NFKD", chr(code))[0].lower()
    return ord(base) if "a" <= base <= "z" else ord("x")


_FOLD = bytes(_base(c) if c in _LATIN1_LETTERS else c for c in range(256))
_IS_RARE = bytes(0 if chr(c) in COMMON_LETTERS else 1 for c in range(256))
_IS_LETTER = bytes(1 if c in _LATIN1_LETTERS else 0 for c in range(256))
# _FOLD then _IS_RARE in one table: a text's letters straight to their rare-letter flags.
_RARE_OF = bytes(_IS_RARE[_FOLD[c]] for c in range(256))

WINDOW, STEP = 64, 48
# Below this share of common letters a window of 64 letters is looked at word by word: about
# 1 in 700 windows of ordinary English or Spanish is (and the word-level pass then finds
# nothing); ROT13, Atbash and base64 drop to about half. A short message is one window,
# cheap to look at, so it gets a looser limit and a second test, few vowels (leetspeak can
# hide the rare letters of a code, "zrr9 n9 9ur", but not bring back its vowels).
FEW_COMMON = 0.68
FEW_COMMON_SHORT, FEW_VOWELS_SHORT = 0.72, 0.30
MIN_LETTERS = 12
_TOKEN = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: "zrr9" is one (leetspeak) word


def _letters(text: str) -> str:
    return text.encode("latin-1", "replace").translate(_FOLD, _DELETE).decode("latin-1")


def letter_score(letters: str) -> float:
    """Bits per letter by which the likelier of English and Spanish beats random letters
    (positive: reads like a language; negative: does not)."""
    counts = Counter(letters)
    n = sum(counts.values()) or 1
    return max(sum(w.get(c, -4.0) * k for c, k in counts.items()) / n for w in WEIGHTS)


# --- 1. letter statistics ----------------------------------------------------------------


# Each Latin-1 byte's kind, for letter_counts: not a letter, a common letter, a rare one, or
# a vowel (accents folded: "é" is one).
NOT_A_LETTER, COMMON, RARE, VOWEL = 0, 1, 2, 3
_KINDS = bytes(
    NOT_A_LETTER
    if c not in _LATIN1_LETTERS
    else VOWEL
    if _FOLD[c] in b"aeiou"
    else RARE
    if _RARE_OF[c]
    else COMMON
    for c in range(256)
)


def letter_counts(data: bytes, kinds: bytes, window: int, step: int) -> tuple[int, int, int, int]:
    """The letters of ``data`` (a text as Latin-1), how many are rare, how many are vowels,
    and the most rare letters in a window of ``window`` letters, the windows ``step`` apart
    and the last one ending at the last letter (0 when there are at most ``window + step``
    letters): ``kinds`` says what each byte is. ``native/_text.c`` does the same in C,
    which is used when it is built."""
    letters = data.translate(kinds).translate(None, bytes([NOT_A_LETTER]))
    n = len(letters)
    most = 0
    if n > window + step:
        starts = [*range(0, n - window, step), n - window]
        ends = [*range(window, n, step), n]
        most = max(map(letters.count, repeat(RARE, len(starts)), starts, ends))
    return n, letters.count(RARE), letters.count(VOWEL), most


_letter_counts: Callable[[bytes, bytes, int, int], tuple[int, int, int, int]] = (
    native.function("_text", "letter_counts") or letter_counts
)


def cipher_spans(plain: str) -> list[Span]:
    data = plain.encode("latin-1", "replace")
    n, rare, vowels, most = _letter_counts(data, _KINDS, WINDOW, STEP)
    if n < MIN_LETTERS:
        return []
    if n <= WINDOW + STEP:
        # One window, so two tests are cheap: few common letters, or few vowels.
        if rare <= (1 - FEW_COMMON_SHORT) * n and vowels >= FEW_VOWELS_SHORT * n:
            return []
        suspicious = [(0, n)]
    else:
        most_rare = (1 - FEW_COMMON) * WINDOW
        if most <= most_rare:
            return []
        # A window is odd (one message in hundreds): which ones.
        flags = data.translate(_RARE_OF, _DELETE)  # one per letter, 1 where it is rare
        starts = [*range(0, n - WINDOW, STEP), n - WINDOW]
        ends = [*range(WINDOW, n, STEP), n]
        counts = map(flags.count, repeat(1, len(starts)), starts, ends)
        suspicious = [(i, i + WINDOW) for i, k in zip(starts, counts, strict=True) if k > most_rare]
    is_letter = data.translate(_IS_LETTER)
    spans: list[Span] = []
    for i, j in _merge_windows(suspicious):
        # Half a window more on each side: a run that began before the window is whole.
        start = _char_of_letter(is_letter, i - WINDOW // 2)
        end = _char_of_letter(is_letter, j + WINDOW // 2)
        spans.extend(_odd_runs(plain, start, end))
    return spans


def _merge_windows(windows: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for i, j in windows:
        if merged and i <= merged[-1][1]:
            merged[-1] = (merged[-1][0], j)
        else:
            merged.append((i, j))
    return merged


def _char_of_letter(is_letter: bytes, k: int) -> int:
    """The character index of the k-th letter (binary search on prefix counts)."""
    k = max(0, min(k, is_letter.count(1)))
    lo, hi = 0, len(is_letter)
    while lo < hi:
        mid = (lo + hi) // 2
        if is_letter.count(1, 0, mid) < k:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _odd_runs(plain: str, start: int, end: int) -> list[Span]:
    """Runs of uncommon words between ``start`` and ``end`` (widened to whole words) whose
    letters do not read like English or Spanish."""
    start = plain.rfind(" ", 0, start) + 1
    space = plain.find(" ", end)
    end = len(plain) if space < 0 else space
    # The words found once: a span is where its words are (finding them again for each run
    # made 100,000 characters of random words take seconds).
    matches = list(_WORD.finditer(plain, start, end))
    words = [m.group() for m in matches]
    breaks = [(len(w) > 1 and w in KNOWN_WORDS) or w.isdigit() for w in words]
    spans = []
    first = 0
    for index, is_break in enumerate([*breaks, True]):
        if not is_break:
            continue
        run = words[first:index]
        if sum(map(len, run)) >= MIN_LETTERS:
            # A real word at either end ("Decode: zrrg ng gur") is not part of the code.
            lo, hi = 0, len(run)
            while lo < hi and _wordlike(run[lo]):
                lo += 1
            while hi > lo and _wordlike(run[hi - 1]):
                hi -= 1
            if lo < hi and is_cipher([_letters(word) for word in run[lo:hi]]):
                spans.append((matches[first + lo].start(), matches[first + hi - 1].end()))
        first = index + 1
    return spans


_REPEATS = re.compile(r"(.)\1+")


def vowel_share(letters: str) -> float:
    return sum(map(letters.count, "aeiouy")) / (len(letters) or 1)


def _wordlike(word: str) -> bool:
    letters = _letters(word)
    return len(letters) >= 4 and vowel_share(letters) >= 0.3 and letter_score(letters) >= 0.3


def is_cipher(words: list[str]) -> bool:
    """Whether a run of words (digits of leetspeak kept) is code rather than words: too few
    vowels for English or Spanish, many letter pairs neither language uses, or unlikely
    letters with few vowels and some odd pairs. Repeated letters count once ("birthdayyyy")."""
    words = [_REPEATS.sub(r"\1", word) for word in words]
    if sum(map(len, words)) < MIN_LETTERS:
        return False
    letters = _letters("".join(words))
    if not letters:
        return False
    vowels, odd = vowel_share(letters), odd_pairs(words)
    if vowels < 0.18 or odd >= 0.3:
        return True
    return vowels < 0.3 and odd >= 0.1 and letter_score(letters) < -0.25


# Letter pairs (inside a word) that everyday English and Spanish almost never use, counted
# from licence texts, Django's English and Spanish messages and ordinary family messages.
RARE_PAIRS = _word_set(
    """
    aa ao bb bc bd bg bh bk bn bq bv bw bx bz cb cd cg cj cm cn cp cv cw cx cz dc dh dk dq dx
    dz fb fc fd fg fh fj fk fm fn fp fq fv fw fx fz gc gd gj gk gq gv gw gx gy gz hc hf hg hh
    hj hk hp hq hv hx hz ih iw iy jb jc jd jf jg jh jj jk jl jm jn jq jr jt jv jw jx jy jz kc
    kd kg kj kk kp kq kr kt kv kw kx kz lh lj ln lq lx lz md mf mg mh mj mk mq mt mw mx mz nb
    nh nq nw nx pb pf pj pq pw px pz qa qb qc qd qe qf qg qh qi qj qk ql qm qn qo qp qq qr qs
    qt qv qw qx qy qz rh rj rx sb sj sv sx sz tg tj tk tq tv tx tz uh uk uq uw vb vc vd vf vg
    vh vj vk vl vm vn vp vq vr vs vt vv vw vx vz wc wd wf wg wj wk wp wq wt wu wv wx wz xb xd
    xf xg xj xk xl xn xq xr xs xu xv xw xx xz yf yh yj yk yq yv yw yx zb zd zf zg zh zj zk zl
    zm zn zp zq zr zs zt zv zw zx zy
    """
)


def odd_pairs(words: list[str]) -> float:
    """The share of letter pairs inside these words that are in RARE_PAIRS."""
    pairs = [a + b for word in words for a, b in zip(word, word[1:], strict=False)]
    return sum(pair in RARE_PAIRS for pair in pairs) / (len(pairs) or 1)


# --- 2. base64 and hex blobs -------------------------------------------------------------

# A blob mixes letters and digits: a letter between digits or a digit between letters.
# (Letters alone are left to the letter statistics; the gate stays cheap.)
BLOB_GATE = r"[a-z][0-9]+[a-z]|[0-9][a-z]+[0-9]"
_MIXED = re.compile(BLOB_GATE)
# The first character, then the look-behind: a pattern that starts with a look-behind is
# tried at every position.
BLOB = re.compile(r"[a-z0-9+/_-](?<![\w+/=-].)[a-z0-9+/_-]{15,}={0,2}(?![\w+/=-])")
_HEX = re.compile(r"[0-9a-f]+")
_PARTS = re.compile(r"[+/_-]")


def entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def blob_spans(plain: str, original: Callable[[Span], str]) -> list[Span]:
    # A blob has no spaces: without a word of 16 characters there is none, and splitting
    # is five times cheaper than BLOB's scan (which tries every letter of the text).
    if max(map(len, plain.split()), default=0) < 16:
        return []
    return [
        m.span() for m in BLOB.finditer(plain) if _is_blob(m.group(), partial(original, m.span()))
    ]


def _is_blob(blob: str, original: Callable[[], str]) -> bool:
    core = blob.rstrip("=")
    if not _MIXED.search(core):
        return False
    digits = sum(c.isdigit() for c in core)
    letters = sum(c.isalpha() for c in core)
    if digits == len(core):
        return False  # a number: the digits detector's
    if _HEX.fullmatch(core) and (digits >= 2 or letters == len(core)):
        return True
    if digits == 0 and all(
        len(part) < 2 or part in KNOWN_WORDS or letter_score(part) >= 0
        for part in _PARTS.split(core)
    ):
        return False  # words joined up: "and/or", "mother-in-law"
    spread = entropy(core)
    if blob.endswith("=") and spread >= 3.0:
        return True
    if digits >= 2 and letters >= 4 and spread >= 3.2:
        return True
    text = original()
    upper = sum(c.isupper() for c in text[1:])
    if upper >= 2 and letters - upper >= 2 and spread >= 3.2:
        return True
    return spread >= 3.2 and letter_score(_letters(core)) < -0.3


# --- 3. words written backwards ----------------------------------------------------------

_BACKWARDS = (
    "eht dna uoy rof taht htiw ruoy siht tub ton nac lliw tsuj tuoba retfa erofeb "
    "thginot yadot worromot emoh evol euq rop arap anu sadot odot ecah"
)
REVERSED_GATE = r"\b(" + _BACKWARDS.replace(" ", "|") + r")\b"


def reversed_spans(plain: str) -> list[Span]:
    """Three or more words spelled backwards, each at most two words from the next."""
    tokens = list(_TOKEN.finditer(plain))
    flagged = [
        i
        for i, t in enumerate(tokens)
        if len(t.group()) > 1 and t.group() not in KNOWN_WORDS and t.group()[::-1] in KNOWN_WORDS
    ]
    spans: list[Span] = []
    group: list[int] = []
    for i in flagged + [10**9]:
        if group and i - group[-1] > 3:
            if len(group) >= 3:
                spans.append((tokens[group[0]].start(), tokens[group[-1]].end()))
            group = []
        group.append(i)
    return spans
