"""The cached fragment: what a warm widget serves, and what takes an item out of it at once."""

import re

import pytest
from django.urls import reverse

from tests.people.factories import EmployeeFactory
from tests.widgets.factories import PlacementFactory
from tests.widgets.helpers import WIDGET, mint, token_get, warm_widget

pytestmark = pytest.mark.django_db


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


def test_stored_fragment_leaves_out_the_stylesheet_which_each_response_carries(
    client_as, catalog_mix
):
    from django.core.cache import cache

    from widgets import fragments
    from widgets.views import frame_css

    person = EmployeeFactory()
    body = client_as(person).get(WIDGET).content.decode()
    key = fragments.fragment_key(subject=f"user:{person.user.pk}", variant="", limit=4)
    stored = cache.get(key)

    css = frame_css()[0]
    assert f"<style>{css}</style>" in body
    assert css not in stored.html
    assert stored.item_ids
    assert all(f'data-item="{item_id}"' in body for item_id in stored.item_ids)


def test_a_card_shared_by_two_people_shows_each_their_own_reason(client, client_as, catalog_mix):
    from widgets.services import interests_set

    safety = catalog_mix["course"].topics.get()
    interested, other = EmployeeFactory(), EmployeeFactory()
    interests_set(employee=interested, topics=[safety])

    first = client_as(other).get(WIDGET, {"limit": 6}).content.decode()
    client.logout()
    second = client_as(interested).get(WIDGET, {"limit": 6}).content.decode()

    assert "Matches your interest in Patient safety" in second
    assert "Matches your interest" not in first
    assert "@@lpw-" not in first + second


def test_an_edited_title_shows_in_the_next_fragment(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    item = catalog_mix["video"]
    assert item.title in client_as(EmployeeFactory()).get(WIDGET, {"limit": 6}).content.decode()

    item.title = "Hand hygiene in four minutes"
    with django_capture_on_commit_callbacks(execute=True):
        item.save()  # as the admin does
    body = client_as(EmployeeFactory()).get(WIDGET, {"limit": 6}).content.decode()

    assert "Hand hygiene in four minutes" in body
    assert "Hand hygiene in five minutes" not in body


def test_a_sessions_date_on_a_shared_card_is_in_each_readers_zone(client, client_as, db):
    import datetime as dt

    from django.utils import timezone

    from people.middleware import TIME_ZONE_SESSION_KEY
    from tests.catalog.factories import OfferingFactory

    starts = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0)
    starts = starts.astimezone(dt.UTC) + dt.timedelta(days=20)
    OfferingFactory(item__title="Night shift workshop", item__popularity=90, starts_at=starts)

    def card_date(zone):
        client.logout()
        client_as(EmployeeFactory())
        session = client.session
        session[TIME_ZONE_SESSION_KEY] = zone
        session.save()
        body = client.get(WIDGET, {"limit": 6}).content.decode()
        card = r"<h3>Night shift workshop</h3>\s*<p[^>]*>[^<]*next session ([^<]+)<"
        return re.search(card, body)[1]

    assert card_date("UTC") != card_date("Pacific/Kiritimati")


def test_a_fragment_is_served_for_five_minutes_from_its_render_not_to_a_shared_boundary(
    client_as, catalog_mix, django_assert_num_queries
):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from widgets.selectors import POOL_TTL_SECONDS

    # Rendered ten seconds before a five-minute mark, when every fragment used to expire.
    boundary = (int(timezone.now().timestamp()) // POOL_TTL_SECONDS + 1) * POOL_TTL_SECONDS
    rendered = dt.datetime.fromtimestamp(boundary - 10, tz=dt.UTC)
    client = client_as(EmployeeFactory())
    with time_machine.travel(rendered, tick=False):
        client.get(WIDGET)

    with (
        time_machine.travel(rendered + dt.timedelta(seconds=20), tick=False),
        django_assert_num_queries(0),
    ):
        assert client.get(WIDGET).status_code == 200
    with time_machine.travel(rendered + dt.timedelta(seconds=POOL_TTL_SECONDS + 1), tick=False):
        body = client.get(WIDGET).content.decode()
    assert 'data-variant="employee"' in body


def test_choosing_a_learning_language_renews_a_warm_widget_at_once(
    client_as, catalog_mix, django_capture_on_commit_callbacks
):
    from catalog.models import Item
    from people.services import user_language_set
    from tests.catalog.factories import ItemFactory

    welsh = ItemFactory(
        title="Cyfathrebu â chleifion", format=Item.Format.COURSE, popularity=1, language="cy"
    )
    person = EmployeeFactory()
    client = client_as(person)
    assert welsh.title not in client.get(WIDGET, {"limit": 3}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        user_language_set(user=person.user, language="cy")

    assert welsh.title in client.get(WIDGET, {"limit": 3}).content.decode()
