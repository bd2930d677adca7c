"""Proposing, approving, opening and closing circles, and their plan."""

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Audience, Item
from catalog.services import item_create, item_set_published, offering_create
from notifications.services import outbox_schedule
from people.models import User

from .. import tasks
from ..models import Circle, Meeting, PlanWeek
from ..schedule import weekly_meeting_times
from ..selectors import circle_membership

PLAN_EMPTY = "Plan at least one week."
PLAN_TOO_LONG = "A circle runs for at most %(max)s weeks."
START_IN_PAST = "The first meeting must be in the future."
AUDIENCE_WIDER_THAN_SUBJECT = (
    "This item is restricted: the circle can only be open to the item's own audiences."
)
NOT_DRAFT = "Only a draft circle can be submitted or approved."
ALREADY_SUBMITTED = "This circle is already waiting for approval."
NOT_AWAITING_APPROVAL = "This circle has not been submitted for approval."
NOT_JOINABLE = "This circle is not taking sign-ups."
FACILITATOR_CANNOT_JOIN = "You facilitate this circle, so you are already part of it."
NOT_A_MEMBER = "You are not signed up for this circle."
NOT_FINISHED = "Only a finished circle can be archived."
NOT_ALLOWED = "Only the circle's facilitators or a learning admin can do this."
TAKEAWAYS_FACILITATORS_ONLY = (
    "Only the circle's facilitators can turn discussion takeaways on or off."
)

MAX_WEEKS = 26
JOINABLE_STATES = (Circle.State.OPEN, Circle.State.RUNNING)


def default_prompt(title: str) -> str:
    return f"What stood out for you in {title}? What would you try at work?"


