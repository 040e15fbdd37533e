"""No page promises what does not exist. Features were written about before they were
built (homeward/core/features.py: appeals, photos and emailed invitations are all built
now); each sentence that promises one is absent while its flag is off and appears when the
issue that builds the feature turns it on. Where a feature is missing, the page says what
really happens instead."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import features
from homeward.facilities.models import FacilityPolicy
from homeward.personas import client_for, kiosk_client_for


@pytest.fixture(params=[False, True], ids=["not built", "built"])
def built(request, monkeypatch):
    """Run the test twice: with the feature missing (as today) and as if it were built."""

    def switch(flag: str) -> bool:
        monkeypatch.setattr(features, flag, request.param)
        return request.param

    return switch


def page_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def invites_facility():
    facility = t.make_facility("invites", policy={"connection_policy": "resident_invites"})
    return facility, t.make_resident(facility, "RI1", first_name="Kim")


# --- appeals ----------------------------------------------------------------------------


def test_the_facility_page_offers_appeals_only_once_they_exist(world, built):
    on = built("APPEALS")
    page = page_of(Client(), "/facilities/greenhaven/")
    promise = "You can appeal a blocked message, or a suspension of your messaging, within 14 days"
    assert (promise in page) is on
    assert ("<dt>Appeals</dt>" in page) is on


# --- photos -----------------------------------------------------------------------------


@pytest.mark.parametrize("takes_photos", [True, False], ids=["takes photos", "takes none"])
def test_the_price_lines_price_photos_only_once_they_exist(world, built, takes_photos):
    on = built("PHOTOS")
    FacilityPolicy.objects.filter(facility=world.facility_1).update(photos_allowed=takes_photos)
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, photo_stamps=2)
    page = page_of(Client(), "/facilities/greenhaven/")
    assert ("Each photo adds 2 stamps ($0.80)." in page) is (on and takes_photos)
    assert "Paid in stamps of $0.40." in page  # the rest of the prices either way


def test_the_console_asks_for_and_shows_a_photo_price_only_once_photos_exist(world, built):
    on = built("PHOTOS")
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, photo_stamps=2)
    admin = client_for(world.facility_admin)
    listing = page_of(admin, "/console/prices/greenhaven/")
    assert ("photo: 2 stamps" in listing) is on
    assert "prepaid reply: 1 stamp" in listing
    form = page_of(admin, "/console/prices/greenhaven/add/")
    assert ("Stamps per photo" in form) is on
    assert ('name="photo_stamps"' in form) is on
    assert ('name="photo_price"' in form) is on


# --- invitations by email -----------------------------------------------------------------


def test_the_facility_page_says_how_residents_really_add_contacts(db, built):
    on = built("INVITATION_EMAILS")
    invites_facility()
    page = page_of(Client(), "/facilities/invites/")
    assert ("The resident invites you by email" in page) is on
    honest = "The resident adds you by the email address of your Homeward account"
    assert (honest in page) is not on
    if not on:
        assert "sign in with that address to see the invitation" in page


def test_the_find_resident_page_says_how_to_be_added(db, built):
    on = built("INVITATION_EMAILS")
    invites_facility()
    client = client_for(t.make_contact().user)
    page = page_of(client, "/facilities/invites/find/?number=RI1")
    assert ("to invite you by email" in page) is on
    honest = "to add you by the email address of your Homeward account; sign in with that address"
    assert (honest in " ".join(page.split())) is not on


def test_the_kiosk_inbox_promises_an_email_only_once_invitations_are_emailed(db, built):
    on = built("INVITATION_EMAILS")
    _, resident = invites_facility()
    page = page_of(kiosk_client_for(resident), "/kiosk/")
    assert ("Invite a contact by email" in page) is on
    assert ("Invite someone by email to start one." in page) is on
    assert ("Add a contact by email address" in page) is not on
    assert ("Add someone by the email address of their Homeward account" in page) is not on


def test_the_kiosk_invite_page_says_whether_homeward_emails_them(db, built):
    on = built("INVITATION_EMAILS")
    _, resident = invites_facility()
    page = " ".join(page_of(kiosk_client_for(resident), "/kiosk/invite/").split())
    assert ("Homeward emails them your invitation." in page) is on
    assert ("Homeward does not email them." in page) is not on
    if not on:
        assert "Tell them to sign in to Homeward with this email address" in page


def test_the_refusal_to_ask_at_an_invite_only_facility_says_how_to_be_added(db):
    invites_facility()
    client = client_for(t.make_contact().user)
    response = client.post("/facilities/invites/connect/", {"number": "RI1"}, follow=True)
    page = response.content.decode()
    assert "Ask Kim to invite you by email: Homeward emails you the invitation" in page


def test_an_unknown_feature_is_a_mistake_not_a_silent_no():
    with pytest.raises(ValueError):
        features.built("video_calls")
