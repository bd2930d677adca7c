"""Theme releases on the beat schedule, and their announcement emails.

`release_due_themes` runs every minute (CELERY_BEAT_SCHEDULE). The theme is already public
at its release time (the rule is in the query); this task records the release once, marks
the theme published and announces it. Celery delivers at least once and production may run
two beat processes, so every step is idempotent: one ThemeRelease per theme (one-to-one),
one claim of the fan-out (conditional update), and one email per person and release
(notifications' keyed `email_send_once`).
"""

import html
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.html import strip_tags

from catalog.templatetags.catalog_tags import markdown
from notifications.kinds import Kind
from notifications.services import (
    EMAIL_TASK_RETRY,
    absolute_url,
    email_send_once,
    outbox_schedule,
)

from . import selectors, services
from .models import ThemeRelease

logger = logging.getLogger(__name__)

# People per announcement task: small enough that a retry repeats little work.
BATCH_SIZE = 200
# Items listed in the announcement email; the theme page has the rest.
EMAIL_ITEM_COUNT = 6


def announcement_key(*, release_id: int, user_id: int) -> str:
    return f"theme-release-{release_id}-user-{user_id}"


@shared_task(ignore_result=True)
def release_due_themes() -> int:
    """Beat: release every due theme once and fan its announcement out. Returns releases made."""
    made = 0
    for theme_id in selectors.theme_ids_due_for_release():
        _, created = services.theme_release(theme_id=theme_id)
        made += int(created)
    # Also picks up a release whose fan-out never started (a worker lost mid-run).
    for release_id in selectors.release_list_unannounced().values_list("pk", flat=True):
        announce_theme_release(release_id)
    return made


def announce_theme_release(release_id: int) -> None:
    """Claim the release's fan-out and queue one batch task per BATCH_SIZE people."""
    recipient_ids = selectors.announcement_recipient_ids()
    with transaction.atomic():
        if not services.release_claim_announcement(
            release_id=release_id, recipient_count=len(recipient_ids)
        ):
            return
        # Recorded with the claim: a claimed fan-out can never lose its batches.
        for start in range(0, len(recipient_ids), BATCH_SIZE):
            outbox_schedule(
                task=send_theme_announcement_batch,
                args=[release_id, recipient_ids[start : start + BATCH_SIZE]],
            )
    logger.info("Theme release %s: announcing to %s people.", release_id, len(recipient_ids))


@shared_task(ignore_result=True, **EMAIL_TASK_RETRY)
def send_theme_announcement_batch(release_id: int, user_ids: list[int]) -> int:
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
    introduction_text = html.unescape(strip_tags(markdown(theme.introduction))).strip()
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
