"""Writes to themes: curation, scheduling, release, duplication."""

import datetime
import html
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from catalog.models import Item
from learning_portal.core.markdown import render_markdown
from notifications.kinds import Kind
from notifications.services import absolute_url, email_send_once, outbox_schedule

from . import selectors, tasks
from .models import Theme, ThemeItem, ThemeRelease

logger = logging.getLogger(__name__)

# People per announcement task: small enough that a retry repeats little work.
BATCH_SIZE = 200
# Items listed in the announcement email; the theme page has the rest.
EMAIL_ITEM_COUNT = 6

NOT_FIRST_OF_MONTH = "A theme's month is given by its first day."
MONTH_TAKEN = "There is already a theme for {month:%B %Y}."
CANNOT_SCHEDULE = "Only a draft or scheduled theme can be scheduled; this one is {state}."
CHECKLIST_FAILED = "The theme cannot be scheduled yet: {failures}"
CANNOT_PUBLISH = "An archived theme cannot be published; duplicate it instead."
ALREADY_ARCHIVED = "The theme is already archived."
ITEM_ALREADY_IN_THEME = "“{item}” is already in this theme."
ITEM_NOT_IN_THEME = "“{item}” is not in this theme."
BAD_POSITION = "The position must be between 1 and {count}."


def _check_month_free(*, month: datetime.date, exclude_pk: int | None = None) -> None:
    if month.day != 1:
        raise ValidationError(NOT_FIRST_OF_MONTH)
    taken = Theme.objects.filter(month=month)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(MONTH_TAKEN.format(month=month))


def _unique_slug(base: str) -> str:
    base = slugify(base)[:200] or "theme"
    slug, counter = base, 2
    while Theme.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def theme_create(
    *, title: str, month: datetime.date, introduction: str = "", slug: str = ""
) -> Theme:
    """Create a draft theme for `month` (a first of the month, not used by another theme).

    Raises ValidationError(NOT_FIRST_OF_MONTH or MONTH_TAKEN).
    """
    _check_month_free(month=month)
    return Theme.objects.create(
        title=title,
        slug=slug or _unique_slug(f"{title}-{month:%Y-%m}"),
        month=month,
        introduction=introduction,
    )


@transaction.atomic
def theme_schedule(*, theme: Theme, release_at: datetime.datetime, actor) -> Theme:
    """Schedule a draft (or reschedule a scheduled) theme to release at `release_at`.

    Runs the checklist (`selectors.theme_schedule_checklist`) and refuses when any blocking
    check fails: there is no override, the checks guard what people will see. Warnings do
    not block. Raises ValidationError(CANNOT_SCHEDULE) for a published or archived theme and
    ValidationError(CHECKLIST_FAILED) listing the failures.
    """
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    if theme.state not in (Theme.State.DRAFT, Theme.State.SCHEDULED):
        raise ValidationError(CANNOT_SCHEDULE.format(state=theme.get_state_display().lower()))
    checklist = selectors.theme_schedule_checklist(theme=theme, release_at=release_at)
    if not checklist.ok:
        raise ValidationError(
            [CHECKLIST_FAILED.format(failures=" ".join(checklist.failures))] + checklist.failures
        )
    theme.state = Theme.State.SCHEDULED
    theme.release_at = release_at
    theme.scheduled_by = actor if getattr(actor, "is_authenticated", False) else None
    theme.save(update_fields=["state", "release_at", "scheduled_by", "updated_at"])
    return theme


@transaction.atomic
def theme_publish(*, theme: Theme, now: datetime.datetime | None = None) -> Theme:
    """Mark a theme published; a theme not released yet is released now.

    A theme not released yet must pass the scheduling checklist for a release now.
    The announcement is not sent here: the beat task `release_due_themes` sends it for
    every released theme without a ThemeRelease, so there is one path that announces.
    Raises ValidationError(CANNOT_PUBLISH) for an archived theme and
    ValidationError(CHECKLIST_FAILED) listing the failures.
    """
    now = now or timezone.now()
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    if theme.state == Theme.State.ARCHIVED:
        raise ValidationError(CANNOT_PUBLISH)
    if not theme.is_released(now):
        # Releasing early is scheduling for now: the same checks apply.
        checklist = selectors.theme_schedule_checklist(theme=theme, release_at=now)
        if not checklist.ok:
            raise ValidationError(
                [CHECKLIST_FAILED.format(failures=" ".join(checklist.failures))]
                + checklist.failures
            )
        theme.release_at = now
    theme.state = Theme.State.PUBLISHED
    theme.save(update_fields=["state", "release_at", "updated_at"])
    return theme


