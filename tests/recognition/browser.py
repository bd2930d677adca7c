"""The badge half of issue 13's browser story, shared by recognition's browser test and the
Slack one: the facilitator records a member at last week's meeting, the member finds the
badge on their profile, downloads the credential and has it verified."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from catalog.models import Offering
from circles.models import Meeting
from recognition.models import BadgeClass
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import verify_independently


def move_first_meeting_to_last_week(circle) -> None:
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


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def member_earns_downloads_and_verifies_a_badge(page, browser_login, *, circle, member) -> None:
    """Run the story in the browser; `member` must have a full name. Asserts as it goes."""
    BadgeClassFactory(
        name="Circle regular",
        slug="circle-regular",
        criterion=BadgeClass.Criterion.ATTENDED_MEETINGS,
        threshold=1,
    )
    move_first_meeting_to_last_week(circle)
    name = member.get_full_name()

    # The facilitator wraps up last week's meeting and records who was there.
    page.goto("/")
    if page.get_by_role("button", name="Sign out").count():
        sign_out(page)
    browser_login(circle.proposed_by)
    page.goto(f"/circles/{circle.slug}/meetings/1/wrap-up/")
    page.get_by_label("Yes").check()
    page.get_by_label("Record who was there").check()
    page.get_by_label(name).check()
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
    assert name in result.inner_text()
