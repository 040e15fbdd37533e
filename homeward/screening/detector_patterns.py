"""The exact patterns of the detectors (see detectors.py), each a finder that returns spans
of one view's text. All run on the plain view (lower case, invisibles removed, one space
between words); street addresses also run on the folded view, where "M4pl3 Αvе" is
"maple ave". Every finder is linear in the text: no pattern can backtrack badly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from homeward.screening.normalize import fold

Span = tuple[int, int]
Original = Callable[[Span], str]  # the original text behind a span of the view

# A digit, perhaps with accents piled on it ("7\u0301"): the plain view keeps combining marks.
D = "[0-9][\u0300-\u036f]*"
_MARKS = re.compile("[\u0300-\u036f]+")

# --- long digit strings and number codes -------------------------------------------------

# Patterns start with the character they need and look behind it after: a pattern that
# starts with a look-behind is tried at every position, five times slower.
_NUMBER_START = r"[0-9](?<![\w$£€.,:/-][0-9])[\u0300-\u036f]*"
DIGIT_RUN = re.compile(rf"{_NUMBER_START}(?:[ ./-]{{0,3}}{D}){{6,}}(?![\w%]|[.,:/-]?[0-9])")
NUMBER_CODE = re.compile(
    rf"{_NUMBER_START}{D}?(?:[ /,.-]{{1,3}}{D}{D}?){{5,}}(?![\w%]|[.,:/-]?[0-9])"
)
NOT_CODE = re.compile(
    r"[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}"  # 2024-12-25
    r"|[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{2,4}"  # 12-25-2024, 12/25/24
    r"|[0-9]{1,3}(?:\.[0-9]{3})+"  # 1.500.000 (pesos)
    r"|[0-9]+\.[0-9]{1,2}"  # 1234567.50
    r"|(?:(?:19|20)[0-9]{2}[ -]?)+"  # 2019 2020 2021
)
_MONEY_AFTER = re.compile(r" ?(?:dollars|bucks|usd|pesos|dlls|dólares|dolares)\b")
# A number said to be a receipt's, a parcel's or a case's: "confirmation number 8843-221-07",
# "el número de rastreo es", "MTCN" (a money transfer's control number), read in the 40
# characters before it.
_LABELLED = re.compile(
    r"(?:\b(?:confirmation|tracking|receipt|docket|mtcn)(?: ?(?:number|no\.?|num|#|code))?"
    r"|\b(?:reference|order|case|ticket|booking) ?(?:number|no\.?|num|#)"
    r"|\bn[uú]mero de (?:confirmaci[oó]n|rastreo|referencia|caso|orden|gu[ií]a|recibo)"
    r"|\bfolio)(?: (?:is|es|was|era))?[ :#.]*$"
)


def _digits_of(text: str) -> str:
    return re.sub("[^0-9]", "", text)


# A round number or one digit over and over: "I love you 1000000000 times", "99999999".
_ROUND = re.compile(r"[1-9]0+|([0-9])\1+")


def digits(text: str) -> list[Span]:
    spans = []
    for m in DIGIT_RUN.finditer(text):
        if NOT_CODE.fullmatch(_MARKS.sub("", m.group())) or _MONEY_AFTER.match(text, m.end()):
            continue
        if _LABELLED.search(text, max(0, m.start() - 40), m.start()) and not _letters(m.group()):
            continue
        if _ROUND.fullmatch(_digits_of(m.group())):
            continue
        spans.append(m.span())
    for m in NUMBER_CODE.finditer(text):
        if _letters(m.group()):
            spans.append(m.span())
    return spans


def _letters(group: str) -> bool:
    """Whether every number of a group could be a letter by its place (19 5 14 4)."""
    return all(1 <= int(n) <= 26 for n in re.findall("[0-9]+", _MARKS.sub("", group)))


# --- phone numbers -----------------------------------------------------------------------

_S = "[ .-]"
PHONE = re.compile(
    r"(?=[+(0-9])(?<![\w+$/.,:-])(?:"
    rf"(?:\+?1{_S}?)?(?:\((?:{D}){{3}}\) ?|(?:{D}){{3}}{_S}?)(?:{D}){{3}}{_S}?(?:{D}){{4}}"
    rf"|\+[2-9][0-9]{{0,2}}{_S}?{D}(?:{_S}?{D}){{6,11}}"  # international
    rf"|(?:{D}){{3}}{_S}(?:{D}){{4}}"  # local: 555-0142
    r")(?![\w/]|[.,:-][0-9])"
)
NUMBER_WORDS = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|"
    "cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
)
SPELLED_PHONE = re.compile(
    rf"\b(?:{NUMBER_WORDS}|[0-9])(?:[ ,.-]{{1,3}}(?:{NUMBER_WORDS}|[0-9])\b){{6,10}}"
    r"(?![ ,.-]*[0-9])"
)
_DIGIT_OF = {
    w: str(i % 10) for i, w in enumerate(NUMBER_WORDS.split("|")[:1] + NUMBER_WORDS.split("|")[2:])
}
_DIGIT_OF["oh"] = "0"


PHONE_KINDS = frozenset({"dialled", "runs", "spelled"})


def phones(text: str, kinds: Collection[str] = PHONE_KINDS) -> list[Span]:
    """Phone numbers; ``kinds``: which of "dialled" (the usual ways of writing one), "runs"
    (digits spaced or dotted apart) and "spelled" to look for (the gates say which can be
    there)."""
    spans = []
    if "dialled" in kinds:
        spans = [m.span() for m in PHONE.finditer(text) if _dialable(m.group())]
    if "runs" in kinds:
        spans.extend(_digit_runs(text))
    if "spelled" in kinds:
        spans.extend(_spelled(text))
    return spans


def _digit_runs(text: str) -> list[Span]:
    spans = []
    # Digits spaced or dotted apart ("5 5 5 - 0 1 4 2") in a phone number's count.
    for m in DIGIT_RUN.finditer(text):
        found, run = _digits_of(m.group()), _MARKS.sub("", m.group())
        # Seven digits in a row is just a number ("1234567 dollars"); spaced apart, or ten
        # or eleven of them, it is dialled.
        phone_like = len(found) in (10, 11) if len(found) == len(run) else len(found) in (7, 10, 11)
        if len(found) == 11 and found[0] != "1":
            phone_like = False
        phone_like = phone_like and _dialable(found)
        if phone_like and not NOT_CODE.fullmatch(run) and not _MONEY_AFTER.match(text, m.end()):
            spans.append(m.span())
    return spans


def _dialable(number: str) -> bool:
    """Whether ten digits (or eleven after a 1) could be a North American number: no area
    code begins with 0 or 1, so "1000000000" (a child's "I love you a billion") is not one.
    Numbers given with a country code other than +1 are not judged here."""
    if number.startswith("+") and not number.startswith("+1"):
        return True
    found = _digits_of(_MARKS.sub("", number))
    if len(found) == 11 and found[0] == "1":
        found = found[1:]
    return len(found) != 10 or found[0] not in "01"


def _spelled(text: str) -> list[Span]:
    spans = []
    for m in SPELLED_PHONE.finditer(text):
        words = re.findall("[a-z]+|[0-9]", m.group())
        number = "".join(_DIGIT_OF.get(w, w) for w in words)
        # Three or more spelled out ("5 5 5 0 1 4 2" alone is the case above), and not a
        # child counting ("one two three four five six seven").
        if sum(w.isalpha() for w in words) >= 3 and not _is_counting(number):
            spans.append(m.span())
    return spans


def _is_counting(number: str) -> bool:
    return all((int(b) - int(a)) % 10 == 1 for a, b in zip(number, number[1:], strict=False))


# --- street addresses --------------------------------------------------------------------

SUFFIXES = (
    "street st avenue ave av road rd boulevard blvd dr ln ct pl ter parkway pkwy highway hwy "
    "cir trl sq rte aly"
)
# Street words that are also everyday words ("a 5 minute drive"): only Title Case counts.
AMBIGUOUS = "drive way court place lane circle square trail route terrace plaza loop row"
# Words that are not part of a street name: "2 kids in the way", "3 more miles down the road".
STOP = (
    "a an the and or of in on at to for by with from my your his her our their this that is "
    "are was were be i you he she we they it me him us them more less way ways one time times "
    "min mins minute minutes hour hours hr hrs day days week weeks month months year years "
    "mile miles block blocks dollar dollars bucks kid kids people other whole long big little "
    "step steps lane lanes dog dogs cat cats car cars guy guys"
)
UNITS = "apt apartment unit suite ste lot room rm fl floor depto dpto int interior piso"
STREETS_ES = (
    "calle c/ avenida avda av. carrera cra calzada callejon callejón privada bulevar diagonal "
    "transversal carretera"
)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _words(words: str, view: Callable[[str], str]) -> str:
    return "|".join(sorted({re.escape(view(w)) for w in words.split()}, key=len, reverse=True))


class AddressPatterns:
    """The address patterns for one view: keywords go through that view's folding, so the
    folded view's "stret" (street, repeats collapsed) is still a street."""

    def __init__(self, view: Callable[[str], str]) -> None:
        unit = rf"(?:,? ?(?:{_words(UNITS, view)}|#)\.? ?#? ?[a-z0-9-]{{1,6}}\b)?"
        number = r"[0-9](?:[-.]?[0-9]){0,5}"
        self.english = re.compile(
            # The digit comes first, the look-behind after it: a pattern that starts with a
            # character class is only tried where that character is (five times faster).
            rf"[0-9](?<![\w#$.,/:-][0-9])(?:[-.]?[0-9]){{0,5}}[a-z]?(?:-[0-9]{{1,4}})? "
            r"(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.? )?"
            rf"(?P<name>(?:(?!(?:{_words(STOP, view)})\b)[a-z0-9][\w'.-]{{0,30}} ){{0,3}}?)"
            rf"(?:(?P<street>{_words(SUFFIXES, view)})|(?P<ambiguous>{_words(AMBIGUOUS, view)}))"
            rf"\b\.?{unit}"
        )
        self.spanish = re.compile(
            rf"(?<!\w)(?:{_words(STREETS_ES, view)}) ?"
            r"(?P<name>(?:[^\W\d][\w'.-]{0,30} ){0,3}?)"
            rf"(?P<marker>#|n[oº°]\.?|num\.?|n[uú]mero )? ?{number}[a-z]?"
            r"(?P<more>(?: ?(?:#|-|n[oº°]\.?) ?[0-9]{1,5}[a-z]?)*)" + unit
        )
        self.po_box = re.compile(r"\bp\.? ?o\.? ?box ?#? ?[0-9]+|\bapartado (?:postal )?[0-9]+")

    def find(self, text: str, original: Original) -> list[Span]:
        spans = [m.span() for m in self.po_box.finditer(text)]
        for m in self.english.finditer(text):
            if m.group("ambiguous"):
                words = original(m.span("name")).split() + [original(m.span("ambiguous"))]
                if not all(w[:1].isupper() for w in words):
                    continue
            spans.append(m.span())
        for m in self.spanish.finditer(text):
            # "la calle 2 horas" is not an address; "Calle Olmo 4415", "Calle 5 #23" are.
            if m.group("name") or m.group("marker") or m.group("more"):
                spans.append(m.span())
        return spans


PLAIN_ADDRESSES = AddressPatterns(lambda word: word)
FOLDED_ADDRESSES = AddressPatterns(fold)

# --- email, web addresses and handles ----------------------------------------------------

EMAIL = re.compile(
    r"(?=[a-z0-9])(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+")
# A domain is found from its dot and top-level domain; the host before it is read back.
DOMAIN_END = re.compile(r"\.(?P<tld>[a-z]{2,10})(?![\w-])(?P<path>/[^\s<>\"']*)?")
HOST_BACKWARDS = re.compile(r"[a-z0-9.-]{1,253}")
HANDLE = re.compile(r"@(?<![\w.@]@)[a-z0-9_][a-z0-9_.]{2,29}\b")
TLDS = _word_set(
    "com net org info biz gov edu io app xyz ly gg tv site online store shop link live club "
    "top icu vip ru cn onion page dev"
)
# Country codes that are also words ("you.me", "todo.es"): a domain only with a path, a
# subdomain or a known host.
WORD_TLDS = _word_set(
    "me co us es mx ca uk de it in is to so do no at be am my la im tk cc ws nu gt sv hn pe "
    "cl ar pr ph fm ai"
)
KNOWN_HOSTS = _word_set("paypal.me t.me wa.me cash.me venmo.me")
_END_PUNCTUATION = ".,;:!?"


def emails(text: str) -> list[Span]:
    return [m.span() for m in EMAIL.finditer(text)]


def urls(text: str) -> list[Span]:
    """Web addresses, bare domains ("bit.ly/x", "example.com") and @handles."""
    spans = []
    for m in URL.finditer(text):
        spans.append((m.start(), m.start() + len(m.group().rstrip(_END_PUNCTUATION))))
    for m in DOMAIN_END.finditer(text):
        tld = m.group("tld")
        if tld not in TLDS and tld not in WORD_TLDS:
            continue
        before = HOST_BACKWARDS.match(text[max(0, m.start() - 253) : m.start()][::-1])
        if before is None:
            continue
        start = m.start() - len(before.group().rstrip(".-"))
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "@_/"):
            continue  # inside a word, an email address or a path
        host = text[start : m.end("tld")]
        if tld in TLDS or m.group("path") or host.count(".") > 1 or host in KNOWN_HOSTS:
            spans.append((start, m.start() + len(m.group().rstrip(_END_PUNCTUATION))))
    spans.extend(m.span() for m in HANDLE.finditer(text))
    return spans