@transaction.atomic
def theme_archive(*, theme: Theme) -> Theme:
    """Withdraw a theme from the portal (admins can still open it).

    Raises ValidationError(ALREADY_ARCHIVED).
    """
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    if theme.state == Theme.State.ARCHIVED:
        raise ValidationError(ALREADY_ARCHIVED)
    theme.state = Theme.State.ARCHIVED
    theme.save(update_fields=["state", "updated_at"])
    return theme


@transaction.atomic
def theme_duplicate(*, theme: Theme, month: datetime.date) -> Theme:
    """Copy a theme into a new draft for `month`: title, introduction, image, items, notes.

    Featured sessions are not copied: they are dated, and belong to the old month. Raises
    ValidationError(NOT_FIRST_OF_MONTH or MONTH_TAKEN).
    """
    _check_month_free(month=month)
    copy = Theme.objects.create(
        title=theme.title,
        slug=_unique_slug(f"{theme.title}-{month:%Y-%m}"),
        month=month,
        introduction=theme.introduction,
        image=theme.image.name if theme.image else "",
        image_alt=theme.image_alt,
    )
    ThemeItem.objects.bulk_create(
        ThemeItem(
            theme=copy,
            item_id=entry.item_id,
            position=entry.position,
            curator_note=entry.curator_note,
        )
        for entry in theme.entries.order_by("position", "pk")
    )
    return copy


def _renumber(theme: Theme, ordered: list[ThemeItem]) -> None:
    for number, entry in enumerate(ordered, start=1):
        entry.position = number
    ThemeItem.objects.bulk_update(ordered, ["position"])


def _locked_entries(theme: Theme) -> list[ThemeItem]:
    # Locking the theme row serializes concurrent edits of its order.
    Theme.objects.select_for_update().filter(pk=theme.pk).first()
    return list(theme.entries.select_related("item").order_by("position", "pk"))


@transaction.atomic
def theme_items_renumber(*, theme: Theme) -> None:
    """Store the theme's current order (position, then id) as positions 1..n."""
    _renumber(theme, _locked_entries(theme))


@transaction.atomic
def theme_item_add(*, theme: Theme, item: Item, curator_note: str = "") -> ThemeItem:
    """Add an item at the end of the theme. Raises ValidationError(ITEM_ALREADY_IN_THEME)."""
    entries = _locked_entries(theme)
    if any(entry.item_id == item.pk for entry in entries):
        raise ValidationError(ITEM_ALREADY_IN_THEME.format(item=item.title))
    position = max((entry.position for entry in entries), default=0) + 1
    return ThemeItem.objects.create(
        theme=theme, item=item, position=position, curator_note=curator_note
    )


@transaction.atomic
def theme_item_remove(*, theme: Theme, item: Item) -> None:
    """Remove an item and close the gap. Raises ValidationError(ITEM_NOT_IN_THEME)."""
    entries = _locked_entries(theme)
    remaining = [entry for entry in entries if entry.item_id != item.pk]
    if len(remaining) == len(entries):
        raise ValidationError(ITEM_NOT_IN_THEME.format(item=item.title))
    ThemeItem.objects.filter(theme=theme, item=item).delete()
    _renumber(theme, remaining)


@transaction.atomic
def theme_item_move(*, theme: Theme, item: Item, position: int) -> None:
    """Move an item to `position` (1 = first) and renumber the others 1..n.

    Raises ValidationError(ITEM_NOT_IN_THEME or BAD_POSITION).
    """
    entries = _locked_entries(theme)
    moving = next((entry for entry in entries if entry.item_id == item.pk), None)
    if moving is None:
        raise ValidationError(ITEM_NOT_IN_THEME.format(item=item.title))
    if not 1 <= position <= len(entries):
        raise ValidationError(BAD_POSITION.format(count=len(entries)))
    entries.remove(moving)
    entries.insert(position - 1, moving)
    _renumber(theme, entries)


@transaction.atomic
def theme_release(
    *, theme_id: int, now: datetime.datetime | None = None
) -> tuple[ThemeRelease | None, bool]:
    """Record a due theme's release once and mark it published.

    Returns (release, created). `created` is True for exactly one caller per theme: the
    theme row is locked first, and the ThemeRelease one-to-one key settles any remaining
    race (a concurrent insert waits, then finds the row). Returns (None, False) when the
    theme is gone or not released (withdrawn, or rescheduled to later) by the time the
    lock is held.
    """
    now = now or timezone.now()
    theme = Theme.objects.select_for_update().filter(selectors.released_q(now), pk=theme_id).first()
    if theme is None:
        return None, False
    release, created = ThemeRelease.objects.get_or_create(
        theme=theme, defaults={"released_at": now}
    )
    if created and theme.state != Theme.State.PUBLISHED:
        theme.state = Theme.State.PUBLISHED
        theme.save(update_fields=["state", "updated_at"])
    return release, created


