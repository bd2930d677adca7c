"""Writes of discussion takeaways: the proposal from a week's posts, the facilitator's edits,
publishing (which also puts the published wishes on the demand board).

Nothing runs for a circle whose facilitators have not turned takeaways on, and only posts
written since they did are read: those are the posts its members were told about.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from circles.models import Circle, Post, Thread
from circles.selectors import circle_member_users
from people.models import User

from ..demand.services import proposal_suggest_from_discussion
from ..models import WeeklyTakeaway
from . import analysis
from .redaction import Redactor, redactor_for

NOT_FACILITATOR = "Only the circle's facilitators review its takeaways."
NOT_ENABLED = "Turn discussion takeaways on for this circle first."
ALREADY_PUBLISHED = "These takeaways are published: unpublish them to edit."
NOTHING_TO_PUBLISH = "There is nothing to publish: add at least a theme, a phrase or a sentence."
ITEM_TOO_LONG = "Keep each line under 300 characters."
MAX_LINES = 20
PROPOSED_STATES = (Circle.State.RUNNING, Circle.State.FINISHED)


def is_facilitator(*, circle: Circle, user: User) -> bool:
    return user.is_authenticated and circle.facilitators.filter(pk=user.pk).exists()


def _posts(circle: Circle, week: int):
    return (
        Post.objects.filter(
            thread__circle=circle,
            thread__week=week,
            created_at__gte=circle.takeaways_enabled_at,
            hidden_at__isnull=True,
            deleted_at__isnull=True,
        )
        .order_by("created_at", "pk")
        .values_list("pk", "body", "edited_at")
    )


def _digest(rows) -> str:
    digest = hashlib.sha256()
    for pk, body, edited_at in rows:
        digest.update(f"{pk}:{edited_at}:{len(body)}:".encode())
        digest.update(body.encode())
    return digest.hexdigest()


def _redactor(circle: Circle) -> Redactor:
    # The members and everyone who ever posted in the circle (a person who left is still
    # named in replies), whose first names alone are redacted too.
    people = set(circle_member_users(circle=circle).values_list("pk", flat=True))
    people |= set(Post.objects.filter(thread__circle=circle).values_list("author_id", flat=True))
    return redactor_for(member_ids=people)


def takeaway_propose(
    *, circle: Circle, week: int, redactor: Redactor | None = None
) -> WeeklyTakeaway | None:
    """Propose (or re-propose) the draft for one circle's week; idempotent.

    Returns None when takeaways are off or the week has no posts since they were turned on.
    A draft the facilitator edited or published is left alone; an untouched draft is
    replaced only when the posts changed. The analysis runs outside any transaction (it
    takes seconds); the write is one short transaction.
    """
    if circle.takeaways_enabled_at is None:
        return None
    rows = list(_posts(circle, week))
    if not rows:
        return None
    digest = _digest(rows)
    current = WeeklyTakeaway.objects.filter(circle=circle, week=week).first()
    if current and (current.is_published or current.is_edited or current.source_digest == digest):
        return current
    redactor = redactor or _redactor(circle)
    proposed = analysis.analyse([redactor.redact(body) for _, body, _ in rows])
    with transaction.atomic():
        takeaway, _ = WeeklyTakeaway.objects.select_for_update().get_or_create(
            circle=circle, week=week
        )
        if takeaway.is_published or takeaway.is_edited:
            return takeaway
        takeaway.key_phrases = proposed.key_phrases
        takeaway.themes = proposed.themes
        takeaway.summary = proposed.summary
        takeaway.demand_phrases = proposed.demand_phrases
        takeaway.message_count = len(rows)
        takeaway.source_digest = digest
        takeaway.generated_at = timezone.now()
        takeaway.save()
    return takeaway


def takeaways_propose_for_circle(*, circle: Circle) -> int:
    """Every week of the circle with a thread; returns how many drafts exist afterwards."""
    weeks = Thread.objects.filter(circle=circle).values_list("week", flat=True)
    redactor = _redactor(circle) if circle.takeaways_enabled_at else None
    return sum(
        1
        for week in weeks
        if takeaway_propose(circle=circle, week=week, redactor=redactor) is not None
    )


def _lines(values: list[str]) -> list[str]:
    lines = [" ".join(value.split()) for value in values]
    lines = [line for line in lines if line][:MAX_LINES]
    if any(len(line) > 300 for line in lines):
        raise ValidationError(ITEM_TOO_LONG)
    return list(dict.fromkeys(lines))


def _check_reviewer(takeaway: WeeklyTakeaway, actor: User) -> None:
    if not is_facilitator(circle=takeaway.circle, user=actor):
        raise ValidationError(NOT_FACILITATOR)


@transaction.atomic
def takeaway_update(
    *,
    takeaway: WeeklyTakeaway,
    actor: User,
    key_phrases: list[str],
    themes: list[str],
    summary: list[str],
    demand_phrases: list[str],
) -> WeeklyTakeaway:
    """The facilitator's edit of a draft (one item per line). From now on the nightly run
    leaves it alone. Raises ValidationError: NOT_FACILITATOR, ALREADY_PUBLISHED,
    ITEM_TOO_LONG."""
    _check_reviewer(takeaway, actor)
    takeaway = WeeklyTakeaway.objects.select_for_update().get(pk=takeaway.pk)
    if takeaway.is_published:
        raise ValidationError(ALREADY_PUBLISHED)
    takeaway.key_phrases = _lines(key_phrases)
    takeaway.themes = _lines(themes)
    takeaway.summary = _lines(summary)
    takeaway.demand_phrases = _lines(demand_phrases)
    takeaway.edited_at = timezone.now()
    takeaway.edited_by = actor
    takeaway.save()
    return takeaway


@transaction.atomic
def takeaway_publish(*, takeaway: WeeklyTakeaway, actor: User) -> WeeklyTakeaway:
    """Publish the reviewed takeaways: from now on the circle's members see them and HR's
    organisation-wide themes count them. Each wish becomes a demand-board suggestion (no
    proposer, no vote). Raises ValidationError: NOT_FACILITATOR, NOTHING_TO_PUBLISH."""
    _check_reviewer(takeaway, actor)
    takeaway = WeeklyTakeaway.objects.select_for_update().get(pk=takeaway.pk)
    if takeaway.is_published:
        return takeaway
    if not (takeaway.key_phrases or takeaway.themes or takeaway.summary):
        raise ValidationError(NOTHING_TO_PUBLISH)
    takeaway.published_at = timezone.now()
    takeaway.published_by = actor
    if takeaway.edited_at is None:
        takeaway.edited_at, takeaway.edited_by = takeaway.published_at, actor
    takeaway.save()
    for phrase in takeaway.demand_phrases:
        proposal_suggest_from_discussion(title=phrase)
    return takeaway


@transaction.atomic
def takeaway_unpublish(*, takeaway: WeeklyTakeaway, actor: User) -> WeeklyTakeaway:
    """Back to a draft the facilitator can edit; the board's suggestions stay (they may
    have votes by now)."""
    _check_reviewer(takeaway, actor)
    takeaway = WeeklyTakeaway.objects.select_for_update().get(pk=takeaway.pk)
    takeaway.published_at = None
    takeaway.published_by = None
    takeaway.save()
    return takeaway
