"""Local accounts through allauth: sign in, password reset, sign out, no sign-up, rate limits,
and the SSO-only switch."""

import importlib
import re
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import NoReverseMatch, clear_url_caches, reverse

from learning_portal.settings.sso import socialaccount_providers
from people.models import User
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "learn-test"
OIDC = {
    "id": "entra",
    "name": "Microsoft Entra ID",
    "server_url": "https://login.example-idp.org/tenant/v2.0",
    "client_id": "portal",
}


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def _signed_in_user_id(client):
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


# --- the sign-in page ------------------------------------------------------------------------


def test_login_page_uses_the_portal_layout_with_a_labelled_form(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="skip-link"' in content  # from base.html
    assert '<main id="main" class="container auth-page auth-entrance"' in content
    assert re.search(r'<label for="id_login">Email</label>', content)
    assert re.search(r'<label for="id_password">Password</label>', content)
    assert '<button type="submit" class="button button-primary">Sign in</button>' in content
    assert f'href="{reverse("account_reset_password")}">Forgot password?</a>' in content
    assert "sign up" not in content.lower()


def test_login_page_shows_a_button_per_sso_provider_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers([OIDC], [], "employee_id")
    content = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Microsoft Entra ID" in content
    assert f'action="{reverse("openid_connect_login", args=["entra"])}?process=login"' in content
    assert "or with your email and password" in content
    assert 'id="id_password"' in content


def test_employee_signs_in_with_email_and_password(client, employee):
    response = _sign_in(client, "Employee@Example.org")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in_user_id(client) == employee.user_id


def test_session_ends_with_the_browser_on_shared_workstations(client, employee):
    response = _sign_in(client, employee.user.email)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert client.session.get_expire_at_browser_close()


def test_login_page_offers_no_remember_me(client):
    assert "Remember" not in client.get(reverse("account_login")).content.decode()


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = _sign_in(client, employee.user.email, "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert _signed_in_user_id(client) is None


def test_deactivated_person_cannot_sign_in(client):
    user = UserFactory(email="left@example.org", is_active=False)
    response = _sign_in(client, user.email)
    assert response.url == reverse("account_inactive")
    assert _signed_in_user_id(client) is None
    page = client.get(response.url)
    assert "This account is no longer active" in page.content.decode()


def test_sign_in_returns_to_the_page_asked_for(client, employee):
    response = _sign_in(client, employee.user.email, next="/catalog/?q=safety")
    assert response.url == "/catalog/?q=safety"


def test_sign_in_never_redirects_off_site(client, employee):
    response = _sign_in(client, employee.user.email, next="https://evil.example/")
    assert response.url == reverse("home")


# --- no self sign-up -------------------------------------------------------------------------


def test_sign_up_is_closed_and_explains_why(client):
    users_before = User.objects.count()
    page = client.get(reverse("account_signup"))
    assert "Accounts come from HR" in page.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "newcomer@example.org", "password1": "A-long-pass-phrase-1", "password2": ""},
    )
    assert User.objects.count() == users_before


# --- sign out --------------------------------------------------------------------------------


def test_sign_out_needs_a_post(client, employee):
    client.force_login(employee.user)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert _signed_in_user_id(client) == employee.user_id
    assert '<form method="post"' in page.content.decode()

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert _signed_in_user_id(client) is None


# --- password reset --------------------------------------------------------------------------


