from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homeward.facilities.models import Agency, Facility, HousingUnit


class User(AbstractUser):
    """A person who signs in with a password: a contact (username is their email) or staff."""

    language = models.CharField(
        max_length=8,
        blank=True,
        help_text=_("The language chosen for pages and emails; blank follows the browser."),
    )

    @property
    def is_contact(self) -> bool:
        return hasattr(self, "contact")

    @property
    def audit_label(self) -> str:
        return f"user:{self.username}"

    @property
    def audit_user_id(self) -> int | None:
        return self.pk


class Contact(models.Model):
    """Someone outside: family, friend, attorney, organisation. One account, every facility."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="contact")
    display_name = models.CharField(max_length=120)
    notice_version = models.CharField(max_length=20)
    notice_accepted_at = models.DateTimeField()
    email_verified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the contact proved they read this email.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the contact closed the account (for good).")
    )

    def __str__(self) -> str:
        return self.display_name

    @property
    def email(self) -> str:
        return self.user.email


class Resident(models.Model):
    class Status(models.TextChoices):
        IN_CUSTODY = "in_custody", _("In custody")
        RELEASED = "released", pgettext_lazy("resident status", "Released")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="residents")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="residents")
    housing_unit = models.ForeignKey(
        HousingUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    number = models.CharField(max_length=30, help_text=_("The agency's resident number."))
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_CUSTODY)
    stays = models.PositiveIntegerField(
        default=1,
        help_text=_(
            "Times booked into custody: a person released and booked again is on their second."
        ),
    )
    pin_hash = models.CharField(max_length=200)
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text=_(
            "The language chosen at the kiosk (and for the archive email); blank: English."
        ),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="resident_number_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def in_custody(self) -> bool:
        return self.status == self.Status.IN_CUSTODY

    @property
    def audit_label(self) -> str:
        return f"resident:{self.agency_id}:{self.number}"

    @property
    def audit_user_id(self) -> int | None:
        return None  # residents sign in at the kiosk, not with a user account

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return check_password(pin, self.pin_hash)


class StaffMembership(models.Model):
    """What one staff user may do, and where: one facility, or every facility of an agency."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Reviewer")
        INVESTIGATOR = "investigator", _("Investigator")
        FACILITY_ADMIN = "facility_admin", _("Facility admin")
        AGENCY_ADMIN = "agency_admin", _("Agency admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    facility = models.ForeignKey(
        Facility,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Empty means every facility of the agency."),
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "facility", "role"], name="one_membership_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} at {self.facility or self.agency}"


class SignInThrottle(models.Model):
    """One counter of sign-in attempts: an account, a trusted browser of an account, a
    client address, a kiosk resident number or a kiosk device (``homeward.people.throttle``).

    An attempt is counted by one conditional UPDATE before the password is checked, so
    parallel attempts cannot slip past the limit. ``locked_until`` is set once, by the
    failure that reaches the limit.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Family or friend account")
        STAFF = "staff", _("Staff account")
        TRUSTED_BROWSER = "trusted_browser", _("Trusted browser of an account")
        ADDRESS = "address", _("Client address")
        KIOSK_NUMBER = "kiosk_number", _("Resident number on the kiosks")
        KIOSK_DEVICE = "kiosk_device", _("Kiosk device")
        EMAIL_TO = "email_to", _("Emails asked for one address")
        EMAIL_FROM = "email_from", _("Emails asked for from one client address")
        ARCHIVE_CODE = "archive_code", _("Archive codes typed for one resident number")
        ARCHIVE_FROM = "archive_from", _("Archive codes typed from one client address")
        PHOTO_UPLOADS = "photo_uploads", _("Photos uploaded by one contact")

    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(
        max_length=300, help_text=_("What is counted: an email, a username, a number, an address.")
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    device_id = models.IntegerField(null=True, blank=True, help_text=_("The kiosk device, if any."))
    window_start = models.DateTimeField()
    count = models.IntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["locked_until"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class AgencyNotice(models.Model):
    """One version of an agency's monitoring notice: what it keeps and for how long, and
    whether it offers attorneys a privileged channel (``homeward.people.notices``). A new
    version is published whenever either changes; old versions stay, as the record of what
    each contact accepted."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notices")
    version = models.PositiveIntegerField()
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    privileged_channel = models.BooleanField()
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="one_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.agency} notice {self.version}"


class NoticeAcceptance(models.Model):
    """A contact read and accepted one version of an agency's notice."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(AgencyNotice, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "notice"], name="accepted_once")]

    def __str__(self) -> str:
        return f"{self.contact} accepted {self.notice}"
