"""Forms only check the shape of what people type; the rules live in the services."""

from __future__ import annotations

from django import forms

NOTICE_LABEL = "I understand that every message is read and kept by the facility"


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="Residents see this name on your messages.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters; not a common password and not all numbers.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_notice = forms.BooleanField(
        label=NOTICE_LABEL,
        error_messages={"required": "Tick the box to show you have read the notice."},
    )
    # The version shown on the page; if the notice changes before they submit, the service
    # refuses and they read the new one.
    notice_version = forms.CharField(widget=forms.HiddenInput)


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DirectoryForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False)
    q = forms.CharField(
        label="Facility name or city",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: object, states: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["state"].choices = [("", "Any state")] + [(s, s) for s in states]


class FindResidentForm(forms.Form):
    number = forms.CharField(
        label="Resident number",
        max_length=30,
        help_text="The number the facility gave them (sometimes called a DIN or booking number).",
        error_messages={"required": "Enter the resident's number."},
    )
