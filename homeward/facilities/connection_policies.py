"""What each connection policy means: one object per ``FacilityPolicy.ConnectionPolicy``.

A facility's connection policy is data (a choice on its policy); what it means — who may
start a connection, whether the resident must accept, and how that is said to families —
is its rule here. Connections, the web and the kiosk ask the rule, never the choice:
adding a policy is a choice on ``FacilityPolicy.ConnectionPolicy`` (with its migration) and
one rule in ``RULES``; a test fails if a choice has no rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.core import features
from homeward.facilities.models import FacilityPolicy

Policy = FacilityPolicy.ConnectionPolicy


@dataclass(frozen=True)
class ConnectionRule:
    contacts_ask: bool  # a contact may ask to connect with a resident
    residents_invite: bool  # a resident adds contacts by email
    resident_accepts: bool  # a contact's request waits for the resident to accept it

    def how_it_works(self, policy: FacilityPolicy) -> str:
        """The facility page's sentence under "How connections work"."""
        raise NotImplementedError

    def ask_hint(self, policy: FacilityPolicy, *, facility: str, resident: str) -> str:
        """Said under the "Ask to connect" button: what pressing it starts."""
        said = {"resident": resident}
        if policy.staff_approval:
            return (
                _(
                    "%(resident)s will be asked to accept, then staff approve. You can write "
                    "after both."
                )
                % said
            )
        return _("%(resident)s will be asked to accept. You can write once they do.") % said


class Open(ConnectionRule):
    def how_it_works(self, policy: FacilityPolicy) -> str:
        return _("Anyone with a Homeward account can connect with a resident and start writing.")

    def ask_hint(self, policy: FacilityPolicy, *, facility: str, resident: str) -> str:
        if policy.staff_approval:
            return _(
                "Staff at %(facility)s approve each connection; you can write once they do."
            ) % {"facility": facility}
        return _("You can write as soon as you connect.")


class ContactRequests(ConnectionRule):
    def how_it_works(self, policy: FacilityPolicy) -> str:
        return _(
            "You ask to connect with a resident. The resident accepts or declines on the "
            "kiosk; you can write once they accept."
        )


class ResidentInvites(ConnectionRule):
    def how_it_works(self, policy: FacilityPolicy) -> str:
        days = policy.invite_days
        said = {"count": f"{days:,}"}
        if features.INVITATION_EMAILS:
            return (
                ngettext(
                    "Only residents can add contacts. The resident invites you by email, and you "
                    "have %(count)s day to accept the invitation.",
                    "Only residents can add contacts. The resident invites you by email, and you "
                    "have %(count)s days to accept the invitation.",
                    days,
                )
                % said
            )
        return (
            ngettext(
                "Only residents can add contacts. The resident adds you by the email address of "
                "your Homeward account; sign in with that address to see the invitation, and "
                "accept it within %(count)s day.",
                "Only residents can add contacts. The resident adds you by the email address of "
                "your Homeward account; sign in with that address to see the invitation, and "
                "accept it within %(count)s days.",
                days,
            )
            % said
        )


RULES: dict[str, ConnectionRule] = {
    Policy.OPEN: Open(contacts_ask=True, residents_invite=False, resident_accepts=False),
    Policy.CONTACT_REQUESTS: ContactRequests(
        contacts_ask=True, residents_invite=False, resident_accepts=True
    ),
    Policy.RESIDENT_INVITES: ResidentInvites(
        contacts_ask=False, residents_invite=True, resident_accepts=True
    ),
}


def rule_of(policy: FacilityPolicy) -> ConnectionRule:
    return RULES[policy.connection_policy]
