import datetime as dt
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.widgets.factories import PlacementFactory
from widgets.models import (
    Dismissal,
    EmbedTokenRejection,
    TeamSuggestion,
    WidgetDailyCount,
)
from widgets.services import widget_counts_flush
from widgets.tokens import token_mint

pytestmark = pytest.mark.django_db
WIDGET = "/widgets/suggested/"
INTRANET = "https://intranet.example.org"


def token_get(client, token, **params):
    """Load the widget with a token as a browser on the intranet's page does (its Referer)."""
    return client.get(WIDGET, {"token": token, **params}, headers={"Referer": f"{INTRANET}/"})


def widget_session_of(response) -> str:
    """The widget session a token was exchanged for (hidden in the frame's forms)."""
    match = re.search(r'name="widget_session" value="([^"]+)"', response.content.decode())
    assert match, "no widget session in the frame"
    return match[1]


def mint(placement, employee, ttl=300, now=None):
    return token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee_id,
        ttl=ttl,
        now=now,
    )


def test_signed_in_employee_gets_the_employee_variant_with_calls_to_action(client_as, catalog_mix):
    client = client_as(EmployeeFactory())
    response = client.get(WIDGET)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-variant="employee"' in body
    assert "View and enroll" in body
    assert 'target="_top"' in body


def test_manager_gets_the_manager_variant(client_as, catalog_mix):
    client = client_as(EmployeeFactory(is_manager=True))
    body = client.get(WIDGET, {"variant": "manager"}).content.decode()
    assert 'data-variant="manager"' in body
    assert "Suggest to my team" in body


