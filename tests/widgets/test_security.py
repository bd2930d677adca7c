"""The widget's hot path keeps every rule a full request keeps (issue 10 items 4, 7 and 8)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from people.models import User
from people.services import people_import
from tests.catalog.factories import AudienceFactory
from tests.people.factories import EmployeeFactory
from tests.widgets.factories import PlacementFactory
from widgets.identity import WIDGET_SESSION_COOKIE
from widgets.tokens import token_mint

pytestmark = pytest.mark.django_db
WIDGET = "/widgets/suggested/"
INTRANET = "https://intranet.example.org"


def personal(body: str) -> bool:
    return 'data-variant="employee"' in body or 'data-variant="manager"' in body


def mint(placement, employee, ttl=300):
    return token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee_id,
        ttl=ttl,
    )


# -- item 8: sessions and people Django has invalidated ----------------------------------------


def test_after_a_password_change_an_old_session_gets_no_personal_widget(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    person = EmployeeFactory()
    stolen = client_as(person)
    assert personal(stolen.get(WIDGET).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        user = User.objects.get(pk=person.user_id)
        user.set_password("A-new-password-2026")
        user.save()

    assert not personal(stolen.get(WIDGET).content.decode())


def test_a_deactivated_persons_session_gets_no_personal_widget(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    person = EmployeeFactory()
    client = client_as(person)
    assert personal(client.get(WIDGET).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        user = User.objects.get(pk=person.user_id)
        user.is_active = False
        user.save()

    assert not personal(client.get(WIDGET).content.decode())


def test_a_deactivated_employees_token_gets_no_personal_widget(
    client, catalog_mix, django_capture_on_commit_callbacks
):
    placement = PlacementFactory(origin=INTRANET)
    person = EmployeeFactory(employee_id="E77", user__email="leaver@example.org")
    token = mint(placement, person)
    first = client.get(WIDGET, {"token": token}, headers={"Referer": f"{INTRANET}/"})
    assert personal(first.content.decode())
    keep = EmployeeFactory(employee_id="E78", user__email="stays@example.org")

    # The nightly full feed no longer lists them: a bulk deactivation, no save() per user.
    feed = b"employee_id,email,first_name,last_name\nE78,stays@example.org,Sam,Stay\n"
    with django_capture_on_commit_callbacks(execute=True):
        people_import(file=feed, deactivate_missing=True, force=True)
    assert not User.objects.get(pk=person.user_id).is_active
    assert keep.user.is_active

    again = client.get(WIDGET, {"token": token}, headers={"Referer": f"{INTRANET}/"})
    assert not personal(again.content.decode())


def test_a_logged_out_session_gets_no_personal_widget(client_as, catalog_mix):
    person = EmployeeFactory()
    client = client_as(person)
    client.get(WIDGET)
    session_cookie = client.cookies["sessionid"].value

    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies["sessionid"] = session_cookie

    assert not personal(replay.get(WIDGET).content.decode())
    assert SESSION_KEY not in replay.session


def test_an_unrelated_save_does_not_cost_the_warm_widget(
    client_as, catalog_mix, django_capture_on_commit_callbacks, django_assert_num_queries
):
    person = EmployeeFactory()
    client = client_as(person)
    client.get(WIDGET)

    with django_capture_on_commit_callbacks(execute=True):
        User.objects.get(pk=person.user_id).save(update_fields=["last_login"])

    with django_assert_num_queries(0):
        assert personal(client.get(WIDGET).content.decode())


# -- item 4: a visibility change reaches the widget before the next request ---------------------


def widget_titles(client) -> str:
    # The most suggestions a widget shows: every item the person may see in catalog_mix.
    return client.get(WIDGET, {"limit": 6}).content.decode()


def api_titles(client) -> str:
    return client.get("/widgets/api/suggestions/", {"limit": 6}).content.decode()


def test_a_newly_restricted_item_leaves_the_warm_widget_at_once(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    client = client_as(EmployeeFactory())
    item = catalog_mix["course"]
    assert item.title in widget_titles(client)
    assert item.title in api_titles(client)

    with django_capture_on_commit_callbacks(execute=True):
        item.audiences.add(AudienceFactory(name="Pharmacy only", managers_only=True))

    assert item.title not in widget_titles(client)
    assert item.title not in api_titles(client)
    assert item.title not in client.get("/").content.decode()


def test_an_unpublished_item_leaves_the_warm_widget_at_once(
    client_as, client, catalog_mix, django_capture_on_commit_callbacks
):
    signed_in = client_as(EmployeeFactory())
    item = catalog_mix["video"]
    anonymous = Client()
    assert item.title in widget_titles(signed_in)
    assert item.title in widget_titles(anonymous)

    with django_capture_on_commit_callbacks(execute=True):
        item.is_published = False
        item.save()

    assert item.title not in widget_titles(signed_in)
    assert item.title not in widget_titles(anonymous)


def test_an_item_whose_publish_window_closes_leaves_the_widget_then(client_as, catalog_mix):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from catalog.models import Item

    item = catalog_mix["video"]
    closes = timezone.now() + dt.timedelta(minutes=2)
    Item.objects.filter(pk=item.pk).update(publish_end=closes)
    client = client_as(EmployeeFactory())
    with time_machine.travel(closes - dt.timedelta(seconds=30), tick=False):
        assert item.title in widget_titles(client)
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        assert item.title not in widget_titles(client)


# -- item 7: the embed token stays out of URLs, is bound to its origin, lives briefly ----------


def token_get(client, token, referer=f"{INTRANET}/", **params):
    headers = {"Referer": referer} if referer else {}
    return client.get(WIDGET, {"token": token, **params}, headers=headers)


def widget_cookie(response) -> str:
    header = response["Set-Cookie"]
    name, _, rest = header.partition("=")
    assert name == WIDGET_SESSION_COOKIE
    return rest.split(";", 1)[0]


def test_the_token_is_exchanged_once_and_never_put_back_into_a_url(client, catalog_mix):
    placement = PlacementFactory(origin=INTRANET)
    token = mint(placement, EmployeeFactory())

    response = token_get(client, token)

    body = response.content.decode()
    assert personal(body)
    assert token not in body
    assert "token=" not in body
    cookie = response["Set-Cookie"]
    for attribute in ("Path=/widgets/", "HttpOnly", "Max-Age=900"):
        assert attribute in cookie


def test_over_https_the_widget_session_cookie_is_partitioned(client, catalog_mix, settings):
    placement = PlacementFactory(origin=INTRANET)

    response = client.get(
        WIDGET, {"token": mint(placement, EmployeeFactory())}, secure=True,
        headers={"Referer": f"{INTRANET}/"},
    )  # fmt: skip

    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in response["Set-Cookie"]


def test_the_widget_session_cookie_reloads_the_personal_frame(client, catalog_mix):
    placement = PlacementFactory(origin=INTRANET)
    first = token_get(client, mint(placement, EmployeeFactory()))
    reload = Client()
    reload.cookies[WIDGET_SESSION_COOKIE] = widget_cookie(first)

    assert personal(reload.get(WIDGET).content.decode())


def test_embed_js_posts_the_token_into_the_frame(client, catalog_mix):
    placement = PlacementFactory(origin=INTRANET)
    script = client.get("/widgets/embed.js").getvalue().decode()
    assert 'form.method = "post"' in script
    assert "form.target = frameId" in script

    response = client.post(
        WIDGET,
        {"token": mint(placement, EmployeeFactory()), "variant": "employee", "frame": "f1"},
        headers={"Origin": INTRANET},
    )
    assert response.status_code == 200
    assert personal(response.content.decode())
    assert client.post(WIDGET, {"variant": "employee"}).status_code == 400


@pytest.mark.parametrize(
    "referer", ["https://evil.example.com/page", "https://intranet.example.org.evil.com/", None]
)
def test_a_token_from_another_page_is_refused(client, catalog_mix, referer):
    from widgets.models import EmbedTokenRejection
    from widgets.services import widget_counts_flush

    placement = PlacementFactory(origin=INTRANET)

    response = token_get(client, mint(placement, EmployeeFactory()), referer=referer)
    widget_counts_flush()

    assert 'data-variant="generic"' in response.content.decode()
    assert "Set-Cookie" not in response or WIDGET_SESSION_COOKIE not in response["Set-Cookie"]
    assert EmbedTokenRejection.objects.get(reason="wrong_origin").count == 1


def test_tokens_live_fifteen_minutes_at_most(client, catalog_mix):
    import time

    from django.core import signing

    from widgets.tokens import SALT, token_mint

    placement = PlacementFactory(origin=INTRANET)
    person = EmployeeFactory()
    with pytest.raises(ValueError, match="ttl"):
        token_mint(placement_key=placement.key, secret=placement.secret,
                   employee_id=person.employee_id, ttl=3600)  # fmt: skip
    signer = signing.TimestampSigner(key=placement.secret, salt=SALT, fallback_keys=[])
    long_lived = (
        placement.key
        + "."
        + signer.sign_object({"e": person.employee_id, "x": int(time.time()) + 3600}, compress=True)
    )

    assert not personal(token_get(client, long_lived).content.decode())


def test_a_widget_session_ends_after_fifteen_minutes(client, catalog_mix):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    placement = PlacementFactory(origin=INTRANET)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        value = widget_cookie(token_get(client, mint(placement, EmployeeFactory())))
    later = Client()
    later.cookies[WIDGET_SESSION_COOKIE] = value
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        assert personal(later.get(WIDGET).content.decode())
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert not personal(later.get(WIDGET).content.decode())


def test_rotating_the_secret_ends_widget_sessions(
    client, catalog_mix, django_capture_on_commit_callbacks
):
    from widgets.services import placement_rotate_secret

    placement = PlacementFactory(origin=INTRANET)
    later = Client()
    later.cookies[WIDGET_SESSION_COOKIE] = widget_cookie(
        token_get(client, mint(placement, EmployeeFactory()))
    )
    assert personal(later.get(WIDGET).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        placement_rotate_secret(placement=placement)

    assert not personal(later.get(WIDGET).content.decode())


def test_the_json_api_takes_the_token_in_a_header_only(client, catalog_mix):
    placement = PlacementFactory(origin=INTRANET)
    token = mint(placement, EmployeeFactory())
    api = "/widgets/api/suggestions/"

    in_url = client.get(api, {"token": token}, headers={"Origin": INTRANET}).json()
    in_header = client.get(
        api, headers={"Authorization": f"Bearer {token}", "Origin": INTRANET}
    ).json()
    elsewhere = client.get(
        api, headers={"Authorization": f"Bearer {token}", "Origin": "https://evil.example.com"}
    ).json()

    assert in_url["signed_in"] is False
    assert in_header["signed_in"] is True
    assert elsewhere["signed_in"] is False
    assert all("token" not in s["url"] for s in in_header["suggestions"])


def test_tokens_are_scrubbed_from_logs():
    import logging

    from django.conf import settings

    from learning_portal.core.logging import RedactSecretsFilter, redact

    assert redact("GET /widgets/suggested/?variant=x&token=intranet.eyJlIjoi:1q:abc HTTP/1.1") == (
        "GET /widgets/suggested/?variant=x&token=[redacted] HTTP/1.1"
    )
    assert redact("widget_session=abc.def:1x:sig; lpw_session=zzz") == (
        "widget_session=[redacted]; lpw_session=[redacted]"
    )
    record = logging.LogRecord("django.request", logging.WARNING, "", 0,
                               "Bad request: %s", ("/w/?token=secret-value",), None)  # fmt: skip
    assert RedactSecretsFilter().filter(record)
    assert "secret-value" not in record.getMessage()
    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]


def test_gunicorn_access_log_lines_are_scrubbed():
    from learning_portal.core.logging import redacted_environ

    environ = {
        "RAW_URI": "/widgets/suggested/?token=intranet.abc:1:sig&variant=employee",
        "QUERY_STRING": "token=intranet.abc:1:sig&variant=employee",
        "PATH_INFO": "/widgets/suggested/",
        "HTTP_REFERER": "https://intranet.example.org/?token=x",
    }

    cleaned = redacted_environ(environ)

    assert "abc" not in cleaned["RAW_URI"] + cleaned["QUERY_STRING"]
    assert cleaned["RAW_URI"] == "/widgets/suggested/?token=[redacted]&variant=employee"
    assert environ["RAW_URI"].startswith("/widgets/suggested/?token=intranet.abc")
