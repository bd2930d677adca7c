"""The cached fragment: what a warm widget serves, and what takes an item out of it at once."""

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