# --- payment apps and handles ------------------------------------------------------------

PAY_APPS = (
    r"venmo|cash ?app|zelle|pay ?pal|western union|money ?gram|gift ?cards?|green ?dot|"
    r"netspend|apple pay|google pay|bitcoin|btc|ethereum|usdt|crypto wallet|remitly|xoom|"
    r"tarjetas? de regalo|tarjetas? prepagadas?|prepaid (?:visa|cards?)|vanilla (?:visa|cards?)"
)
PAYMENT = re.compile(
    rf"\b(?:{PAY_APPS})\b(?P<link>\.(?:me|com|app)(?:/[^\s]*)?)?"
    r"(?P<handle>[^$@.!?]{0,25}?[$@][a-z][\w.-]{1,30})?"
)
CASHTAG = re.compile(r"\$(?<![\w$]\$)[a-z][a-z0-9_]{1,19}\b")
GIFT_CODE = re.compile(r"(?<![\w-])[a-z0-9]{4,6}(?:-[a-z0-9]{4,6}){2,4}(?![\w-])")
AMOUNT = re.compile(r"\$ ?[0-9]|\b[0-9]+ ?(?:dollars|bucks|usd|pesos|dlls|dólares)\b")
_AROUND = 40  # characters either side of an app's name where an amount makes it a payment
# What families send money for. Said beside an app and an amount ("$80 on Cash App for
# groceries", "$300 por Western Union para su medicina"), a payment is ordinary life; a
# handle, a link or a $cashtag still counts. Not "luz" or "agua" (the light and water
# bills): Luz is as often the person paid.
EVERYDAY = re.compile(
    r"\b(?:groceries|rent|bills?|light bill|medicines?|medication|prescriptions?|doctor|"
    r"hospital|funeral|diapers|formula|school|tuition|books|commissary|birthday|"
    r"renta|mandado|despensa|comida|medicinas?|medicamentos?|doctora?|pañales|escuela|"
    r"útiles|colegiatura|cumpleaños|funeraria|gasolina)\b"
)
_PURPOSE_AROUND = 60  # characters either side of an app's name where a purpose is said


