import time

import pytest
from django.core.management import call_command

from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.widgets.factories import PlacementFactory
from tests.widgets.helpers import WIDGET, mint, token_get
from widgets.models import (
    EmbedTokenRejection,
    WidgetDailyCount,
)
from widgets.services import widget_counts_flush

pytestmark = pytest.mark.django_db


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


def test_widget_frame_follows_the_organisations_colour_under_its_csp_hash(
    client, catalog_mix, settings
):
    import base64
    import hashlib
    import re

    from learning_portal.core import branding

    settings.PORTAL_PRIMARY_COLOUR = "#7a1f5c"
    settings.PORTAL_NAME = "St Elsewhere Learning"
    client.get(WIDGET)  # a fragment cached under the colour before
    settings.PORTAL_PRIMARY_COLOUR = "#00703c"

    response = client.get(WIDGET)
    body = response.content.decode()
    (style,) = re.findall(r"<style>(.*?)</style>", body, re.S)
    brand = branding.palette("#00703c")

    assert f"--brand:{brand['--brand']};" in style
    assert f"--brand-tint:{brand['--brand-tint']};" in style
    assert "#7a1f5c" not in style
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response["Content-Security-Policy"]
    assert "Browse all learning on St Elsewhere Learning" in body
