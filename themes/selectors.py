"""Reads of themes, with the release rule and the catalog's visibility rule applied."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import Item, Offering
from catalog.selectors import item_list_visible_to
from catalog.visibility import (
    audiences_of,
    can_preview_unpublished,
    published_q,
    restricted_item,
)
from circles.models import Meeting
from circles.selectors import circle_list_visible_to
from enrollment.selectors import offering_seats_left

from .models import Theme, ThemeItem, ThemeRelease

# How many items the front-page hero shows before "Explore this month's theme".
HERO_ITEM_COUNT = 3


def released_q(now: datetime.datetime | None = None) -> Q:
    """Public themes: scheduled or published with a release time that has passed.

    The release is decided here, in the query, so a theme appears exactly at its release
    time whether or not the beat task has run yet; archived and draft themes never match.
    """
    now = now or timezone.now()
    return Q(
        state__in=[Theme.State.SCHEDULED, Theme.State.PUBLISHED],
        release_at__isnull=False,
        release_at__lte=now,
    )


def can_preview_themes(user) -> bool:
    """Learning admins open drafts, scheduled and archived themes before anyone else."""
    return user.is_authenticated and user.is_active and user.has_perm("themes.change_theme")


def month_start(moment: datetime.datetime) -> datetime.date:
    """The first day of the month `moment` falls in, in the portal's time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def theme_list_released(*, now: datetime.datetime | None = None) -> QuerySet[Theme]:
    return Theme.objects.filter(released_q(now))


def theme_get_current(*, now: datetime.datetime | None = None) -> Theme | None:
    """This month's theme once it is released; otherwise the most recently released one."""
    now = now or timezone.now()
    released = theme_list_released(now=now)
    current = released.filter(month=month_start(now)).first()
    if current is not None:
        return current
    return released.order_by("-release_at", "-month").first()


@dataclass(frozen=True)
class CalendarMonth:
    month: datetime.date
    # The released theme of the month, if any.
    theme: Theme | None
    # A theme is scheduled for the month but not released yet: shown as "coming", no title.
    coming: bool


def theme_list_for_year(*, year: int, now: datetime.datetime | None = None) -> list[CalendarMonth]:
    """The twelve months of `year` with their released theme, or whether one is coming.

    Titles of themes that are not released yet stay private: a curator may still change
    them, and the release is meant to be the reveal.
    """
    now = now or timezone.now()
    released = {
        theme.month: theme for theme in theme_list_released(now=now).filter(month__year=year)
    }
    coming = set(
        Theme.objects.filter(
            month__year=year, state=Theme.State.SCHEDULED, release_at__gt=now
        ).values_list("month", flat=True)
    )
    months = [datetime.date(year, number, 1) for number in range(1, 13)]
    return [
        CalendarMonth(
            month=month,
            theme=released.get(month),
            coming=month not in released and month in coming,
        )
        for month in months
    ]


def theme_list_archive(*, now: datetime.datetime | None = None) -> QuerySet[Theme]:
    """Released themes of past months, newest first."""
    now = now or timezone.now()
    return theme_list_released(now=now).filter(month__lt=month_start(now)).order_by("-month")


def theme_list_upcoming_releases(*, now: datetime.datetime | None = None) -> QuerySet[Theme]:
    """Scheduled themes not released yet (for the releases calendar feed)."""
    now = now or timezone.now()
    return Theme.objects.filter(state=Theme.State.SCHEDULED, release_at__gt=now)


def theme_get_visible(*, user, slug: str, now: datetime.datetime | None = None) -> Theme | None:
    """The theme if the person may see it; None otherwise, so callers answer 404."""
    queryset = Theme.objects.all() if can_preview_themes(user) else theme_list_released(now=now)
    return queryset.filter(slug=slug).first()


def theme_get_released(*, slug: str, now: datetime.datetime | None = None) -> Theme | None:
    """The released theme with this slug, for everyone; None otherwise."""
    return theme_list_released(now=now).filter(slug=slug).first()


def theme_items_q(*, theme: Theme) -> Q:
    """Catalog items that belong to the theme (a condition for the catalog's search)."""
    return Q(Exists(ThemeItem.objects.filter(item_id=OuterRef("pk"), theme=theme)))


def theme_item_ids(*, theme: Theme) -> list[int]:
    """The theme's item ids in curated order; callers apply visibility themselves."""
    return list(theme.entries.order_by("position", "pk").values_list("item_id", flat=True))