PAYMENT_KINDS = frozenset({"payment", "cashtag", "gift_code"})


def payments(text: str, kinds: Collection[str] = PAYMENT_KINDS) -> list[Span]:
    """A $cashtag, a gift card code, or a payment app's name with a handle, a link or an
    amount of money nearby (``_paid``). The name alone ("I paid her back on Venmo") is
    ordinary life, and so is an amount sent for groceries or medicine.
    ``kinds``: which of "cashtag", "payment" (apps) and "gift_code" to look for."""
    spans = [m.span() for m in CASHTAG.finditer(text)] if "cashtag" in kinds else []
    if "payment" in kinds:
        for m in PAYMENT.finditer(text):
            if m.group("link") or m.group("handle") or _paid(text, m.start(), m.end()):
                spans.append(m.span())
    if "gift_code" not in kinds:
        return spans
    for m in GIFT_CODE.finditer(text):
        code = m.group()
        if sum(c.isdigit() for c in code) >= 2 and sum(c.isalpha() for c in code) >= 2:
            spans.append(m.span())
    return spans


def _paid(text: str, start: int, end: int) -> bool:
    """An amount of money near an app's name, for no everyday purpose said near it."""
    if not AMOUNT.search(text, max(0, start - _AROUND), end + _AROUND):
        return False
    return not EVERYDAY.search(text, max(0, start - _PURPOSE_AROUND), end + _PURPOSE_AROUND)


