"""The privileged channel's forms (``monitoring.privileged``)."""

from __future__ import annotations

from django import forms


class ChannelForm(forms.Form):
    offered = forms.BooleanField(
        label="Offer a privileged channel to verified attorneys", required=False
    )


class VerifyForm(forms.Form):
    email = forms.EmailField(label="The attorney's email (their contact account)")
    bar_number = forms.CharField(label="Bar number", max_length=40)
    bar_state = forms.CharField(label="State of admission", max_length=2, min_length=2)


class PrivilegeForm(forms.Form):
    connection = forms.IntegerField(label="Connection number", min_value=1)
