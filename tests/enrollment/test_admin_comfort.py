"""Admin comfort (issue 14, item 8): rosters to find, an index without clutter, the embed page
one click away, and admin forms whose every input has a name."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from people.roles import LEARNING_ADMIN, role_group
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.people.factories import EmployeeFactory
from themes.models import Theme, ThemeItem

pytestmark = pytest.mark.django_db

SESSIONS_URL = reverse("admin:enrollment_sessions")
ROSTER_LINK = re.compile(r'href="/admin/enrollment/enrollment/sessions/\d+/"')


@pytest.fixture
def learning_admin(client):
    """A learning admin as the role gives it (staff, not a superuser)."""
    user = EmployeeFactory(user__is_staff=True).user
    user.groups.add(role_group(LEARNING_ADMIN))
    client.force_login(user)
    return client


def sessions(client, **params):
    return client.get(SESSIONS_URL, params).content.decode()


def test_rosters_are_found_by_title_and_filtered_by_when_and_status(learning_admin):
    now = timezone.now()
    soon = OfferingFactory(item=ItemFactory(title="Sepsis simulation"))
    OfferingFactory(item=ItemFactory(title="Falls prevention"))
    past = OfferingFactory(
        item=ItemFactory(title="Sepsis refresher"),
        starts_at=now - dt.timedelta(days=60),
        ends_at=now - dt.timedelta(days=60, hours=-2),
    )
    cancelled = OfferingFactory(item=ItemFactory(title="Sepsis for porters"), status="cancelled")

    found = sessions(learning_admin, q="sepsis")
    assert "Sepsis simulation" in found
    assert "Sepsis for porters" in found
    assert "Falls prevention" not in found
    assert "Sepsis refresher" not in found  # more than 30 days ago

    assert "Sepsis refresher" in sessions(learning_admin, q="sepsis", window="past")
    only_cancelled = sessions(learning_admin, status="cancelled", window="all")
    assert str(cancelled) in only_cancelled
    assert str(soon) not in only_cancelled
    assert str(past) not in only_cancelled


def test_rosters_are_paginated_and_keep_the_search_across_pages(learning_admin):
    item = ItemFactory(title="Manual handling")
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(55):
        OfferingFactory(
            item=item,
            starts_at=start + dt.timedelta(hours=n),
            ends_at=start + dt.timedelta(hours=n + 1),
        )

    first = sessions(learning_admin, q="manual")
    assert "55 sessions, page 1 of 2" in first
    assert 'href="?q=manual&amp;page=2" rel="next"' in first
    assert len(ROSTER_LINK.findall(first)) == 50
    second = sessions(learning_admin, q="manual", page=2)
    assert len(ROSTER_LINK.findall(second)) == 5


def test_bad_roster_filters_are_left_out_with_a_note(learning_admin):
    OfferingFactory(item=ItemFactory(title="Wound care"))

    page = sessions(learning_admin, window="someday")

    assert "Some search options could not be used" in page
    assert "Wound care" in page


def test_the_admin_index_shows_portal_tools_and_no_clutter(learning_admin, admin_client):
    for client in (learning_admin, admin_client):
        index = client.get(reverse("admin:index")).content.decode()
        assert f'href="{reverse("widgets:embed_admin")}">Embed the widget</a>' in index
        assert f'href="{SESSIONS_URL}">Session rosters</a>' in index
        for clutter in ("Sites", "Social accounts", "Social application", "Email addresses"):
            assert clutter not in index


def test_theme_form_inline_rows_and_split_times_have_names(admin_client):
    theme = Theme.objects.create(
        title="Safety month", slug="safety-month", month=dt.date(2031, 3, 1)
    )
    ThemeItem.objects.create(theme=theme, item=ItemFactory(), position=1)

    page = admin_client.get(reverse("admin:themes_theme_change", args=[theme.pk])).content.decode()

    assert 'aria-label="Position, row 1"' in page
    assert 'aria-label="Curator note, row 1"' in page
    assert 'aria-label="Delete, row 1"' in page
    assert 'aria-label="Item, new row"' in page
    assert "core/admin-labels.js" in page


def test_offering_form_names_the_time_input_of_each_date_and_time(admin_client):
    offering = OfferingFactory()

    page = admin_client.get(
        reverse("admin:catalog_offering_change", args=[offering.pk])
    ).content.decode()

    assert 'aria-label="Starts at: time"' in page
    assert 'aria-label="Enrollment closes at: time"' in page