def theme_entries_visible_to(
    *,
    theme: Theme,
    user,
    now: datetime.datetime | None = None,
    audience_ids: list[int] | None = None,
) -> QuerySet[ThemeItem]:
    """The theme's entries in order, keeping only items the person may see in the catalog.

    Admins who preview unpublished items see every entry, as on the item pages.
    `audience_ids`: see catalog.visibility.visible_items_q.
    """
    entries = theme.entries.select_related("item").order_by("position", "pk")
    if can_preview_unpublished(user):
        return entries
    visible = item_list_visible_to(user=user, now=now, audience_ids=audience_ids)
    return entries.filter(item__in=visible.values("pk"))


def theme_offerings_visible_to(
    *,
    theme: Theme,
    user,
    now: datetime.datetime | None = None,
    audience_ids: list[int] | None = None,
) -> QuerySet[Offering]:
    """Featured sessions that are not cancelled, of items the person may see, by date."""
    offerings = theme.featured_offerings.select_related("item").filter(
        status=Offering.Status.SCHEDULED
    )
    if not can_preview_unpublished(user):
        visible = item_list_visible_to(user=user, now=now, audience_ids=audience_ids)
        offerings = offerings.filter(item__in=visible.values("pk"))
    return offerings.order_by("starts_at")


def theme_circles_visible_to(*, theme: Theme, user, now: datetime.datetime | None = None) -> list:
    """Featured learning circles the person may see and still join or follow (open or
    running), soonest first, each with `seats_left` and `next_meeting` (None once none is
    ahead)."""
    now = now or timezone.now()
    circles = (
        circle_list_visible_to(user=user)
        .filter(pk__in=theme.featured_circles.values("pk"))
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=Meeting.objects.filter(
                    status=Meeting.Status.SCHEDULED, ends_at__gt=now
                ).order_by("starts_at"),
                to_attr="meetings_ahead",
            ),
            "plan",
        )
    )
    featured = list(circles)
    for circle in featured:
        circle.seats_left = max(circle.seat_cap - circle.seats_taken, 0)
        circle.next_meeting = circle.meetings_ahead[0] if circle.meetings_ahead else None
        circle.signup_open = circle.offering.is_enrollment_open(now)
    return featured


def catalog_view_of(user) -> tuple[bool, frozenset[int]]:
    """What decides which items a signed-in person sees: (previews everything, audience ids).

    People with the same view see the same theme entries and sessions, so a listing made for
    many people (the announcement emails) is read once per view instead of once per person.
    Both parts come from catalog.visibility, so the rule itself is not copied here.
    """
    return (
        can_preview_unpublished(user),
        frozenset(audiences_of(user).values_list("pk", flat=True)),
    )


def theme_ids_due_for_release(*, now: datetime.datetime | None = None) -> list[int]:
    """Released themes whose release has not been handled yet (no ThemeRelease row)."""
    return list(
        theme_list_released(now=now)
        .filter(release__isnull=True)
        .order_by("release_at")
        .values_list("pk", flat=True)
    )


def release_list_unannounced() -> QuerySet[ThemeRelease]:
    return ThemeRelease.objects.filter(announcement_queued_at__isnull=True)


