"""A member earns a badge when the facilitator records them at a meeting, downloads the
credential from their profile and checks it on the verification page, in real Chromium."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from catalog.models import Offering
from circles.models import Meeting
from recognition.models import BadgeClass
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import running_circle
from tests.recognition.test_credentials import verify_independently

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move_first_meeting_to_last_week(circle):
    first = circle.meetings.get(week=1)
    shift = first.starts_at - (timezone.now() - dt.timedelta(days=7))
    Meeting.objects.filter(circle=circle).update(
        starts_at=F("starts_at") - shift,
        ends_at=F("ends_at") - shift,
        scheduled_for=F("scheduled_for") - shift,
    )
    Offering.objects.filter(pk=circle.offering_id).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_member_earns_a_badge_downloads_it_and_verifies_it(browser_page, browser_login):
    BadgeClassFactory(
        name="Circle regular",
        slug="circle-regular",
        criterion=BadgeClass.Criterion.ATTENDED_MEETINGS,
        threshold=1,
    )
    circle, facilitator, (member,) = running_circle(members=1)
    member.first_name, member.last_name = "Ben", "Member"
    member.save()
    move_first_meeting_to_last_week(circle)
    page = browser_page

    # The facilitator wraps up last week's meeting and records who was there.
    browser_login(facilitator)
    page.goto(f"/circles/{circle.slug}/meetings/1/wrap-up/")
    page.get_by_label("Yes").check()
    page.get_by_label("Record who was there").check()
    page.get_by_label("Ben Member").check()
    page.get_by_role("button", name="Save the wrap-up").click()
    page.wait_for_load_state()
    sign_out(page)

    # The member finds the badge on their profile and opens it.
    browser_login(member)
    page.goto("/me/profile/")
    badges = page.locator("section", has=page.get_by_role("heading", name="Your badges"))
    badges.get_by_role("link", name="Circle regular").click()
    page.wait_for_load_state()
    assert f"Attended 1 meeting of “{circle.title}”." in page.content()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the credential").click()
    assert download.value.suggested_filename == "circle-regular.jwt"
    path = download.value.path()
    with open(path) as credential:
        token = credential.read()
    jwks = page.request.get("/recognition/issuer/jwks.json").json()
    _, payload = verify_independently(token, jwks)
    assert payload["credentialSubject"]["achievement"]["name"] == "Circle regular"

    # Anyone can check it: the verification page, signed out.
    sign_out(page)
    page.goto("/recognition/verify/")
    page.get_by_label("Or choose the credential file").set_input_files(path)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    result = page.get_by_role("status").filter(has_text="Valid")
    assert result.is_visible()
    assert "Circle regular" in result.inner_text()
    assert "Ben Member" in result.inner_text()
