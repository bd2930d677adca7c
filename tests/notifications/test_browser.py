import pytest
from django.conf import settings
from django.test import Client

from notifications.models import EmailPreference
from tests.people.factories import EmployeeFactory


def _signed_in(page, live_server, user):
    # This test is about the preferences page, not the login form: reuse a real session.
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_turns_reminders_off_from_their_profile(browser_page, live_server):
    employee = EmployeeFactory(user__email="nurse@example.org")
    page = _signed_in(browser_page, live_server, employee.user)

    page.goto("/me/profile/")
    page.get_by_role("main").get_by_role("link", name="Email preferences").click()
    page.wait_for_url("**/me/notifications/")
    reminders = page.get_by_label("Session reminders")
    assert reminders.is_checked()
    reminders.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_load_state()

    assert page.get_by_role("status").get_by_text("Your email preferences are saved.").is_visible()
    assert not page.get_by_label("Session reminders").is_checked()
    assert page.get_by_label("Monthly themes").is_checked()
    preference = EmailPreference.objects.get(user=employee.user)
    assert preference.session_reminders is False
    assert preference.theme_announcements is True
