"""A plain text PDF: titled pages of wrapped lines in Helvetica, nothing else.

Enough for a bundle a person reads or prints (the JSON beside it is the record). Text is
written in the PDF's standard Latin encoding (WinAnsi): English and Spanish show as
written; a character it cannot show (an emoji, Chinese) is printed as "?", which the
JSON keeps.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 54
FONT_SIZE = 10
LEADING = 13
WRAP = 95  # characters a line
LINES_A_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING - 2  # less the title and a blank


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrapped(lines: Iterable[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        clean = "".join(c if c.isprintable() else " " for c in line)
        out.extend(textwrap.wrap(clean, WRAP, break_long_words=True) or [""])
    return out


def document(title: str, lines: Iterable[str]) -> bytes:
    """A PDF of ``lines`` (wrapped), ``title`` and the page number atop every page."""
    body = _wrapped(lines)
    pages = [body[i : i + LINES_A_PAGE] for i in range(0, len(body), LINES_A_PAGE)] or [[]]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for number, page in enumerate(pages, start=1):
        heading = f"{title}  (page {number} of {len(pages)})"
        stream = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL".encode()]
        stream.append(f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode())
        stream.append(b"(" + _escape(heading) + b") Tj T* T*")
        stream.extend(b"(" + _escape(line) + b") Tj T*" for line in page)
        stream.append(b"ET")
        content = b"\n".join(stream)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, content_ref)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