# Paths under /circles/ that a circle's slug must not take.
RESERVED_SLUGS = {"start", "archive", "my-posts", "rsvp"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "circle"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Circle.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require_manager(*, circle: Circle, actor: User) -> None:
    if not circle_membership(user=actor, circle=circle).can_manage:
        raise ValidationError(NOT_ALLOWED)


@transaction.atomic
def circle_create(
    *,
    proposer: User,
    subject: Item,
    title: str,
    reading: str,
    plan: Sequence[str],
    start_date: datetime.date,
    meeting_time: datetime.time,
    timezone_name: str = settings.TIME_ZONE,
    duration_minutes: int = 30,
    seat_cap: int = 10,
    video_url: str = "",
    description: str = "",
    signup_opens_at: datetime.datetime | None = None,
    signup_closes_at: datetime.datetime | None = None,
    audiences: Iterable[Audience] = (),
) -> Circle:
    """Propose a circle: a draft with its catalog entry, session, plan and meetings.

    Any employee may propose one; they become its first facilitator. The circle's catalog
    entry (format "learning circle", unpublished until the circle opens) takes the subject's
    topics, and its audiences are `audiences`, or the subject's when none are given; a
    restricted subject cannot get a wider audience. One meeting per plan week, weekly from
    `start_date` at `meeting_time` in `timezone_name`. Sign-up closes at the first meeting
    unless `signup_closes_at` says otherwise.

    Raises ValidationError: PLAN_EMPTY, PLAN_TOO_LONG, START_IN_PAST,
    AUDIENCE_WIDER_THAN_SUBJECT, and the models' own validation errors.
    """
    plan = [line.strip() for line in plan if line.strip()]
    if not plan:
        raise ValidationError(PLAN_EMPTY)
    if len(plan) > MAX_WEEKS:
        raise ValidationError(PLAN_TOO_LONG, params={"max": MAX_WEEKS})
    times = weekly_meeting_times(
        start_date=start_date,
        meeting_time=meeting_time,
        timezone=timezone_name,
        duration_minutes=duration_minutes,
        weeks=len(plan),
    )
    if times[0][0] <= timezone.now():
        raise ValidationError(START_IN_PAST)
    subject_audiences = list(subject.audiences.all())
    audiences = list(audiences) or subject_audiences
    if subject_audiences and not set(audiences) <= set(subject_audiences):
        raise ValidationError(AUDIENCE_WIDER_THAN_SUBJECT)

    item = item_create(
        title=title,
        summary=f"A learning circle: {reading}",
        description=description,
        format=Item.Format.LEARNING_CIRCLE,
        delivery=Item.Delivery.SCHEDULED,
        duration_minutes=duration_minutes * len(plan),
        topics=subject.topics.all(),
        audiences=audiences,
        is_published=False,
    )
    offering = offering_create(
        item=item,
        starts_at=times[0][0],
        ends_at=times[-1][1],
        timezone=timezone_name,
        capacity=seat_cap,
        online_url=video_url,
        enrollment_opens_at=signup_opens_at,
        enrollment_closes_at=signup_closes_at,
        meeting_series=True,
    )
    circle = Circle(
        title=title,
        slug=_unique_slug(title),
        subject=subject,
        reading=reading,
        description=description,
        item=item,
        offering=offering,
        proposed_by=proposer,
        seat_cap=seat_cap,
        signup_opens_at=signup_opens_at,
        signup_closes_at=signup_closes_at,
        start_date=start_date,
        weekday=start_date.weekday(),
        meeting_time=meeting_time,
        timezone=timezone_name,
        duration_minutes=duration_minutes,
        video_url=video_url,
    )
    circle.full_clean(exclude=["item", "offering"])
    circle.save()
    circle.facilitators.add(proposer)
    PlanWeek.objects.bulk_create(
        PlanWeek(circle=circle, week=n, title=line[:200], prompt=default_prompt(line))
        for n, line in enumerate(plan, start=1)
    )
    Meeting.objects.bulk_create(
        Meeting(circle=circle, week=n, starts_at=start, ends_at=end, scheduled_for=start)
        for n, (start, end) in enumerate(times, start=1)
    )
    return circle


def _sync_invites(circle: Circle) -> None:
    # Invites and their CANCELs follow the seats (a promotion included); beat repeats it.
    outbox_schedule(task=tasks.sync_circle_invites, args=[circle.pk])


def _open(circle: Circle, *, now: datetime.datetime) -> None:
    item_set_published(item=circle.item, published=True)
    circle.state = Circle.State.OPEN
    circle.save(update_fields=["state", "submitted_at", "approved_at", "approved_by", "updated_at"])
    outbox_schedule(task=tasks.notify_circle_opened, args=[circle.pk])
    _sync_invites(circle)


@transaction.atomic
def circle_submit(*, circle: Circle, actor: User) -> Circle:
    """A facilitator asks to open the draft for sign-ups.

    With CIRCLES_REQUIRE_APPROVAL it waits for a learning admin (`circle_approve`); otherwise
    it opens at once (approved by the setting). Opening publishes the catalog entry and tells
    the people who asked to hear of a circle on its subject.

    Raises ValidationError: NOT_ALLOWED, NOT_DRAFT, ALREADY_SUBMITTED.
    """
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    _require_manager(circle=circle, actor=actor)
    if circle.state != Circle.State.DRAFT:
        raise ValidationError(NOT_DRAFT)
    if circle.submitted_at is not None:
        raise ValidationError(ALREADY_SUBMITTED)
    now = timezone.now()
    circle.submitted_at = now
    if settings.CIRCLES_REQUIRE_APPROVAL:
        circle.save(update_fields=["submitted_at", "updated_at"])
        return circle
    circle.approved_at = now
    _open(circle, now=now)
    return circle


@transaction.atomic
def circle_approve(*, circle: Circle, actor: User) -> Circle:
    """A learning admin approves a submitted draft: it opens for sign-ups.

    Raises ValidationError: NOT_ALLOWED, NOT_DRAFT, NOT_AWAITING_APPROVAL.
    """
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if not actor.has_perm("circles.change_circle"):
        raise ValidationError(NOT_ALLOWED)
    if circle.state != Circle.State.DRAFT:
        raise ValidationError(NOT_DRAFT)
    if circle.submitted_at is None:
        raise ValidationError(NOT_AWAITING_APPROVAL)
    now = timezone.now()
    circle.approved_at = now
    circle.approved_by = actor
    _open(circle, now=now)
    return circle


@transaction.atomic
def circle_archive(*, circle: Circle, actor: User) -> Circle:
    """Close a finished circle out: its page and archive stay, nothing more happens.

    Raises ValidationError: NOT_ALLOWED, NOT_FINISHED.
    """
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    _require_manager(circle=circle, actor=actor)
    if circle.state != Circle.State.FINISHED:
        raise ValidationError(NOT_FINISHED)
    circle.state = Circle.State.ARCHIVED
    circle.save(update_fields=["state", "updated_at"])
    return circle


def circle_states_advance(*, now: datetime.datetime | None = None) -> int:
    """Move circles along by the clock: open → running at the first meeting, running →
    finished when the last meeting has ended. Idempotent (beat runs it); returns how many
    circles changed state.
    """
    now = now or timezone.now()
    started = Circle.objects.filter(state=Circle.State.OPEN, offering__starts_at__lte=now)
    running = started.filter(offering__ends_at__gt=now).update(
        state=Circle.State.RUNNING, updated_at=now
    )
    ended = Circle.objects.filter(
        state__in=(Circle.State.OPEN, Circle.State.RUNNING), offering__ends_at__lte=now
    ).update(state=Circle.State.FINISHED, updated_at=now)
    return running + ended


@transaction.atomic
def plan_week_update(*, week: PlanWeek, actor: User, title: str, prompt: str) -> PlanWeek:
    """A facilitator edits a week's reading and the prompt that opens its discussion.

    Raises ValidationError: NOT_ALLOWED.
    """
    _require_manager(circle=week.circle, actor=actor)
    week.title = title.strip()[:200]
    week.prompt = prompt.strip()
    week.full_clean()
    week.save(update_fields=["title", "prompt"])
    return week


@transaction.atomic
def circle_takeaways_set(*, circle: Circle, actor: User, enabled: bool) -> Circle:
    """Turn discussion takeaways on or off for a circle (its facilitators only).

    From the moment they are on, the circle's pages tell its members, and only posts written
    since then are analysed (insights.takeaways). Turning them off stops new proposals;
    what was already published stays. Raises ValidationError(TAKEAWAYS_FACILITATORS_ONLY)
    for anyone else.
    """
    if not circle.facilitators.filter(pk=actor.pk).exists():
        raise ValidationError(TAKEAWAYS_FACILITATORS_ONLY)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if enabled and circle.takeaways_enabled_at is None:
        circle.takeaways_enabled_at = timezone.now()
    elif not enabled:
        circle.takeaways_enabled_at = None
    circle.save(update_fields=["takeaways_enabled_at", "updated_at"])
    return circle
