"""The request a contact page receives, typed: the signed-in user and their Contact.

``contact_required`` (``homeward.web.access``) checks the person and hands the view one of
these, so a view reads ``request.contact`` without looking it up or guessing its type.
"""

from __future__ import annotations

from django.http import HttpRequest

from homeward.people.models import Contact, User


class ContactRequest(HttpRequest):
    """A contact page's request, once ``contact_required`` let it through: a signed-in user
    who is a contact (family or friend)."""

    user: User
    contact: Contact