def announcement_recipient_ids() -> list[int]:
    """Active employees with an address who have not switched theme announcements off.

    notifications.email_allowed checks again at send time; filtering here keeps opted-out
    people out of the batches in the first place.
    """
    return list(
        get_user_model()
        .objects.filter(is_active=True, employee__isnull=False)
        .exclude(email="")
        .exclude(email_preference__theme_announcements=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# The checklist before scheduling
# ---------------------------------------------------------------------------------------------
NO_ITEMS = "The theme has no items yet."
NO_INTRODUCTION = "Write an introduction: it is what people read first."
RELEASE_AFTER_MONTH = "The release time is after the theme's month has ended."
ITEM_NOT_PUBLISHED = "“{item}” is not published at the release time, so nobody would see it."
SESSION_CANCELLED = "The featured session “{offering}” is cancelled."
SESSION_FULL = "The featured session “{offering}” has no seats left."
SESSION_CLOSED_AT_RELEASE = (
    "Enrollment in the featured session “{offering}” has closed by the release time."
)
WARN_ITEM_ENDS = "“{item}” leaves the catalog on {date:%d %B %Y}, before the theme's month ends."
WARN_ITEM_RESTRICTED = "“{item}” is restricted: only its audience will see it in the theme."
WARN_SESSION_CLOSES = (
    "Enrollment in “{offering}” closes on {date:%d %B %Y}, before the theme's month ends."
)
WARN_SESSION_OUTSIDE_MONTH = "The featured session “{offering}” is not in the theme's month."


@dataclass
class Checklist:
    """What blocks scheduling (`failures`) and what the curator should know (`warnings`)."""

    release_at: datetime.datetime
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passed_checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _aware_month_bounds(theme: Theme) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(theme.month, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(theme.month_end, datetime.time.min, tzinfo=tz)
    return start, end


def theme_schedule_checklist(*, theme: Theme, release_at: datetime.datetime) -> Checklist:
    """Check a theme before it is scheduled to release at `release_at`.

    Blocking: no items or introduction; a release after the month; an item that would not be
    published (`published_q`) at the release time; a featured session that is cancelled,
    full, or closed for enrollment by the release. Warnings: items that leave the catalog,
    and sessions whose enrollment closes, before the month ends; restricted items; sessions
    outside the month.
    """
    checklist = Checklist(release_at=release_at)
    month_start_at, month_end_at = _aware_month_bounds(theme)
    entries = list(theme.entries.select_related("item").order_by("position", "pk"))

    if entries:
        checklist.passed_checks.append(f"The theme has {len(entries)} item(s).")
    else:
        checklist.failures.append(NO_ITEMS)
    if theme.introduction.strip():
        checklist.passed_checks.append("The introduction is written.")
    else:
        checklist.failures.append(NO_INTRODUCTION)
    if release_at >= month_end_at:
        checklist.failures.append(RELEASE_AFTER_MONTH)

    item_ids = [entry.item_id for entry in entries]
    published_at_release = set(
        Item.objects.filter(pk__in=item_ids)
        .filter(published_q(release_at))
        .values_list("pk", flat=True)
    )
    restricted = set(
        Item.objects.filter(restricted_item(), pk__in=item_ids).values_list("pk", flat=True)
    )
    for entry in entries:
        item = entry.item
        if item.pk not in published_at_release:
            checklist.failures.append(ITEM_NOT_PUBLISHED.format(item=item.title))
            continue
        if item.publish_end and item.publish_end < month_end_at:
            checklist.warnings.append(
                WARN_ITEM_ENDS.format(item=item.title, date=timezone.localtime(item.publish_end))
            )
        if item.pk in restricted:
            checklist.warnings.append(WARN_ITEM_RESTRICTED.format(item=item.title))
    if entries and not any(entry.item_id not in published_at_release for entry in entries):
        checklist.passed_checks.append("Every item is published at the release time.")

    offerings = theme.featured_offerings.select_related("item").order_by("starts_at")
    seats_left = offering_seats_left(offerings=theme.featured_offerings.all())
    for offering in offerings:
        name = str(offering)
        if offering.status == Offering.Status.CANCELLED:
            checklist.failures.append(SESSION_CANCELLED.format(offering=name))
            continue
        if seats_left[offering.pk] == 0:
            checklist.failures.append(SESSION_FULL.format(offering=name))
        closes_at = offering.effective_enrollment_closes_at
        if closes_at <= release_at:
            checklist.failures.append(SESSION_CLOSED_AT_RELEASE.format(offering=name))
        elif closes_at < month_end_at:
            checklist.warnings.append(
                WARN_SESSION_CLOSES.format(offering=name, date=timezone.localtime(closes_at))
            )
        if not (month_start_at <= offering.starts_at < month_end_at):
            checklist.warnings.append(WARN_SESSION_OUTSIDE_MONTH.format(offering=name))
    return checklist


def release_list_between(*, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """Themes released in [since, until), oldest first, for reporting their uptake.

    Each: `title`, `month` (its first day), `released_at`, `window_end` (the end of the
    theme's month, or 30 days after the release if that is later) and `item_ids`.
    """
    releases = (
        ThemeRelease.objects.filter(released_at__gte=since, released_at__lt=until)
        .select_related("theme")
        .order_by("released_at")
    )
    result = []
    for release in releases:
        theme = release.theme
        _, month_end = _aware_month_bounds(theme)
        result.append(
            {
                "title": theme.title,
                "month": theme.month,
                "released_at": release.released_at,
                "window_end": max(month_end, release.released_at + datetime.timedelta(days=30)),
                "item_ids": theme_item_ids(theme=theme),
            }
        )
    return result