def test_password_reset_by_email_sets_a_new_password(client, employee):
    response = client.post(reverse("account_reset_password"), {"email": employee.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [employee.user.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link[1]
    done = client.post(
        set_password_url,
        {"password1": "Brand-new-pass-phrase-9", "password2": "Brand-new-pass-phrase-9"},
    )
    assert done.status_code == 302

    assert _sign_in(client, employee.user.email, "Brand-new-pass-phrase-9").status_code == 302
    assert _signed_in_user_id(client) == employee.user_id


def test_password_reset_email_is_branded_like_the_portals_other_emails(client, employee):
    client.post(reverse("account_reset_password"), {"email": employee.user.email})

    (message,) = mail.outbox
    assert message.subject == "Reset your Learning Portal password"
    assert "example.com" not in message.subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.body.startswith(f"Hello {employee.user.first_name},")
    assert "Learning Portal: http" in message.body  # the footer of every portal email
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert "Choose a new password</a>" in html
    assert 'aria-roledescription="email"' in html


def test_password_reset_page_uses_the_portal_layout(client):
    content = client.get(reverse("account_reset_password")).content.decode()
    assert 'class="skip-link"' in content
    assert '<label for="id_email">' in content


# --- rate limits (allauth, backed by the cache) ----------------------------------------------


def test_repeated_failed_logins_for_one_account_are_blocked(client, employee):
    for _ in range(5):
        _sign_in(client, employee.user.email, "wrong")
    response = _sign_in(client, employee.user.email)  # even the right password
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_too_many_login_posts_from_one_address_get_429(client):
    statuses = [_sign_in(client, f"person{n}@example.org", "wrong").status_code for n in range(101)]
    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429


@pytest.mark.redis
def test_login_rate_limit_is_shared_through_redis(client, employee, settings):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    for _ in range(5):
        _sign_in(client, employee.user.email, "wrong")
    assert any("allauth" in str(key) for key in cache._cache.get_client().keys("*"))
    response = _sign_in(client, employee.user.email)
    assert "Too many failed login attempts" in response.content.decode()


# --- staff login goes through allauth --------------------------------------------------------


def test_admin_login_redirects_to_allauth_login(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_staff_sign_in_through_allauth_reaches_the_admin(client):
    staff = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    response = _sign_in(client, staff.email, next=reverse("admin:index"))
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_is_rate_limited_like_any_login(client):
    staff = UserFactory(email="admin@example.org", is_staff=True)
    for _ in range(5):
        _sign_in(client, staff.email, "wrong", next=reverse("admin:index"))
    response = _sign_in(client, staff.email, next=reverse("admin:index"))
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


# --- SSO only --------------------------------------------------------------------------------


def _reload_urlconf():
    """allauth decides at import time which account URLs exist; rebuild them."""
    import allauth.account.urls
    import allauth.urls

    import learning_portal.urls

    original_admin_login = admin.site.login
    importlib.reload(allauth.account.urls)
    importlib.reload(allauth.urls)
    importlib.reload(learning_portal.urls)
    # Reloading the project URLs would wrap the admin login a second time.
    admin.site.login = original_admin_login
    clear_url_caches()


@pytest.fixture
def sso_only(settings):
    settings.SOCIALACCOUNT_ONLY = True
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers([OIDC], [], "employee_id")
    _reload_urlconf()
    yield settings
    settings.SOCIALACCOUNT_ONLY = False
    _reload_urlconf()


def test_sso_only_login_page_shows_only_the_sso_buttons(client, sso_only):
    content = client.get(reverse("account_login")).content.decode()
    assert "Sign in with your organization account" in content
    assert "Sign in with Microsoft Entra ID" in content
    assert 'id="id_password"' not in content
    assert "Forgot password?" not in content


def test_sso_only_refuses_password_login_posts(client, employee, sso_only):
    response = _sign_in(client, employee.user.email)
    assert response.status_code == 403
    assert _signed_in_user_id(client) is None


def test_sso_only_turns_password_reset_off(client, employee, sso_only):
    with pytest.raises(NoReverseMatch):
        reverse("account_reset_password")
    response = client.post("/accounts/password/reset/", {"email": employee.user.email})
    assert response.status_code == 404
    assert mail.outbox == []


def test_sso_only_without_providers_explains_how_to_get_in(client, sso_only):
    sso_only.SOCIALACCOUNT_PROVIDERS = {}
    content = client.get(reverse("account_login")).content.decode()
    assert "no identity provider is set up yet" in content


def test_sso_only_still_lets_people_sign_out(client, sso_only):
    employee = EmployeeFactory()
    client.force_login(employee.user)
    client.post(reverse("account_logout"))
    assert _signed_in_user_id(client) is None


# --- email addresses come from HR ------------------------------------------------------------


def test_email_addresses_cannot_be_added_or_changed_by_the_person(client, employee):
    client.force_login(employee.user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "me@elsewhere.example"})
    assert response.status_code == 302
    assert response.url == reverse("profile")
    employee.user.refresh_from_db()
    assert employee.user.email == "employee@example.org"
    assert not EmailAddress.objects.filter(email="me@elsewhere.example").exists()


# --- in a real browser -----------------------------------------------------------------------
# People are created in fixtures listed before `browser_page`: once Playwright's event loop
# runs, an ORM call would open a connection that outlives the test.


@pytest.fixture
def keyboard_user(transactional_db):
    return EmployeeFactory(user__email="keyboard@example.org", user__first_name="Kim").user


@pytest.fixture
def typo_user(transactional_db):
    return UserFactory(email="typo@example.org")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_with_the_keyboard_only(keyboard_user, browser_page):
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").focus()
    page.keyboard.type(keyboard_user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path == reverse("home"))
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("link", name="Kim").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_the_error_in_the_browser(typo_user, browser_login):
    page = browser_login(typo_user, "not-my-password")
    assert page.get_by_role("alert").inner_text().startswith("The email address and/or")
    assert page.get_by_role("link", name="Forgot password?").is_visible()


# --- every allauth page in the portal layout -------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_reset_password", "account_reset_password_done", "account_inactive"],
)
def test_signed_out_account_pages_use_the_portal_layout(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="skip-link"' in content
    assert "auth-page" in content


@pytest.mark.parametrize(
    "url_name",
    [
        "account_logout",
        "account_change_password",
        "socialaccount_connections",
        "account_reset_password_from_key_done",
    ],
)
def test_signed_in_account_pages_use_the_portal_layout(client, employee, url_name):
    client.force_login(employee.user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="skip-link"' in content
    assert "auth-page" in content
