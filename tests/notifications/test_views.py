import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import EmailPreference
from tests.notifications.factories import EmailPreferenceFactory

pytestmark = pytest.mark.django_db

URL = "/me/notifications/"


def test_the_url_is_named():
    assert reverse("notifications:preferences") == URL


def test_login_is_required(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_shows_every_optional_email_switched_on_by_default(client_as, employee):
    response = client_as(employee).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for name, label in [
        ("session_reminders", "Session reminders"),
        ("session_opened", "New sessions"),
        ("theme_announcements", "Monthly themes"),
        ("manager_suggestions", "Suggestions from your manager"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in html
        assert f'name="{name}" aria-describedby="id_{name}_helptext" id="id_{name}" checked' in html
        assert f'id="id_{name}_helptext"' in html
    assert "Emails you always get" in html
    assert not EmailPreference.objects.exists()


def test_saving_turns_unticked_emails_off(client_as, employee):
    client = client_as(employee)

    response = client.post(URL, {"session_opened": "on", "manager_suggestions": "on"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your email preferences are saved." in response.content.decode()
    preference = EmailPreference.objects.get(user=employee.user)
    assert preference.session_reminders is False
    assert preference.theme_announcements is False
    assert preference.session_opened is True
    assert preference.manager_suggestions is True
    assert 'name="session_reminders" aria-describedby' in response.content.decode()
    assert 'id="id_session_reminders" checked' not in response.content.decode()


def test_saving_again_turns_emails_back_on(client_as, employee):
    EmailPreferenceFactory(user=employee.user, session_reminders=False)

    client_as(employee).post(URL, {"session_reminders": "on"})

    assert EmailPreference.objects.get(user=employee.user).session_reminders is True


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(employee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)

    response = client.post(URL, {})

    assert response.status_code == 403
    assert not EmailPreference.objects.exists()


def test_a_person_changes_only_their_own_preferences(client_as, employee, manager):
    EmailPreferenceFactory(user=manager.user, session_reminders=True)

    client_as(employee).post(URL, {"user": manager.user.pk})

    assert EmailPreference.objects.get(user=manager.user).session_reminders is True
    assert EmailPreference.objects.get(user=employee.user).session_reminders is False


def test_other_methods_are_not_allowed(client_as, employee):
    assert client_as(employee).delete(URL).status_code == 405


def test_the_profile_page_links_here(client_as, employee):
    response = client_as(employee).get(reverse("profile"))

    assert f'href="{URL}"' in response.content.decode()
