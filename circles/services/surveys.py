"""End of circle: the learner and facilitator surveys; retention; a person's own posts."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from people.models import User

from ..models import Circle, FacilitatorSurvey, LearnerSurvey, Meeting, Post, Signup
from ..selectors import circle_membership

# The learner survey opens this long before the last meeting starts.
SURVEY_LEAD = datetime.timedelta(hours=1)
CHECKIN_AFTER = datetime.timedelta(days=30)

SURVEY_NOT_LEARNER = "The learner survey is for the circle's learners."
SURVEY_NOT_FACILITATOR = "The facilitator survey is for the circle's facilitators."
SURVEY_NOT_OPEN = "The survey opens an hour before the last meeting."


def last_meeting(circle: Circle) -> Meeting | None:
    return circle.meetings.filter(status=Meeting.Status.SCHEDULED).order_by("-starts_at").first()


def survey_open(*, circle: Circle, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    last = last_meeting(circle)
    return last is not None and now >= last.starts_at - SURVEY_LEAD


@transaction.atomic
def learner_survey_submit(
    *, circle: Circle, user: User, goal_met: int, will_try: str, would_recommend: bool
) -> LearnerSurvey:
    """A learner answers (or corrects) the end-of-circle survey.

    Raises ValidationError: SURVEY_NOT_LEARNER, SURVEY_NOT_OPEN.
    """
    membership = circle_membership(user=user, circle=circle)
    if not membership.is_seated or membership.is_facilitator:
        raise ValidationError(SURVEY_NOT_LEARNER)
    if not survey_open(circle=circle):
        raise ValidationError(SURVEY_NOT_OPEN)
    survey, _ = LearnerSurvey.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={
            "goal_met": goal_met,
            "will_try": will_try.strip()[:1000],
            "would_recommend": would_recommend,
            "answered_at": timezone.now(),
        },
    )
    return survey


@transaction.atomic
def facilitator_survey_submit(
    *, circle: Circle, user: User, rating: int, would_facilitate_again: bool, notes: str = ""
) -> FacilitatorSurvey:
    """A facilitator's survey about the circle. Raises ValidationError:
    SURVEY_NOT_FACILITATOR, SURVEY_NOT_OPEN."""
    if not circle.facilitators.filter(pk=user.pk).exists():
        raise ValidationError(SURVEY_NOT_FACILITATOR)
    if not survey_open(circle=circle):
        raise ValidationError(SURVEY_NOT_OPEN)
    survey, _ = FacilitatorSurvey.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={
            "rating": rating,
            "would_facilitate_again": would_facilitate_again,
            "notes": notes.strip()[:2000],
            "answered_at": timezone.now(),
        },
    )
    return survey


def discussion_retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the discussion of circles that ended more than CIRCLES_DISCUSSION_RETENTION_MONTHS
    ago: every post and the sign-up answers. Published summaries, key insights and consented
    quotes (copied, without names) stay, and so does the plan. Idempotent (beat runs it
    daily); returns what was deleted."""
    now = now or timezone.now()
    months = settings.CIRCLES_DISCUSSION_RETENTION_MONTHS
    # A month as 30.44 days: the exact day matters little against a year's window.
    cutoff = now - datetime.timedelta(days=round(months * 30.44))
    ended = (
        Circle.objects.filter(state__in=(Circle.State.FINISHED, Circle.State.ARCHIVED))
        .annotate(last_end=Max("meetings__ends_at"))
        .filter(last_end__lt=cutoff)
        .values("pk")
    )
    with transaction.atomic():
        # The count includes replies removed with their parents.
        posts, _ = Post.objects.filter(thread__circle__in=ended).delete()
        hopes = Signup.objects.filter(circle__in=ended).exclude(hope="").update(hope="")
    return {"posts": posts, "hopes": hopes}


def my_posts(*, user: User):
    return (
        Post.objects.filter(author=user)
        .select_related("thread__circle")
        .order_by("thread__circle__title", "thread__week", "created_at")
    )


def my_posts_export(*, user: User) -> list[dict]:
    """Everything the person wrote in circles' discussions, for a GDPR access request."""
    return [
        {
            "circle": post.thread.circle.title,
            "week": post.thread.week,
            "written_at": post.created_at.isoformat(),
            "edited_at": post.edited_at.isoformat() if post.edited_at else None,
            "is_reply": post.parent_id is not None,
            "may_be_quoted": post.may_quote,
            "hidden_by_a_facilitator": post.is_hidden,
            "text": post.body,
        }
        for post in my_posts(user=user)
    ]


@transaction.atomic
def my_posts_delete(*, user: User) -> int:
    """Erase everything the person wrote in discussions (a GDPR erasure request).

    Their posts and replies are deleted; where others replied to one of their posts, its
    place stays as "deleted" without text, so the replies keep their thread. Quotes copied
    into an archive with their consent carry no name and stay. Returns how many posts.
    """
    own = list(Post.objects.select_for_update().filter(author=user).order_by("-parent_id"))
    now = timezone.now()
    for post in own:
        if post.replies.exclude(author=user).exists():
            post.replies.filter(author=user).delete()
            post.body, post.may_quote, post.deleted_at = "", False, now
            post.save(update_fields=["body", "may_quote", "deleted_at"])
        else:
            Post.objects.filter(pk=post.pk).delete()
    return len(own)
