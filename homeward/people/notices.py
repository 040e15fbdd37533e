"""Each agency's monitoring notice, versioned: what the agency keeps and for how long.

A contact accepts the general notice at sign-up. Before writing to a resident they also
accept the notice of the resident's agency, which names how long it keeps message text and
whether it offers attorneys a privileged channel. When either changes, the agency's notice
gets a new version, and the contact's messages to that agency's residents are refused
(``notice_not_accepted``) until they have read and accepted it. Replies from residents
still reach them.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import Conflict, PermissionDenied
from homeward.facilities.models import Agency
from homeward.facilities.words import attorney_words, retention_words
from homeward.people.models import AgencyNotice, Contact, NoticeAcceptance, User


class GeneralNotice(NamedTuple):
    """The notice every contact accepts at sign-up, in the language of the request: a lead
    sentence, the points, a closing line."""

    version: str
    lead: str
    points: list[str]
    closing: str

    def sentences(self) -> list[str]:
        return [self.lead, *self.points, self.closing]


def general() -> GeneralNotice:
    """The sign-up notice (the web's sign-up page and the API's show it). Its version is
    ``settings.MONITORING_NOTICE_VERSION``: change the words, change the version, and a
    sign-up made after someone read the old words is refused (``notice_outdated``)."""
    return GeneralNotice(
        version=settings.MONITORING_NOTICE_VERSION,
        lead=_("Nothing you send or receive on Homeward is private."),
        points=[
            _(
                "Every message is checked by computer and may be read by facility staff, "
                "before and after it is delivered."
            ),
            _(
                "The facility and its agency keep every message, and when it was sent, "
                "delivered and read, for as long as their rules say. Each agency's own notice "
                "says how long; you accept it before you first write to one of its residents, "
                "and again if it changes. Messages can be used in investigations and in court."
            ),
            _(
                "Staff can stop a message that breaks the facility's rules. Breaking the "
                "rules can lead to messaging being suspended or ended."
            ),
            _(
                "Messages to a lawyer are not confidential here unless the agency offers a "
                "verified attorney channel and you use it."
            ),
            _("The facility records when you sign in and what you do on Homeward."),
        ],
        closing=_("Only send what you are comfortable with the facility reading."),
    )


def _latest(agency_id: int) -> AgencyNotice | None:
    return AgencyNotice.objects.filter(agency_id=agency_id).order_by("-version").first()


def _first(agency: Agency) -> AgencyNotice:
    """Version 1, from the agency's terms as they are (made when first asked for)."""
    try:
        with transaction.atomic():
            return AgencyNotice.objects.create(
                agency=agency,
                version=1,
                retention_days=agency.message_retention_days,
                privileged_channel=agency.privileged_channel,
                published_at=clock.now(),
            )
    except IntegrityError:  # another request made it first
        return AgencyNotice.objects.get(agency=agency, version=1)


def current(agency: Agency) -> AgencyNotice:
    """The notice in force at ``agency``."""
    return _latest(agency.pk) or _first(agency)


def publish(*, agency: Agency, staff: User) -> AgencyNotice:
    """Called, inside their transaction, by whatever changes the terms a notice names (a
    change ``staff`` made): a new version when they differ from the version in force, which
    everyone must accept again."""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one publisher at a time
        latest = _latest(agency.pk)
        if latest is None:
            return _first(agency)
        if (latest.retention_days, latest.privileged_channel) == (
            agency.message_retention_days,
            agency.privileged_channel,
        ):
            return latest
        notice = AgencyNotice.objects.create(
            agency=agency,
            version=latest.version + 1,
            retention_days=agency.message_retention_days,
            privileged_channel=agency.privileged_channel,
            published_at=clock.now(),
        )
        audit.record(
            actor=staff,
            action="notice.published",
            obj=agency,
            data={"version": notice.version, "retention_days": notice.retention_days},
        )
    return notice


def sentences(notice: AgencyNotice) -> list[str]:
    """What the notice says, in plain words (the web page and the API give the same)."""
    return [
        _(
            "Every message to or from a resident of %(agency)s is checked by computer and may "
            "be read by staff, before and after it is delivered, and used in investigations "
            "and in court."
        )
        % {"agency": notice.agency.name},
        retention_words(notice.retention_days),
        attorney_words(offered=notice.privileged_channel),
    ]


def has_accepted(contact: Contact, agency_id: int) -> bool:
    """Whether ``contact`` accepted the version in force (one query)."""
    latest = AgencyNotice.objects.filter(agency_id=agency_id).order_by("-version").values("pk")
    return NoticeAcceptance.objects.filter(contact=contact, notice=Subquery(latest[:1])).exists()


def check_accepted(contact: Contact, agency_id: int) -> None:
    """Refuse a message from ``contact`` to a resident of the agency until they accept."""
    if not has_accepted(contact, agency_id):
        raise PermissionDenied(
            _(
                "Read the agency's monitoring notice and accept it before you write: it says "
                "how long your messages are kept."
            ),
            "notice_not_accepted",
        )


def accept(*, contact: Contact, agency: Agency, version: int) -> AgencyNotice:
    """``contact`` accepts the notice they were shown; refused when it is no longer the one
    in force (``notice_outdated``: they read the new one first). Accepting again is kept
    once."""
    with transaction.atomic():
        notice = current(agency)
        if version != notice.version:
            raise Conflict(
                "notice_outdated",
                _(
                    "The notice of %(agency)s has changed (it is now version %(version)s). "
                    "Read it again and accept it."
                )
                % {"agency": agency.name, "version": notice.version},
            )
        _accepted, created = NoticeAcceptance.objects.get_or_create(
            contact=contact, notice=notice, defaults={"accepted_at": clock.now()}
        )
        if created:
            audit.record(
                actor=contact.user,
                action="notice.accepted",
                obj=contact,
                data={"agency": agency.code, "version": version},
            )
    return notice
