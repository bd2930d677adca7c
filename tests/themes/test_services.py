import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrollment.models import Enrollment
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.people.factories import EmployeeFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory, add_months, first_of_month
from themes import selectors, services
from themes.models import Theme, ThemeItem, ThemeRelease

pytestmark = pytest.mark.django_db


def aware(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def take_seat(session, status, **fields) -> Enrollment:
    """Someone's enrollment in the session, written directly (the checklist only reads it)."""
    return Enrollment.objects.create(
        user=EmployeeFactory().user,
        item=session.item,
        offering=session,
        status=status,
        enrolled_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def next_month():
    return add_months(first_of_month(), 1)


@pytest.fixture
def ready_theme(next_month):
    """A theme for next month that passes every blocking check."""
    theme = ThemeFactory(month=next_month, introduction="Read me first.")
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Ready item"))
    return theme


def test_ready_theme_passes_the_checklist_and_is_scheduled(ready_theme, next_month, admin_user):
    release_at = aware(next_month)

    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=release_at)
    theme = services.theme_schedule(theme=ready_theme, release_at=release_at, actor=admin_user)

    assert checklist.ok
    assert checklist.failures == []
    assert theme.state == Theme.State.SCHEDULED
    assert theme.release_at == release_at
    assert theme.scheduled_by == admin_user


def test_checklist_blocks_a_theme_without_items_or_introduction(next_month, admin_user):
    theme = ThemeFactory(month=next_month, introduction="  ")

    with pytest.raises(ValidationError) as error:
        services.theme_schedule(theme=theme, release_at=aware(next_month), actor=admin_user)

    assert selectors.NO_ITEMS in error.value.messages
    assert selectors.NO_INTRODUCTION in error.value.messages
    theme.refresh_from_db()
    assert theme.state == Theme.State.DRAFT
    assert theme.release_at is None


def test_checklist_blocks_a_release_after_the_month(ready_theme, next_month):
    checklist = selectors.theme_schedule_checklist(
        theme=ready_theme, release_at=aware(add_months(next_month, 1))
    )

    assert checklist.failures == [selectors.RELEASE_AFTER_MONTH]


def test_checklist_blocks_an_item_not_published_at_release_time(ready_theme, next_month):
    release_at = aware(next_month)
    ThemeItemFactory(theme=ready_theme, item=ItemFactory(title="Draft item", is_published=False))
    ThemeItemFactory(
        theme=ready_theme,
        item=ItemFactory(title="Starts later", publish_start=release_at + dt.timedelta(days=2)),
    )
    ThemeItemFactory(
        theme=ready_theme,
        item=ItemFactory(
            title="Gone by then",
            publish_start=release_at - dt.timedelta(days=60),
            publish_end=release_at - dt.timedelta(days=1),
        ),
    )

    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=release_at)

    assert checklist.failures == [
        selectors.ITEM_NOT_PUBLISHED.format(item="Draft item"),
        selectors.ITEM_NOT_PUBLISHED.format(item="Starts later"),
        selectors.ITEM_NOT_PUBLISHED.format(item="Gone by then"),
    ]


def test_checklist_blocks_a_full_featured_session(ready_theme, next_month):
    session = OfferingFactory(capacity=1, starts_at=aware(next_month + dt.timedelta(days=9)))
    ready_theme.featured_offerings.add(session)
    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=aware(next_month))
    assert checklist.ok

    take_seat(session, Enrollment.Status.ENROLLED)
    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=aware(next_month))

    assert checklist.failures == [selectors.SESSION_FULL.format(offering=str(session))]


def test_checklist_counts_attended_seats_as_taken_like_enrollment(ready_theme, next_month):
    session = OfferingFactory(capacity=1, starts_at=aware(next_month + dt.timedelta(days=9)))
    ready_theme.featured_offerings.add(session)
    take_seat(session, Enrollment.Status.COMPLETED, completed_at=timezone.now())

    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=aware(next_month))

    assert checklist.failures == [selectors.SESSION_FULL.format(offering=str(session))]


