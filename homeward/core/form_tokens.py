"""One-time form tokens that survive the Back button.

A form that must act once (send a message, reply from a kiosk) carries a token the server
made, and the service does the work once per token. Going Back, a browser may fetch the page
again and restore what was typed into it, but not a hidden field: the page would come with a
fresh token, and Send would send the restored text a second time. So the page's address
carries its form's token too (``?form=…``; the page's script writes it there, and the
redirect after a send already has it), and a page fetched again renders the token of its
address: the second Send repeats the first, which the service answers with what was done.
"""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest

PARAM = "form"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new() -> str:
    return uuid.uuid4().hex


def checked(text: str) -> str:
    """The token if we could have made it; otherwise a fresh one (which still makes the
    action happen once)."""
    text = text.strip().lower()
    return text if _TOKEN.match(text) else new()


def of_address(request: HttpRequest) -> str:
    """The token for the form on this page: the one its address carries, or a fresh one."""
    return checked(request.GET.get(PARAM, ""))


def address(path: str, *, anchor: str = "") -> str:
    """``path`` with a fresh form token, for the page shown after the form did its work."""
    return f"{path}?{PARAM}={new()}" + (f"#{anchor}" if anchor else "")
