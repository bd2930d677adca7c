"""Writes of discussion takeaways: the proposal from a week's posts, the facilitator's edits,
publishing (which also puts the published wishes on the demand board).

Nothing runs for a circle whose facilitators have not turned takeaways on, and only posts
written since they did are read: those are the posts its members were told about.

A week counts beyond its circle (HR's themes, wishes on the demand board) only when at least
group_size_floor() different people wrote its posts: a week of two voices is about them.
A reviewed week whose posts later changed (a post deleted, hidden or removed by retention)
loses the summary sentences and key phrases no surviving post still contains, and is marked
for the facilitator to look at again.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from circles.models import Circle, Post, Thread
from circles.selectors import circle_member_users
from learning_portal.core.privacy import group_size_floor
from people.models import User

from ..demand.services import proposal_suggest_from_discussion
from ..models import WeeklyTakeaway
from .redaction import Redactor, StaffNames, redactor_for, staff_names

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
        .values_list("pk", "body", "edited_at", "author_id")
    )


def _digest(rows) -> str:
    digest = hashlib.sha256()
    for pk, body, edited_at, _ in rows:
        digest.update(f"{pk}:{edited_at}:{len(body)}:".encode())
        digest.update(body.encode())
    return digest.hexdigest()


@dataclass
class Redactors:
    """Redactors built on first need, for one run over many circles: the whole staff's names
    and IDs (a read of every employee) once per run, each circle's people once per circle,
    and nothing at all when no week changed."""

    staff: StaffNames | None = None
    by_circle: dict[int, Redactor] = field(default_factory=dict)

    def for_circle(self, circle: Circle) -> Redactor:
        if circle.pk not in self.by_circle:
            if self.staff is None:
                self.staff = staff_names()
            # The members and everyone who ever posted in the circle (a person who left is
            # still named in replies), whose first names alone are redacted too.
            people = set(circle_member_users(circle=circle).values_list("pk", flat=True))
            people |= set(
                Post.objects.filter(thread__circle=circle).values_list("author_id", flat=True)
            )
            self.by_circle[circle.pk] = redactor_for(member_ids=people, staff=self.staff)
        return self.by_circle[circle.pk]


def _still_written(lines: list[str], posts: list[str]) -> list[str]:
    """The lines some surviving (redacted) post still contains, whitespace and case aside."""
    texts = [" ".join(post.split()).lower() for post in posts]
    return [line for line in lines if any(" ".join(line.split()).lower() in t for t in texts)]


def _review_again(
    takeaway: WeeklyTakeaway, *, rows, digest: str, authors: int, redactors: Redactors
) -> WeeklyTakeaway:
    """The posts of a reviewed week changed: drop what no surviving post says any more."""
    posts = [redactors.for_circle(takeaway.circle).redact(body) for _, body, _, _ in rows]
    with transaction.atomic():
        takeaway = WeeklyTakeaway.objects.select_for_update().get(pk=takeaway.pk)
        takeaway.summary = _still_written(takeaway.summary, posts)
        takeaway.key_phrases = _still_written(takeaway.key_phrases, posts)
        takeaway.message_count = len(rows)
        takeaway.author_count = authors
        takeaway.source_digest = digest
        takeaway.sources_changed_at = timezone.now()
        takeaway.save()
    return takeaway


def takeaway_propose(
    *, circle: Circle, week: int, redactors: Redactors | None = None
) -> WeeklyTakeaway | None:
    """Propose (or re-propose) the draft for one circle's week; idempotent.

    Returns None when takeaways are off or the week has no posts since they were turned on
    (and no takeaway yet). An untouched draft is replaced only when the posts changed. A
    draft the facilitator edited or published keeps its text, except that when its posts
    changed, summary sentences and key phrases no surviving post contains are dropped and
    the week is marked for review (`sources_changed_at`). The analysis runs outside any
    transaction (it takes seconds); the write is one short transaction.
    """
    if circle.takeaways_enabled_at is None:
        return None
    rows = list(_posts(circle, week))
    current = WeeklyTakeaway.objects.filter(circle=circle, week=week).first()
    if not rows and current is None:
        return None
    digest = _digest(rows)
    authors = len({author for _, _, _, author in rows})
    redactors = redactors or Redactors()
    if current and current.source_digest == digest:
        if current.author_count != authors:  # a row from before the count was kept
            WeeklyTakeaway.objects.filter(pk=current.pk).update(author_count=authors)
            current.author_count = authors
        return current
    if current and (current.is_published or current.is_edited):
        return _review_again(
            current, rows=rows, digest=digest, authors=authors, redactors=redactors
        )
    if not rows:
        current.delete()
        return None
    redactor = redactors.for_circle(circle)
    # Imported here, in the worker's task: scikit-learn and YAKE cost every web process
    # about 100 MB and 4 s of start-up, and only this analysis uses them.
    from . import analysis

    proposed = analysis.analyse([redactor.redact(body) for _, body, _, _ in rows])
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
        takeaway.author_count = authors
        takeaway.source_digest = digest
        takeaway.generated_at = timezone.now()
        takeaway.save()
    return takeaway


def takeaways_propose_for_circle(*, circle: Circle, redactors: Redactors | None = None) -> int:
    """Every week of the circle with a thread; returns how many drafts exist afterwards.
    Pass one `redactors` to a run over many circles: the staff's names are read once."""
    weeks = Thread.objects.filter(circle=circle).values_list("week", flat=True)
    redactors = redactors or Redactors()
    return sum(
        1
        for week in weeks
        if takeaway_propose(circle=circle, week=week, redactors=redactors) is not None
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
    organisation-wide themes count them (when enough people wrote the week's posts). Each wish
    then becomes a demand-board suggestion (no proposer, no vote). Clears the "posts changed"
    mark: publishing again is the facilitator's review. Raises ValidationError:
    NOT_FACILITATOR, NOTHING_TO_PUBLISH."""
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
    takeaway.sources_changed_at = None
    takeaway.save()
    if takeaway.author_count >= group_size_floor():
        # A wish from a week of fewer voices would point at them on the public board.
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