@transaction.atomic
def release_claim_announcement(
    *, release_id: int, recipient_count: int, now: datetime.datetime | None = None
) -> bool:
    """Claim the fan-out of a release's announcement; True for the one caller that wins.

    A conditional UPDATE, so two runs cannot both claim. Emails are keyed per release and
    person as well, so even a repeated fan-out sends each person one email.
    """
    now = now or timezone.now()
    return bool(
        ThemeRelease.objects.filter(pk=release_id, announcement_queued_at__isnull=True).update(
            announcement_queued_at=now, recipient_count=F("recipient_count") + recipient_count
        )
    )


def release_announce(*, release_id: int) -> None:
    """Claim the release's fan-out and queue one batch task per BATCH_SIZE people.

    The claim must commit before the batches run, so this is the outermost transaction
    (the beat task's); a second caller finds the fan-out claimed and queues nothing.
    """
    recipient_ids = selectors.announcement_recipient_ids()
    with transaction.atomic(durable=True):
        if not release_claim_announcement(
            release_id=release_id, recipient_count=len(recipient_ids)
        ):
            return
        # Recorded with the claim (the outbox): a claimed fan-out never loses its batches.
        for start in range(0, len(recipient_ids), BATCH_SIZE):
            outbox_schedule(
                task=tasks.send_theme_announcement_batch,
                args=[release_id, recipient_ids[start : start + BATCH_SIZE]],
            )
    logger.info("Theme release %s: announcing to %s people.", release_id, len(recipient_ids))


def announcement_key(*, release_id: int, user_id: int) -> str:
    return f"theme-release-{release_id}-user-{user_id}"


def release_announcement_send(*, release_id: int, user_ids: list[int]) -> int:
    """Email the theme announcement to these people; returns how many emails went out.

    Each person sees only the items they may see in the catalog. Managers get the same
    digest plus a short text to share with their team. Safe to run twice: each email is
    keyed by release and person.
    """
    release = ThemeRelease.objects.select_related("theme").filter(pk=release_id).first()
    if release is None:
        logger.info("Theme release %s is gone; no announcement.", release_id)
        return 0
    theme = release.theme
    if not theme.is_released():
        logger.info("Theme %s is no longer released; no announcement.", theme.pk)
        return 0
    theme_url = absolute_url(theme.get_absolute_url())
    # Plain text of the Markdown introduction, for the text part and the manager's share text.
    introduction_text = html.unescape(strip_tags(render_markdown(theme.introduction))).strip()
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .select_related("employee")
        .order_by("pk")
    )
    # A release goes to every employee, most of whom share a handful of audience sets: the
    # visible entries and sessions are read once per set, not once per person.
    listings: dict[tuple, tuple[list[dict], list]] = {}
    sent = 0
    for user in users:
        employee = getattr(user, "employee", None)
        is_manager = bool(employee and employee.is_manager)
        view = selectors.catalog_view_of(user)
        if view not in listings:
            listings[view] = _visible_listing(theme=theme, user=user, audience_ids=list(view[1]))
        entries, sessions = listings[view]
        context = {
            "theme": theme,
            "theme_url": theme_url,
            "introduction_text": introduction_text,
            "entries": entries[:EMAIL_ITEM_COUNT],
            "more_count": max(len(entries) - EMAIL_ITEM_COUNT, 0),
            "sessions": sessions,
            "is_manager": is_manager,
        }
        sent += email_send_once(
            key=announcement_key(release_id=release.pk, user_id=user.pk),
            user=user,
            template="themes/email/announcement",
            context=context,
            kind=Kind.THEME_ANNOUNCEMENT,
        )
    return sent


def _visible_listing(*, theme, user, audience_ids: list[int]) -> tuple[list[dict], list]:
    """The theme's entries (with their email links) and sessions this person may see."""
    entries = [
        {
            "item": entry.item,
            "note": entry.curator_note,
            "url": absolute_url(f"{entry.item.get_absolute_url()}?source=theme_page"),
        }
        for entry in selectors.theme_entries_visible_to(
            theme=theme, user=user, audience_ids=audience_ids
        )
    ]
    sessions = list(
        selectors.theme_offerings_visible_to(theme=theme, user=user, audience_ids=audience_ids)
    )
    return entries, sessions
