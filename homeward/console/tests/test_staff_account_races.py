"""Staff accounts under real parallelism (PostgreSQL): a password link used thirty times at
once sets one password; thirty admins adding one username at once make one account;
thirty admins reactivating one account at once make one link; and nobody gets an error
from the database."""

from __future__ import annotations

import pytest
from django.db import connection as db

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.core.models import AuditEvent
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.people import staff_accounts
from homeward.people.models import StaffMembership, User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
Role = StaffMembership.Role
WORKERS = 30


@pytest.fixture
def admins():
    facility = t.make_facility("greenhaven")
    staff = [
        t.make_staff(f"admin{n}", role=Role.FACILITY_ADMIN, facility=facility)
        for n in range(WORKERS)
    ]
    return facility, staff


def add_nora(admin: User, facility) -> staff_accounts.Link:
    return staff_accounts.add_staff(
        admin=admin,
        username="nkim",
        first_name="Nora",
        last_name="Kim",
        email="",
        role=Role.REVIEWER,
        place=f"facility:{facility.pk}",
    )


def test_a_link_used_thirty_times_at_once_sets_one_password(admins):
    facility, staff = admins
    link = add_nora(staff[0], facility)
    uid, token = link.path.rstrip("/").split("/")[-2:]

    def use(n: int):
        return staff_accounts.choose_password(uid=uid, token=token, password=f"harbour lantern {n}")

    done = in_threads(WORKERS, use)
    chosen = [r for r in done if isinstance(r, User)]
    refused = [r for r in done if isinstance(r, DomainError)]
    assert len(chosen) == 1 and len(refused) == WORKERS - 1, done
    assert {r.code for r in refused} == {"link_invalid"}
    n = done.index(chosen[0])
    assert User.objects.get(username="nkim").check_password(f"harbour lantern {n}")
    assert AuditEvent.objects.filter(action="staff.password_chosen").count() == 1


def test_thirty_admins_adding_one_username_at_once_make_one_account(admins):
    facility, staff = admins

    def add(n: int):
        return staff_accounts.add_staff(
            admin=staff[n],
            username="nkim",
            first_name="Nora",
            last_name=f"Kim{n}",
            email="",
            role=Role.REVIEWER,
            place=f"facility:{facility.pk}",
        )

    done = in_threads(WORKERS, add)
    made = [r for r in done if isinstance(r, staff_accounts.Link)]
    refused = [r for r in done if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == WORKERS - 1, done
    assert {r.code for r in refused} == {"username_taken"}
    assert User.objects.filter(username="nkim").count() == 1
    assert StaffMembership.objects.filter(user__username="nkim").count() == 1
    assert AuditEvent.objects.filter(action="staff.added").count() == 1


def test_thirty_admins_reactivating_one_account_at_once_make_one_link(admins):
    """Deactivating and reactivating hold the account's row: of thirty admins reactivating
    someone at once, one gets the link (and one audit entry); the others are told the
    account is active already."""
    facility, staff = admins
    made = add_nora(staff[0], facility)
    staff_accounts.deactivate(admin=staff[0], staff_user_id=made.user.pk)

    def reactivate(n: int):
        return staff_accounts.reactivate(admin=staff[n], staff_user_id=made.user.pk)

    done = in_threads(WORKERS, reactivate)
    links = [r for r in done if isinstance(r, staff_accounts.Link)]
    refused = [r for r in done if isinstance(r, DomainError)]
    assert len(links) == 1 and len(refused) == WORKERS - 1, done
    assert {r.code for r in refused} == {"staff_active"}
    assert User.objects.get(pk=made.user.pk).is_active
    assert AuditEvent.objects.filter(action="staff.reactivated").count() == 1