# --- words mixing alphabets --------------------------------------------------------------

_CYRILLIC_GREEK = "\u0370-\u03ff\u0400-\u052f"
_LATIN = "a-z\u00df-\u00f6\u00f8-\u024f"
# Lookaheads from the start of each word only, so every word is read at most three times.
MIXED_WORD = re.compile(
    rf"(?<![^\W\d_])(?=[^\W\d_]*?[{_CYRILLIC_GREEK}])(?=[^\W\d_]*?[{_LATIN}])[^\W\d_]++"
)
# Cyrillic letters that pass for Latin ones. A word made only of them, in a Latin message
# whose other Cyrillic letters are all lookalikes too, is a Latin word in disguise.
_LOOKALIKE_CYRILLIC = "аеорсухіјѕԁһԛԝӏ"
DISGUISED_WORD = re.compile(rf"(?<![^\W\d_])[{_LOOKALIKE_CYRILLIC}]{{3,}}(?![^\W\d_])")
REAL_CYRILLIC = re.compile(rf"[\u0400-\u052f](?<![{_LOOKALIKE_CYRILLIC}])")
_LATIN_WORD = re.compile("[a-z]{3}")


def mixed_scripts(text: str) -> list[Span]:
    spans = [m.span() for m in MIXED_WORD.finditer(text)]
    if not REAL_CYRILLIC.search(text) and _LATIN_WORD.search(text):
        spans.extend(m.span() for m in DISGUISED_WORD.finditer(text))
    return spans


