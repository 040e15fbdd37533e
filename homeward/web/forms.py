"""Forms only check the shape of what people type; the rules live in the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homeward.core import money
from homeward.core.errors import DomainError

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

NOTICE_LABEL = _("I understand that every message is read and kept by the facility")


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("Residents see this name on your messages."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password and not all numbers."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_notice = forms.BooleanField(
        label=NOTICE_LABEL,
        error_messages={"required": _("Tick the box to show you have read the notice.")},
    )
    # The version shown on the page; if the notice changes before they submit, the service
    # refuses and they read the new one.
    notice_version = forms.CharField(widget=forms.HiddenInput)


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DirectoryForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    q = forms.CharField(
        label=_("Facility name or city"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", _("Any state"))] + [(s, s) for s in states]


class FindResidentForm(forms.Form):
    number = forms.CharField(
        label=_("Resident number"),
        max_length=30,
        help_text=_(
            "The number the facility gave them (sometimes called a DIN or booking number)."
        ),
        error_messages={"required": _("Enter the resident's number.")},
    )


class AmountForm(forms.Form):
    """Step 1 of a payment: how much, read into cents by the one amount reader. The limits
    (at least $1, at most $500) are the ledger's."""

    amount = forms.CharField(
        label=_("Amount in dollars"),
        max_length=20,
        help_text=_(
            "For example 20 or 12.50 (a point before the cents). Between $1.00 and $500.00."
        ),
        error_messages={"required": _("Enter an amount in dollars, such as 20 or 12.50.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_amount(self) -> int:
        try:
            return money.parse_amount(self.cleaned_data["amount"])
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class CardForm(forms.Form):
    """Step 2 of a payment: the quoted amount and total carried over, and the card.

    ``total`` is the total the person saw; if the fee changes before they pay, they see
    the new total instead of being charged something they were not shown. With a hosted
    checkout (Stripe) the card is typed on the card company's page, not here.
    """

    amount = forms.CharField(max_length=20, widget=forms.HiddenInput)
    total = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    card = forms.CharField(
        label=_("Card number"),
        max_length=30,
        error_messages={"required": _("Enter the card number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )

    def __init__(self, *args: Any, ask_card: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_card:
            del self.fields["card"]


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


def _password(
    label: _StrOrPromise, autocomplete: str, help_text: _StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


NEW_PASSWORD_HELP = _("At least 8 characters; not a common password and not all numbers.")


class NewPasswordForm(forms.Form):
    password = _password(_("New password"), "new-password", NEW_PASSWORD_HELP)


class ChangePasswordForm(forms.Form):
    current = _password(_("Current password"), "current-password")
    new = _password(_("New password"), "new-password", NEW_PASSWORD_HELP)


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("New email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = _password(_("Your password"), "current-password")


class CloseAccountForm(forms.Form):
    password = _password(_("Your password"), "current-password")
    confirm = forms.BooleanField(
        label=_("I understand that closing is for good"),
        error_messages={"required": _("Tick the box to show you mean to close the account.")},
    )


class ArchiveCodeForm(forms.Form):
    """A released resident's way to their archive: the facility, their number, the code."""

    facility = forms.CharField(
        label=_("Facility code"),
        max_length=60,
        help_text=_("As written on the code you were given (for example greenhaven)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    number = forms.CharField(
        label=_("Your resident number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Archive code"),
        max_length=40,
        help_text=_("Twelve letters and digits, for example ABCD-EFGH-JKLM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
