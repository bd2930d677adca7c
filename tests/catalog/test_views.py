"""Catalog pages: who sees which item (audiences, unpublished, previews) and what the item
page shows."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Item
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import LIST_URL
from tests.people.factories import EmployeeFactory


@pytest.fixture
def restricted_item(pharmacy):
    return ItemFactory(
        title="Controlled drugs register",
        provider="Hidden Provider Ltd",
        format=Item.Format.PODCAST,
        topics=[TopicFactory(name="Secret topic", slug="secret-topic")],
        audiences=[AudienceFactory(departments=[pharmacy])],
    )


@pytest.fixture
def pharmacist(pharmacy):
    return EmployeeFactory(department=pharmacy)


@pytest.mark.django_db
def test_restricted_item_is_absent_from_list_counts_facets_and_search_for_outsiders(
    client_as, employee, restricted_item, make_item
):
    make_item(title="Open course", provider="Open Provider")

    for url in (LIST_URL, f"{LIST_URL}?q=controlled", f"{LIST_URL}?format=podcast"):
        response = client_as(employee).get(url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Controlled drugs register" not in content
        assert "Hidden Provider Ltd" not in content
        assert "Secret topic" not in content
    assert client_as(employee).get(LIST_URL).context["total"] == 1


@pytest.mark.django_db
def test_restricted_item_is_listed_with_a_badge_for_its_audience(
    client_as, pharmacist, restricted_item
):
    response = client_as(pharmacist).get(LIST_URL)

    assert response.context["total"] == 1
    assert "Controlled drugs register" in response.content.decode()
    assert 'class="badge badge-restricted"' in response.content.decode()


@pytest.mark.django_db
def test_restricted_item_detail_is_404_for_outsiders_and_shown_to_its_audience(
    client, client_as, employee, pharmacist, restricted_item
):
    url = restricted_item.get_absolute_url()

    assert client.get(url).status_code == 404
    assert client_as(employee).get(url).status_code == 404
    response = client_as(pharmacist).get(url)
    assert response.status_code == 200
    assert "Preview" not in response.content.decode()


@pytest.mark.django_db
def test_unpublished_item_is_404_for_learners(client_as, employee):
    draft = ItemFactory(is_published=False)

    assert client_as(employee).get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_catalog_admin_previews_unpublished_and_restricted_items_with_a_notice(
    client_as, restricted_item
):
    admin = EmployeeFactory()
    admin.user.user_permissions.add(Permission.objects.get(codename="change_item"))
    draft = ItemFactory(title="Draft course", is_published=False)
    public = ItemFactory(title="Public course")

    for item in (draft, restricted_item):
        response = client_as(admin).get(item.get_absolute_url())
        assert response.status_code == 200
        assert "Preview — not visible to everyone" in response.content.decode()
    response = client_as(admin).get(public.get_absolute_url())
    assert "Preview — not visible to everyone" not in response.content.decode()


@pytest.mark.django_db
def test_item_page_shows_facts_topics_sanitized_description_and_sessions(client):
    topic = TopicFactory(name="Patient safety", slug="patient-safety")
    item = ItemFactory(
        title="Falls prevention",
        delivery=Item.Delivery.SCHEDULED,
        format=Item.Format.LIVE_SESSION,
        duration_minutes=90,
        level=Item.Level.INTERMEDIATE,
        language="fr",
        provider="Safety Academy",
        description="## Why\n\n<script>alert('x')</script>**Fewer falls**",
        topics=[topic],
    )
    starts = dt.datetime(2031, 3, 4, 9, 30, tzinfo=dt.UTC)
    OfferingFactory(
        item=item,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        timezone="America/New_York",
        location="Ward 5 seminar room",
        capacity=12,
    )
    OfferingFactory(
        item=item,
        starts_at=starts + dt.timedelta(days=1),
        ends_at=starts + dt.timedelta(days=1, hours=1),
        online_url="https://video.example.org/room",
        capacity=None,
    )

    content = client.get(item.get_absolute_url()).content.decode()

    for fact in ("Falls prevention", "Live session", "1 h 30 min", "Intermediate", "French"):
        assert fact in content
    assert "Safety Academy" in content
    assert f'href="{LIST_URL}?topic=patient-safety"' in content
    assert "<strong>Fewer falls</strong>" in content
    assert "<script>alert" not in content
    # Shown in the viewer's zone (the organisation's, London), with the session's own:
    # 09:30 UTC is 04:30 in New York in March (before daylight saving time starts).
    assert 'Tue 4 Mar 2031, 09:30–11:30</time> <span class="session-zone">London time' in content
    assert "(04:30–06:30 New York time, where it is held)" in content
    for session_fact in ("Ward 5 seminar room", "12 seats left", "Online"):
        assert session_fact in content
    assert "Open seats" in content


@pytest.mark.django_db
def test_item_page_hides_cancelled_and_past_sessions(client):
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    OfferingFactory(item=item, status="cancelled", location="Cancelled room")
    past = timezone.now() - dt.timedelta(days=3)
    OfferingFactory(item=item, starts_at=past, location="Past room")

    content = client.get(item.get_absolute_url()).content.decode()

    assert "Cancelled room" not in content
    assert "Past room" not in content
    assert "No sessions are scheduled at the moment" in content


@pytest.mark.django_db
def test_list_shows_the_next_session_date(client):
    item = ItemFactory(title="Scheduled thing")
    OfferingFactory(item=item, starts_at=dt.datetime(2031, 5, 6, 13, 0, tzinfo=dt.UTC))

    content = client.get(LIST_URL).content.decode()

    assert "Next session" in content
    assert "6 May 2031" in content


@pytest.mark.django_db
def test_item_page_of_an_open_item_asks_neither_audiences_nor_permissions(client_as, employee):
    item = ItemFactory()
    client = client_as(employee)
    client.get(LIST_URL)  # the session, as any signed-in request before

    with CaptureQueriesContext(connection) as queries:
        assert client.get(item.get_absolute_url()).status_code == 200

    assert not [q for q in queries if '"auth_permission"' in q["sql"]]
    # The circles on the item follow their own rule (the circle's item's audience), once.
    audience_rules = [q for q in queries if '"catalog_audience' in q["sql"]]
    assert [q for q in audience_rules if "circles_circle" not in q["sql"]] == []
