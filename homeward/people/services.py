"""Every change to a person's account goes through one of these functions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from homeward.core import audit, clock, language, links
from homeward.core.errors import Conflict, DomainError
from homeward.people import account, emails, names, throttle
from homeward.people.models import Contact, Resident, User

DISPLAY_NAME_MAX: int = Contact._meta.get_field("display_name").max_length or 0


def _email_taken() -> DomainError:
    return DomainError(
        "email_taken",
        _("There is already an account with this email. Sign in instead, or use another email."),
    )


def _check_new_contact(*, email: str, password: str, display_name: str, version: str) -> None:
    if not display_name:
        raise DomainError("name_required", _("Enter the name you want residents to see."))
    if len(display_name) > DISPLAY_NAME_MAX:
        raise DomainError(
            "name_too_long",
            _("Keep the name under %(count)s characters.") % {"count": DISPLAY_NAME_MAX},
        )
    names.check_display_name(display_name)  # one line, no links: it is quoted in our email
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("email_invalid", _("Enter a valid email address.")) from None
    if version != settings.MONITORING_NOTICE_VERSION:
        # The notice changed after the page was shown: they must read the new one.
        raise Conflict(
            "notice_outdated",
            _("The monitoring notice has changed. Read it again and accept it."),
        )
    try:
        # A throw-away user lets the similarity check compare the password with the email.
        password_validation.validate_password(password, user=User(username=email, email=email))
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages)) from None


def create_contact(
    *,
    email: str,
    password: str,
    display_name: str,
    accepted_notice_version: str,
    client: str | None = None,
) -> Contact:
    """Open a contact account. The accepted monitoring notice version and time are kept.
    It emails the address typed, so it is counted, per address and per ``client`` network
    (``throttle.count_email_request``)."""
    email = email.strip().lower()
    display_name = display_name.strip()
    _check_new_contact(
        email=email,
        password=password,
        display_name=display_name,
        version=accepted_notice_version,
    )
    if account.email_in_use(email):
        # Nothing is sent, so the address's own count (its owner's password resets) is
        # left alone; but "taken" tells whether an account uses it, so asking costs the
        # network what a sign-up costs.
        throttle.count_email_request(email=email, address=client, to_address=False)
        raise _email_taken()
    # Only a sign-up that will email the address counts it: a mistyped form sends nothing.
    throttle.count_email_request(email=email, address=client)
    try:
        with transaction.atomic():
            # The language they signed up in is the one their emails are written in.
            spoken = translation.get_language()
            user = User.objects.create_user(
                username=email,
                email=email,
                password=password,
                language=spoken if language.offered(spoken) else "",
            )
            contact = Contact.objects.create(
                user=user,
                display_name=display_name,
                notice_version=accepted_notice_version,
                notice_accepted_at=clock.now(),
            )
            audit.record(
                actor=user,
                action="contact.signed_up",
                obj=contact,
                data={"notice_version": accepted_notice_version},
            )
            send_verification(contact=contact)
    except IntegrityError:
        raise _email_taken() from None  # two sign-ups raced for the same email
    return contact


def choose_language(person: User | Resident, chosen: str) -> None:
    """Remember the language a person chose: a contact's, for pages and emails; a
    resident's, for the kiosk."""
    if not language.offered(chosen):
        raise DomainError("language_not_offered", _("That language is not offered here."))
    model = Resident if isinstance(person, Resident) else User
    model.objects.filter(pk=person.pk).update(language=chosen)
    person.language = chosen


# --- email verification: a contact proves they read the address before anything sent to
# that address (a resident's invitation) becomes theirs.

VERIFY_SALT = "homeward.people.verify-email"
VERIFY_DAYS = 3


def verification_token(contact: Contact) -> str:
    return signing.dumps({"contact": contact.pk, "email": contact.user.email}, salt=VERIFY_SALT)


def send_verification(*, contact: Contact) -> None:
    """Queue the verification email (sent by the worker, after this transaction commits).

    It goes to whatever address was typed at sign-up, so the name typed with it appears only
    quoted, in its marked place ("someone using the name …"), never in the subject."""
    link = links.absolute("verify_email", verification_token(contact))
    emails.queue(
        to=contact.user.email,
        template="verify_email",
        language=contact.user.language,
        ours={"link": link, "days": VERIFY_DAYS},
        theirs={"name": contact.display_name},
    )


def resend_verification(*, contact: Contact, client: str | None = None) -> None:
    """Email the verification link again (the first one lost, or past its days). Counted
    like every request that emails an address (``throttle.count_email_request``); an
    address already confirmed is 409 ``already_verified`` and nothing is sent."""
    if contact.email_verified_at is not None:
        raise Conflict("already_verified", _("Your email is already confirmed."))
    throttle.count_email_request(email=contact.user.email, address=client)
    with transaction.atomic():
        audit.record(actor=contact.user, action="contact.verification_resent", obj=contact)
        send_verification(contact=contact)


def verify_email(*, token: str) -> Contact:
    """Mark the contact's email verified; what was waiting for the address follows
    (``account.email_verified``: invitations sent to it become theirs)."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_DAYS * 86400)
    except signing.SignatureExpired:
        raise DomainError(
            "link_expired", _("This link has expired. Sign in and ask for a new one.")
        ) from None
    except signing.BadSignature:
        raise DomainError(
            "link_invalid", _("This link is not valid. Check that it is complete.")
        ) from None
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update()
            .select_related("user")
            .filter(pk=data.get("contact"), user__email__iexact=data.get("email", ""))
            .first()
        )
        if contact is None:
            raise DomainError("link_invalid", _("This link is not valid any more."))
        account.mark_verified(contact)
    return contact