def test_checklist_counts_seats_in_one_query_whatever_the_number_of_sessions(
    ready_theme, next_month
):
    def queries_for_sessions(count):
        ready_theme.featured_offerings.set(
            [
                OfferingFactory(capacity=3, starts_at=aware(next_month + dt.timedelta(days=9)))
                for _ in range(count)
            ]
        )
        with CaptureQueriesContext(connection) as captured:
            selectors.theme_schedule_checklist(theme=ready_theme, release_at=aware(next_month))
        return len(captured)

    assert queries_for_sessions(1) == queries_for_sessions(4)


def test_checklist_blocks_a_cancelled_or_already_closed_session(ready_theme, next_month):
    release_at = aware(next_month)
    cancelled = OfferingFactory(
        starts_at=aware(next_month + dt.timedelta(days=5)), status="cancelled"
    )
    closed = OfferingFactory(
        starts_at=aware(next_month + dt.timedelta(days=5)),
        enrollment_closes_at=release_at - dt.timedelta(hours=1),
    )
    ready_theme.featured_offerings.add(cancelled, closed)

    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=release_at)

    assert selectors.SESSION_CANCELLED.format(offering=str(cancelled)) in checklist.failures
    assert selectors.SESSION_CLOSED_AT_RELEASE.format(offering=str(closed)) in checklist.failures


def test_checklist_warns_about_items_and_sessions_closing_before_the_month_ends(
    ready_theme, next_month
):
    release_at = aware(next_month)
    leaving = ItemFactory(title="Leaving soon", publish_end=aware(next_month, 7) + dt.timedelta(10))
    ThemeItemFactory(theme=ready_theme, item=leaving)
    session = OfferingFactory(starts_at=aware(next_month + dt.timedelta(days=12)))
    outside = OfferingFactory(starts_at=aware(add_months(next_month, 2)))
    ready_theme.featured_offerings.add(session, outside)
    restricted = ItemFactory(title="Leaders only", audiences=[AudienceFactory()])
    ThemeItemFactory(theme=ready_theme, item=restricted)

    checklist = selectors.theme_schedule_checklist(theme=ready_theme, release_at=release_at)

    assert checklist.ok, checklist.failures
    messages = "\n".join(checklist.warnings)
    assert "“Leaving soon” leaves the catalog on" in messages
    assert f"Enrollment in “{session}” closes on" in messages
    assert selectors.WARN_SESSION_OUTSIDE_MONTH.format(offering=str(outside)) in messages
    assert selectors.WARN_ITEM_RESTRICTED.format(item="Leaders only") in messages


@pytest.mark.parametrize("state", [Theme.State.PUBLISHED, Theme.State.ARCHIVED])
def test_published_or_archived_theme_cannot_be_scheduled(state, ready_theme, next_month):
    Theme.objects.filter(pk=ready_theme.pk).update(state=state, release_at=aware(next_month))

    with pytest.raises(ValidationError, match="Only a draft or scheduled theme"):
        services.theme_schedule(theme=ready_theme, release_at=aware(next_month), actor=None)


def test_duplicate_copies_items_and_notes_into_a_draft_for_the_new_month(next_month):
    source = ThemeFactory(
        state=Theme.State.PUBLISHED, release_at=timezone.now(), title="Rest and recovery"
    )
    first = ThemeItemFactory(theme=source, position=1, curator_note="Start here")
    second = ThemeItemFactory(theme=source, position=2)
    source.featured_offerings.add(OfferingFactory())

    copy = services.theme_duplicate(theme=source, month=next_month)

    assert copy.pk != source.pk
    assert copy.month == next_month
    assert copy.state == Theme.State.DRAFT
    assert copy.release_at is None
    assert copy.title == "Rest and recovery"
    assert copy.slug != source.slug
    assert [(e.item_id, e.curator_note) for e in copy.entries.all()] == [
        (first.item_id, "Start here"),
        (second.item_id, ""),
    ]
    assert copy.featured_offerings.count() == 0
    assert source.entries.count() == 2


