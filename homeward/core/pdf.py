"""A plain text PDF: titled pages of wrapped lines in Helvetica, nothing else.

Enough for a bundle a person reads or prints (the JSON beside it is the record). Text is
written in the PDF's standard Latin encoding (WinAnsi): English and Spanish show as
written; a character it cannot show (an emoji, Chinese) is printed as "?", which the
JSON keeps.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 54
FONT_SIZE = 10
LEADING = 13
WRAP = 95  # characters a line
LINES_A_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING - 2  # less the title and a blank


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrapped(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        clean = "".join(c if c.isprintable() else " " for c in line)
        yield from textwrap.wrap(clean, WRAP, break_long_words=True) or [""]


def _pages(lines: Iterable[str]) -> Iterator[list[str]]:
    """The wrapped lines, a page at a time (one empty page for no lines at all)."""
    page: list[str] = []
    for line in _wrapped(lines):
        page.append(line)
        if len(page) == LINES_A_PAGE:
            yield page
            page = []
    if page:
        yield page


def _at_least_one(pages: Iterable[list[str]]) -> Iterator[list[str]]:
    """The pages, or one empty page: a PDF has at least one."""
    empty = True
    for page in pages:
        empty = False
        yield page
    if empty:
        yield []


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def document(title: str, lines: Iterable[str]) -> bytes:
    """A PDF of ``lines`` (wrapped), ``title`` and "page N of M" atop every page."""
    pages = list(_pages(lines))
    return b"".join(stream(title, pages, total=len(pages), paged=True))


def stream(
    title: str, lines: Iterable[Any], *, total: int | None = None, paged: bool = False
) -> Iterator[bytes]:
    """The same PDF in pieces as it is written, for a document too long to hold in memory:
    a page is written once its lines are read, and the page tree and cross-reference table
    (a number per page) at the end. Atop each page "page N", or "page N of M" given
    ``total``. ``lines`` are strings, or lists of wrapped lines a page each if ``paged``.

    The words atop the pages are taken now, in the language of the moment: the pieces are
    written later, as a response streams, when the request's language is no longer set."""
    if total:
        numbering = _("%(title)s  (page %(number)s of %(total)s)")
    else:
        numbering = _("%(title)s  (page %(number)s)")
    return _stream(title, lines, numbering=numbering, total=total, paged=paged)


def _stream(
    title: str, lines: Iterable[Any], *, numbering: str, total: int | None, paged: bool
) -> Iterator[bytes]:
    offsets = [0, 0, 0]  # of objects 1 (catalogue), 2 (page tree, written last), 3 (font)
    written = 0

    def put(number: int, obj: bytes) -> bytes:
        nonlocal written
        chunk = b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        offsets[number - 1] = written
        written += len(chunk)
        return chunk

    def piece(chunk: bytes) -> bytes:
        nonlocal written
        written += len(chunk)
        return chunk

    yield piece(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    yield put(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    yield put(3, _FONT)
    kids = []
    for number, page in enumerate(_at_least_one(lines if paged else _pages(lines)), start=1):
        heading = numbering % {"title": title, "number": number, "total": total}
        text = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL".encode()]
        text.append(f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode())
        text.append(b"(" + _escape(heading) + b") Tj T* T*")
        text.extend(b"(" + _escape(line) + b") Tj T*" for line in page)
        text.append(b"ET")
        content = b"\n".join(text)
        offsets += [0, 0]
        content_ref, page_ref = len(offsets) - 1, len(offsets)
        yield put(
            content_ref, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        )
        yield put(
            page_ref,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, content_ref),
        )
        kids.append(page_ref)
    tree = b" ".join(b"%d 0 R" % k for k in kids)
    yield put(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (tree, len(kids)))
    xref = written
    yield b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    yield b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    yield b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        xref,
    )
