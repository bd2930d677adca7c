"""Placements in the admin: the secret is shown once, and every change is logged."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from people.models import AccessChange
from people.roles import LEARNING_ADMIN, role_group
from tests.people.factories import UserFactory
from tests.widgets.factories import PlacementFactory
from widgets.models import Placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning_admin():
    user = UserFactory(email="curator@example.org", is_staff=True)
    user.groups.add(role_group(LEARNING_ADMIN))
    return user


def test_placement_secret_is_never_shown_in_clear_after_creation(client_as, learning_admin):
    placement = PlacementFactory()

    page = client_as(learning_admin).get(
        reverse("admin:widgets_placement_change", args=[placement.pk])
    )

    assert page.status_code == 200
    assert placement.secret not in page.content.decode()
    assert placement.secret[-4:] in page.content.decode()


def test_new_placement_shows_its_secret_once(client_as, learning_admin):
    client = client_as(learning_admin)
    response = client.post(
        reverse("admin:widgets_placement_add"),
        {
            "name": "Intranet",
            "key": "intranet",
            "origin": "https://intranet.example.org",
            "default_variant": "employee",
            "is_active": "on",
        },
    )

    placement = Placement.objects.get()
    assert response.status_code == 200
    assert placement.secret in response.content.decode()
    assert not any(placement.secret in str(m) for m in get_messages(response.wsgi_request))
    later = client.get(reverse("admin:widgets_placement_change", args=[placement.pk]))
    assert placement.secret not in later.content.decode()


def test_a_secret_cannot_be_typed_in_through_the_form(client_as, learning_admin):
    placement = PlacementFactory()
    old = placement.secret

    client_as(learning_admin).post(
        reverse("admin:widgets_placement_change", args=[placement.pk]),
        {
            "name": placement.name,
            "key": placement.key,
            "origin": placement.origin,
            "default_variant": placement.default_variant,
            "is_active": "on",
            "secret": "chosen-by-the-attacker",
        },
    )

    placement.refresh_from_db()
    assert placement.secret == old


def test_placement_changes_and_rotations_are_logged(client_as, learning_admin):
    placement = PlacementFactory(origin="https://old.example.org")
    client = client_as(learning_admin)

    client.post(
        reverse("admin:widgets_placement_change", args=[placement.pk]),
        {
            "name": placement.name,
            "key": placement.key,
            "origin": "https://new.example.org",
            "default_variant": placement.default_variant,
            "is_active": "on",
        },
    )
    client.post(
        reverse("admin:widgets_placement_changelist"),
        {"action": "rotate_secret", "_selected_action": [placement.pk]},
    )

    changes = list(
        AccessChange.objects.filter(kind=AccessChange.Kind.PLACEMENT).values_list(
            "actor__email", "target", "change"
        )
    )
    assert (
        "curator@example.org",
        placement.key,
        "origin: https://old.example.org → https://new.example.org",
    ) in changes
    assert ("curator@example.org", placement.key, "secret rotated") in changes


@pytest.mark.parametrize(
    "origin",
    [
        "https://*",
        "https://*.example.org",
        "https://intranet.example.org;script-src",
        "https://intranet.example.org 'unsafe-inline'",
        "https://intranet.example.org/path",
        "https://user@intranet.example.org",
        "https://intranet.example.org?x=1",
        "https://intranet.example.org#top",
        "ftp://intranet.example.org",
        "https://intranet.example.org:99999",
        "https://intra_net.example.org",
        "https://",
    ],
)
def test_placement_origin_must_be_exactly_scheme_host_and_port(origin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PlacementFactory.build(origin=origin).full_clean()


@pytest.mark.parametrize(
    "origin",
    ["https://intranet.example.org", "http://localhost:8080", "https://intranet.example.org:8443"],
)
def test_placement_origin_accepts_an_origin(origin):
    PlacementFactory.build(origin=origin, key="intranet").full_clean()
