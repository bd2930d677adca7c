"""A member earns a badge when the facilitator records them at a meeting, downloads the
credential from their profile and checks it on the verification page, in real Chromium."""

import pytest

from tests.recognition.browser import member_earns_downloads_and_verifies_a_badge
from tests.recognition.helpers import running_circle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_earns_a_badge_downloads_it_and_verifies_it(browser_page, browser_login):
    circle, _, (member,) = running_circle(members=1)
    member.first_name, member.last_name = "Ben", "Member"
    member.save()

    member_earns_downloads_and_verifies_a_badge(
        browser_page, browser_login, circle=circle, member=member
    )
