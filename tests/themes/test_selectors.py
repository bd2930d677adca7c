import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory, add_months, first_of_month
from themes import selectors
from themes.models import Theme

pytestmark = pytest.mark.django_db

RELEASE = dt.datetime(2026, 3, 1, 7, 0, tzinfo=dt.UTC)


def test_scheduled_theme_appears_exactly_at_release_time():
    theme = ThemeFactory(month=dt.date(2026, 3, 1), state=Theme.State.SCHEDULED, release_at=RELEASE)
    one_tick_before = RELEASE - dt.timedelta(microseconds=1)

    assert theme not in selectors.theme_list_released(now=one_tick_before)
    assert theme in selectors.theme_list_released(now=RELEASE)
    assert selectors.theme_get_current(now=one_tick_before) is None
    assert selectors.theme_get_current(now=RELEASE) == theme


def test_release_boundary_follows_the_real_clock_without_any_worker():
    theme = ThemeFactory(month=dt.date(2026, 3, 1), state=Theme.State.SCHEDULED, release_at=RELEASE)
    with time_machine.travel(RELEASE - dt.timedelta(seconds=1), tick=False):
        assert selectors.theme_get_visible(user=AnonymousUser(), slug=theme.slug) is None
    with time_machine.travel(RELEASE, tick=False):
        assert selectors.theme_get_visible(user=AnonymousUser(), slug=theme.slug) == theme
    theme.refresh_from_db()
    assert theme.state == Theme.State.SCHEDULED


@pytest.mark.parametrize("state", [Theme.State.DRAFT, Theme.State.ARCHIVED])
def test_draft_and_archived_themes_are_never_public(state):
    theme = ThemeFactory(state=state, release_at=RELEASE)

    assert theme not in selectors.theme_list_released(now=RELEASE + dt.timedelta(days=400))
    assert selectors.theme_get_visible(user=AnonymousUser(), slug=theme.slug) is None


def test_admins_get_unreleased_themes_for_preview(admin_user):
    theme = ThemeFactory(state=Theme.State.DRAFT)

    assert selectors.theme_get_visible(user=admin_user, slug=theme.slug) == theme


def test_current_theme_is_this_months_once_released_otherwise_the_latest_released():
    now = timezone.now()
    this_month = first_of_month(now)
    last = ThemeFactory(
        month=add_months(this_month, -1),
        state=Theme.State.PUBLISHED,
        release_at=now - dt.timedelta(days=35),
    )
    older = ThemeFactory(
        month=add_months(this_month, -2),
        state=Theme.State.PUBLISHED,
        release_at=now - dt.timedelta(days=60),
    )
    current = ThemeFactory(
        month=this_month, state=Theme.State.SCHEDULED, release_at=now + dt.timedelta(hours=1)
    )

    assert selectors.theme_get_current(now=now) == last
    assert selectors.theme_get_current(now=now + dt.timedelta(hours=1)) == current
    assert older != selectors.theme_get_current(now=now)


def test_year_calendar_has_twelve_months_with_released_and_coming_themes():
    now = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
    released = ThemeFactory(month=dt.date(2026, 5, 1), state=Theme.State.PUBLISHED, release_at=now)
    ThemeFactory(
        month=dt.date(2026, 6, 1),
        state=Theme.State.SCHEDULED,
        release_at=dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC),
    )
    ThemeFactory(month=dt.date(2026, 7, 1), state=Theme.State.DRAFT)

    months = selectors.theme_list_for_year(year=2026, now=now)

    assert [entry.month.month for entry in months] == list(range(1, 13))
    assert months[4].theme == released
    assert months[5].theme is None
    assert months[5].coming is True
    # A draft is not announced as coming.
    assert months[6].coming is False


def test_archive_lists_released_themes_of_past_months_newest_first():
    now = timezone.now()
    this_month = first_of_month(now)
    older = ThemeFactory(month=add_months(this_month, -3), released=True)
    newer = ThemeFactory(month=add_months(this_month, -1), released=True)
    ThemeFactory(month=this_month, released=True)
    ThemeFactory(month=add_months(this_month, -2), state=Theme.State.DRAFT)

    assert list(selectors.theme_list_archive(now=now)) == [newer, older]


def test_restricted_item_in_a_theme_is_shown_only_to_its_audience(employee):
    pharmacy = DepartmentFactory(name="Pharmacy")
    restricted = ItemFactory(
        title="Controlled drugs audit", audiences=[AudienceFactory(departments=[pharmacy])]
    )
    open_item = ItemFactory(title="Open to all")
    theme = ThemeFactory(released=True)
    ThemeItemFactory(theme=theme, item=restricted, position=1)
    ThemeItemFactory(theme=theme, item=open_item, position=2)
    pharmacist = EmployeeFactory(department=pharmacy)

    def titles(user):
        entries = selectors.theme_entries_visible_to(theme=theme, user=user)
        return [entry.item.title for entry in entries]

    assert titles(employee.user) == ["Open to all"]
    assert titles(AnonymousUser()) == ["Open to all"]
    assert titles(pharmacist.user) == ["Controlled drugs audit", "Open to all"]


def test_unpublished_item_in_a_theme_is_hidden_from_learners(employee):
    theme = ThemeFactory(released=True)
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Not yet", is_published=False))

    assert list(selectors.theme_entries_visible_to(theme=theme, user=employee.user)) == []


def test_theme_item_ids_are_in_curated_order():
    theme = ThemeFactory(released=True)
    second = ThemeItemFactory(theme=theme, position=2)
    first = ThemeItemFactory(theme=theme, position=1)

    assert selectors.theme_item_ids(theme=theme) == [first.item_id, second.item_id]