def test_anonymous_visitor_gets_generic_variant_with_sign_in_link(client, catalog_mix):
    response = client.get(WIDGET, {"variant": "manager"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-variant="generic"' in body
    assert "Sign in for suggestions picked for you" in body
    assert "Not interested" not in body


@pytest.mark.parametrize("is_manager", [False, True])
def test_warm_widget_request_runs_at_most_two_queries(
    client_as, catalog_mix, make_team, django_assert_max_num_queries, is_manager
):
    if is_manager:
        person, _ = make_team(5)
    else:
        person = EmployeeFactory()
    client = client_as(person)
    client.get(WIDGET)  # warms the shared caches
    with django_assert_max_num_queries(2):
        response = client.get(WIDGET)
    assert response.status_code == 200
    assert response.content.decode().count("lpw-card") >= 3


def test_warm_token_widget_request_runs_at_most_two_queries(
    client, catalog_mix, django_assert_max_num_queries
):
    placement = PlacementFactory()
    token = mint(placement, EmployeeFactory())
    token_get(client, token)
    with django_assert_max_num_queries(2):
        response = token_get(client, token)
    assert 'data-variant="employee"' in response.content.decode()


def test_widget_still_renders_from_the_database_when_the_cache_is_down(
    client_as, catalog_mix, settings
):
    client = client_as(EmployeeFactory())
    settings.CACHES = {
        "default": {
            "BACKEND": "learning_portal.core.cache.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get(WIDGET)
    assert response.status_code == 200
    assert response.content.decode().count("lpw-card") >= 3


def test_token_identifies_the_employee_without_a_session(client, catalog_mix):
    placement = PlacementFactory()
    manager = EmployeeFactory(is_manager=True)
    body = token_get(client, mint(placement, manager), variant="manager")
    assert 'data-variant="manager"' in body.content.decode()


@pytest.mark.parametrize("reason", ["tampered", "expired", "unknown_placement"])
def test_bad_token_falls_back_to_generic_and_is_counted(client, catalog_mix, reason):
    placement = PlacementFactory()
    person = EmployeeFactory()
    if reason == "tampered":
        token = mint(placement, person)[:-3] + "xyz"
    elif reason == "expired":
        token = mint(placement, person, ttl=60, now=time.time() - 120)
    else:
        token = "nope." + mint(placement, person).split(".", 1)[1]

    response = token_get(client, token)
    widget_counts_flush()

    assert response.status_code == 200
    assert 'data-variant="generic"' in response.content.decode()
    assert EmbedTokenRejection.objects.get(reason=reason).count == 1


def test_widget_may_be_framed_only_by_placement_origins(client, catalog_mix):
    PlacementFactory(origin="https://intranet.example.org")
    widget = client.get(WIDGET)
    catalog = client.get("/catalog/")

    assert "X-Frame-Options" not in widget
    assert (
        "frame-ancestors 'self' https://intranet.example.org" in widget["Content-Security-Policy"]
    )
    assert catalog["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in catalog["Content-Security-Policy"]


def test_widget_inline_style_is_allowed_by_hash_not_unsafe_inline(client, catalog_mix):
    policy = client.get(WIDGET)["Content-Security-Policy"]
    assert "'sha256-" in policy
    assert "unsafe-inline" not in policy


def test_click_through_opens_item_page_with_widget_attribution_and_is_counted(
    client_as, catalog_mix
):
    person = EmployeeFactory()
    client = client_as(person)
    item = catalog_mix["book"]
    response = client.get(reverse("widgets:go", args=[item.pk]), {"variant": "employee"})
    widget_counts_flush()

    assert response.status_code == 302
    assert response["Location"] == f"/catalog/{item.slug}/?source=widget_employee"
    row = WidgetDailyCount.objects.get(item=item, variant="employee")
    assert row.clicks == 1
    assert not Enrollment.objects.exists()


def test_click_through_to_an_item_outside_the_audience_is_404(client_as, db):
    hidden = ItemFactory(audiences=[AudienceFactory(managers_only=True)])
    client = client_as(EmployeeFactory())
    assert client.get(reverse("widgets:go", args=[hidden.pk])).status_code == 404


def test_dismiss_remembers_the_choice_without_touching_the_transcript(client_as, catalog_mix):
    person = EmployeeFactory()
    client = client_as(person)
    item = catalog_mix["podcast"]
    response = client.post(reverse("widgets:dismiss", args=[item.pk]), {"variant": "employee"})

    assert response.status_code == 302
    assert Dismissal.objects.filter(user=person.user, item=item).exists()
    assert item.title not in client.get(WIDGET).content.decode()
    assert not TranscriptEvent.objects.exists()


def test_dismiss_without_csrf_token_is_refused(catalog_mix):
    person = EmployeeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    response = client.post(reverse("widgets:dismiss", args=[catalog_mix["book"].pk]))
    assert response.status_code == 403
    assert not Dismissal.objects.exists()


def test_dismiss_with_token_needs_a_valid_widget_session(
    client, catalog_mix, django_capture_on_commit_callbacks
):
    placement = PlacementFactory()
    person = EmployeeFactory()
    url = reverse("widgets:dismiss_token", args=[catalog_mix["book"].pk])
    widget_session = widget_session_of(token_get(client, mint(placement, person)))

    assert client.post(url, {"widget_session": widget_session[:-2] + "zz"}).status_code == 403
    assert client.post(url, {}).status_code == 400
    # The intranet's token itself is not a widget session.
    assert client.post(url, {"widget_session": mint(placement, person)}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"widget_session": widget_session, "variant": "employee"})
    assert response.status_code == 200
    assert 'name="widget_session"' in response.content.decode()
    again = client.post(url, {"widget_session": widget_session, "variant": "employee"})
    assert catalog_mix["book"].title not in again.content.decode()
    assert Dismissal.objects.filter(user=person.user).count() == 1


def test_manager_suggests_to_team_without_enrolling_anyone(client_as, catalog_mix, make_team):
    manager, reports = make_team(5)
    client = client_as(manager)
    item = catalog_mix["book"]
    response = client.post(reverse("widgets:suggest", args=[item.pk]), {"variant": "manager"})

    assert response.status_code == 302
    assert TeamSuggestion.objects.filter(manager=manager, item=item).exists()
    assert not Enrollment.objects.exists()
    assert not TranscriptEvent.objects.exists()


def test_non_manager_cannot_suggest_to_a_team(client_as, catalog_mix):
    person = EmployeeFactory(is_manager=False)
    client = client_as(person)
    response = client.post(reverse("widgets:suggest", args=[catalog_mix["book"].pk]))
    assert response.status_code == 302
    assert "notice=not_manager" in response["Location"]
    assert not TeamSuggestion.objects.exists()


def test_team_page_shows_uptake_as_a_count_only_where_it_points_at_nobody(
    client_as, catalog_mix, make_team
):
    item = catalog_mix["book"]
    now = timezone.now()
    big_manager, big_team = make_team(12)
    small_manager, small_team = make_team(5)
    for manager in (big_manager, small_manager):
        TeamSuggestion.objects.create(
            manager=manager, item=item, created_at=now, expires_at=now + dt.timedelta(days=28)
        )
    for person in (*big_team[:6], small_team[0], small_team[1]):
        Enrollment.objects.create(user=person.user, item=item, status="enrolled")

    big_page = client_as(big_manager).get(reverse("widgets:team")).content.decode()
    small_page = client_as(small_manager).get(reverse("widgets:team")).content.decode()

    assert "6 of 12" in big_page
    assert "not shown" in small_page
    assert "2 of 5" not in small_page
    for person in big_team:
        assert person.user.last_name not in big_page


def test_team_page_is_not_for_employees(client_as, db):
    assert client_as(EmployeeFactory()).get(reverse("widgets:team")).status_code == 404


def test_json_api_answers_cors_only_for_placement_origins(client, catalog_mix):
    placement = PlacementFactory(origin="https://intranet.example.org")
    token = mint(placement, EmployeeFactory())
    bearer = {"Authorization": f"Bearer {token}"}
    allowed = client.get(
        "/widgets/api/suggestions/", headers={**bearer, "Origin": "https://intranet.example.org"}
    )
    other = client.get(
        "/widgets/api/suggestions/", headers={**bearer, "Origin": "https://evil.example.com"}
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://intranet.example.org"
    assert "Access-Control-Allow-Origin" not in other
    data = allowed.json()
    assert data["variant"] == "employee"
    assert data["signed_in"] is True
    assert len(data["suggestions"]) >= 3
    assert all(s["reason"] and s["url"].startswith("http") for s in data["suggestions"])


def test_counts_are_aggregates_without_any_user(client_as, catalog_mix):
    big = DepartmentFactory(name="Emergency Medicine")
    people = [EmployeeFactory(department=big) for _ in range(5)]
    small_person = EmployeeFactory(department=DepartmentFactory(name="Chaplaincy"))
    for person in people[:2] + [small_person]:
        client_as(person).get(WIDGET)
    widget_counts_flush()

    field_names = {f.name for f in WidgetDailyCount._meta.get_fields()}
    assert not field_names & {"user", "user_id", "employee", "person"}
    by_department = WidgetDailyCount.objects.filter(department=big)
    # Two people in the department, four suggestions each.
    assert sum(row.impressions for row in by_department) == 8
    # Chaplaincy has fewer than 5 people: its views are counted without the department.
    assert not WidgetDailyCount.objects.filter(department__name="Chaplaincy").exists()
    assert WidgetDailyCount.objects.filter(department__isnull=True).exists()


def test_embed_script_is_served_as_javascript(client):
    response = client.get("/widgets/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"learning-portal-widget:height" in b"".join(response.streaming_content)


def test_embed_admin_page_is_for_learning_admins_only(client_as, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    PlacementFactory(name="Main intranet")
    assert "Main intranet" in client_as(admin).get("/widgets/embed/").content.decode()
    assert client_as(EmployeeFactory()).get("/widgets/embed/").status_code == 403


def test_widget_token_command_mints_a_verifiable_token(capsys, db):
    placement = PlacementFactory()
    person = EmployeeFactory()
    call_command("widget_token", person.user.email, "--ttl", "120")
    token = capsys.readouterr().out.strip()

    from widgets.tokens import token_verify

    assert token_verify(token=token, secret=placement.secret).employee_id == person.employee_id


def warm_widget(client) -> str:
    """The widget's HTML at its largest size (cached after the first request)."""
    return client.get(WIDGET, {"limit": 6}).content.decode()


def test_enrolling_takes_the_item_out_of_a_warm_widget_at_once(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    from enrollment.services import enrollment_create

    person = EmployeeFactory()
    client = client_as(person)
    item = catalog_mix["book"]
    assert item.title in warm_widget(client)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(user=person.user, item=item, offering=None, source="catalog")

    assert item.title not in warm_widget(client)


def test_dismissing_takes_the_item_out_of_a_warm_widget_at_once(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    client = client_as(EmployeeFactory())
    item = catalog_mix["video"]
    assert item.title in warm_widget(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("widgets:dismiss", args=[item.pk]), {"variant": "employee"})

    assert item.title not in warm_widget(client)


def test_warm_widget_fills_per_response_values_into_the_cached_fragment(client, catalog_mix):
    placement = PlacementFactory()
    person = EmployeeFactory()
    first, second = mint(placement, person), mint(placement, person, ttl=400)
    token_get(client, first, frame="lp-widget-a")
    body = token_get(client, second, frame="lp-widget-b").content.decode()

    assert 'name="widget_session" value="' in body
    assert first not in body
    assert second not in body
    assert 'data-frame-id="lp-widget-b"' in body
    assert "@@lpw-slot" not in body


def test_hostile_token_and_frame_values_are_never_echoed(client, catalog_mix):
    body = token_get(
        client, '"><script>alert(1)</script>', frame='"><img src=x onerror=1>'
    ).content.decode()

    assert "<script>alert" not in body
    assert "<img" not in body
    # Reduced to characters that need no escaping.
    assert 'data-frame-id="imgsrcxonerror1"' in body
    assert 'data-variant="generic"' in body


def test_warm_request_is_served_from_the_persons_fragment_without_sql(
    client_as, client, catalog_mix, django_assert_num_queries
):
    placement = PlacementFactory()
    person = EmployeeFactory()
    session_client = client_as(person)
    session_client.get(WIDGET)
    token = mint(placement, EmployeeFactory())
    token_get(client, token)

    with django_assert_num_queries(0):
        session_body = session_client.get(WIDGET).content.decode()
        token_body = token_get(client, token).content.decode()

    assert 'data-variant="employee"' in session_body
    assert 'data-variant="employee"' in token_body


def test_a_session_with_another_auth_hash_is_checked_in_full(client_as, catalog_mix):
    person = EmployeeFactory()
    client = client_as(person)
    client.get(WIDGET)
    session = client.session
    session["_auth_user_hash"] = "not-the-hash-django-verified"
    session.save()

    body = client.get(WIDGET).content.decode()

    # Django's own check refuses the session, so the person gets the signed-out variant.
    assert 'data-variant="generic"' in body


def test_manager_suggests_to_team_from_the_item_page_and_returns_there(
    client_as, catalog_mix, make_team
):
    manager, _ = make_team(2)
    client = client_as(manager)
    item = catalog_mix["book"]
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Suggest to my team" in page

    response = client.post(
        reverse("widgets:suggest", args=[item.pk]),
        {"from": "portal", "next": item.get_absolute_url()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == item.get_absolute_url()
    assert f"Suggested “{item.title}” to your team." in response.content.decode()
    assert TeamSuggestion.objects.filter(manager=manager, item=item).exists()


def test_item_page_offers_no_team_suggestion_to_employees(client_as, catalog_mix):
    page = client_as(EmployeeFactory()).get(catalog_mix["book"].get_absolute_url())
    assert "Suggest to my team" not in page.content.decode()


def test_suggest_from_the_portal_never_redirects_to_another_site(client_as, catalog_mix, make_team):
    manager, _ = make_team(2)
    response = client_as(manager).post(
        reverse("widgets:suggest", args=[catalog_mix["book"].pk]),
        {"from": "portal", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("widgets:team")


def test_team_page_refuses_a_malformed_withdrawal(client_as, make_team):
    manager, _ = make_team(2)
    response = client_as(manager).post(reverse("widgets:team"), {"suggestion": "abc"})
    assert response.status_code == 400