# --- everyday words in quotation marks ---------------------------------------------------

# One to three words in quotation marks, the first in lower case ("las 'camisas' ya
# llegaron", 'the "vet" brings the "puppies"'), read on the original text (the plain view is
# all lower case, and a title or a name in quotation marks begins with a capital). The
# quotation mark opens after a space, a bracket or the start and closes before anything
# but a letter. (The pattern starts with the quotation mark and looks behind it after: one
# that starts with a look-behind is tried at every position.)
QUOTED_WORDS = re.compile(
    r"['\"“‘«](?<![^\s(\[¿¡].)([^\W\d_A-Z][^\W\d_]*(?:[ -][^\W\d_]+){0,2})['\"”’»](?![^\W\d_])"
)
# How many different ones make a code: a letter may quote a word or two ("she said 'no'").
CODE_WORDS_AT_LEAST = 3


def code_words(original: str) -> list[Span]:
    """Everyday words in quotation marks, when a message has ``CODE_WORDS_AT_LEAST``
    different ones: words agreed to mean something else. Spans of the original text."""
    found = [m for m in QUOTED_WORDS.finditer(original) if m.group(1)[0].islower()]
    if len({m.group(1).casefold() for m in found}) < CODE_WORDS_AT_LEAST:
        return []
    return [m.span() for m in found]
