"""What people do in the widget and on its pages: click through, hide, suggest to their team."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.people.factories import EmployeeFactory
from tests.widgets.factories import PlacementFactory
from tests.widgets.helpers import WIDGET, mint, token_get, widget_session_of
from widgets.models import (
    Dismissal,
    TeamSuggestion,
    WidgetDailyCount,
)
from widgets.services import widget_counts_flush

pytestmark = pytest.mark.django_db


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

    assert "5 of 12" in big_page  # 6, shown rounded to the nearest 5
    assert "not shown" in small_page
    assert "2 of 5" not in small_page
    # Full names and emails: a bare surname can be a word of the page ("Le" in "Learning").
    for person in big_team:
        assert person.user.get_full_name() not in big_page
        assert person.user.email not in big_page


def test_team_page_is_not_for_employees(client_as, db):
    assert client_as(EmployeeFactory()).get(reverse("widgets:team")).status_code == 404


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