def test_duplicate_refuses_a_month_that_already_has_a_theme(ready_theme, next_month):
    with pytest.raises(ValidationError) as error:
        services.theme_duplicate(theme=ThemeFactory(), month=next_month)

    assert error.value.messages == [services.MONTH_TAKEN.format(month=next_month)]
    assert Theme.objects.filter(month=next_month).count() == 1


def test_duplicate_refuses_a_date_that_is_not_the_first_of_a_month():
    with pytest.raises(ValidationError, match="first day"):
        services.theme_duplicate(theme=ThemeFactory(), month=dt.date(2030, 2, 3))


def test_items_are_added_at_the_end_moved_and_removed_with_positions_renumbered():
    theme = ThemeFactory()
    a, b, c = (ItemFactory(title=title) for title in "ABC")
    for item in (a, b, c):
        services.theme_item_add(theme=theme, item=item)

    services.theme_item_move(theme=theme, item=c, position=1)
    assert [(e.item.title, e.position) for e in theme.entries.all()] == [
        ("C", 1),
        ("A", 2),
        ("B", 3),
    ]
    services.theme_item_remove(theme=theme, item=a)
    assert [(e.item.title, e.position) for e in theme.entries.all()] == [("C", 1), ("B", 2)]


def test_adding_an_item_twice_or_moving_out_of_range_is_refused():
    theme = ThemeFactory()
    item = ItemFactory(title="Once")
    services.theme_item_add(theme=theme, item=item)

    with pytest.raises(ValidationError, match="already in this theme"):
        services.theme_item_add(theme=theme, item=item)
    with pytest.raises(ValidationError, match="between 1 and 1"):
        services.theme_item_move(theme=theme, item=item, position=2)
    with pytest.raises(ValidationError, match="not in this theme"):
        services.theme_item_remove(theme=theme, item=ItemFactory())
    assert ThemeItem.objects.filter(theme=theme).count() == 1


def test_publish_now_releases_a_scheduled_theme_immediately():
    now = timezone.now()
    theme = ThemeFactory(
        month=first_of_month(now),
        state=Theme.State.SCHEDULED,
        release_at=now + dt.timedelta(days=3),
    )
    ThemeItemFactory(theme=theme)

    services.theme_publish(theme=theme, now=now)

    theme.refresh_from_db()
    assert theme.state == Theme.State.PUBLISHED
    assert theme.release_at == now
    assert theme in selectors.theme_list_released(now=now)


def test_archive_withdraws_a_theme_and_it_cannot_be_published_again():
    theme = ThemeFactory(released=True)

    services.theme_archive(theme=theme)

    assert theme not in selectors.theme_list_released()
    with pytest.raises(ValidationError, match="archived theme cannot be published"):
        services.theme_publish(theme=theme)


def test_release_is_recorded_once_and_publishes_the_theme():
    now = timezone.now()
    theme = ThemeFactory(state=Theme.State.SCHEDULED, release_at=now - dt.timedelta(minutes=1))

    first = services.theme_release(theme_id=theme.pk, now=now)
    second = services.theme_release(theme_id=theme.pk, now=now)

    assert first[1] is True
    assert second == (first[0], False)
    assert ThemeRelease.objects.filter(theme=theme).count() == 1
    theme.refresh_from_db()
    assert theme.state == Theme.State.PUBLISHED


def test_a_theme_not_yet_due_is_not_released():
    now = timezone.now()
    theme = ThemeFactory(state=Theme.State.SCHEDULED, release_at=now + dt.timedelta(minutes=1))

    assert services.theme_release(theme_id=theme.pk, now=now) == (None, False)
    assert not ThemeRelease.objects.exists()


def test_publish_now_runs_the_checklist_for_a_theme_not_released_yet():
    theme = ThemeFactory(month=first_of_month(), introduction="")

    with pytest.raises(ValidationError) as error:
        services.theme_publish(theme=theme)

    assert selectors.NO_ITEMS in error.value.messages
    theme.refresh_from_db()
    assert theme.state == Theme.State.DRAFT
