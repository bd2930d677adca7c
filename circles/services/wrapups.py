"""After a meeting: the facilitator's wrap-up, attendance and the quotes for the archive."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User

from .. import signals
from ..models import REFLECTION_QUESTIONS, Attendance, Meeting, Quote, Wrapup
from ..selectors import circle_member_users, post_list_quotable
from .lifecycle import _require_manager

WRAPUP_TOO_EARLY = "The wrap-up opens when the meeting starts."
WRAPUP_CANCELLED = "This meeting was cancelled, so there is nothing to wrap up."
ATTENDANCE_NOT_MEMBER = "Attendance is recorded for the circle's members only."
QUOTE_NOT_CONSENTED = "Only posts whose author ticked \u201cmay be quoted\u201d can be quoted."


def reflection_question_for(meeting: Meeting) -> str:
    """The week's question, in turn, so facilitators reflect on something new each week."""
    return REFLECTION_QUESTIONS[(meeting.week - 1) % len(REFLECTION_QUESTIONS)]


@transaction.atomic
def wrapup_save(
    *,
    meeting: Meeting,
    actor: User,
    held: bool,
    head_count: int | None = None,
    rating: int | None = None,
    reflection: str = "",
    summary: str = "",
    insights: str = "",
    publish: bool = False,
    attendance: dict[int, bool] | None = None,
    quote_post_ids: list[int] | None = None,
) -> Wrapup:
    """Record (or correct) a meeting's wrap-up; `publish` puts its summary and key insights
    in the archive (unticking it takes them out again).

    `attendance` maps member ids to attended or not (optional, per person). `quote_post_ids`
    are the quotes the facilitator ticks among this week's posts whose author consented: each
    new one is copied, and one chosen before but unticked now is taken out (None: the quotes
    stay as they are). A quote whose post is gone, or whose author no longer consents, is
    not offered again, and stays unless removed with `quote_remove`.

    Raises ValidationError: NOT_ALLOWED, WRAPUP_TOO_EARLY, WRAPUP_CANCELLED,
    ATTENDANCE_NOT_MEMBER, QUOTE_NOT_CONSENTED, and the wrap-up's own validation.
    """
    meeting = Meeting.objects.select_for_update().select_related("circle").get(pk=meeting.pk)
    circle = meeting.circle
    _require_manager(circle=circle, actor=actor)
    now = timezone.now()
    if meeting.is_cancelled:
        raise ValidationError(WRAPUP_CANCELLED)
    if meeting.starts_at > now:
        raise ValidationError(WRAPUP_TOO_EARLY)
    wrapup = Wrapup.objects.filter(meeting=meeting).first() or Wrapup(
        meeting=meeting, reflection_question=reflection_question_for(meeting)
    )
    wrapup.held = held
    wrapup.head_count = head_count if held else None
    wrapup.rating = rating if held else None
    wrapup.reflection = reflection.strip()
    wrapup.summary = summary.strip()
    wrapup.insights = insights.strip()
    was_published = wrapup.published_at is not None
    newly_published = publish and not was_published
    if newly_published:
        wrapup.published_at = now
    elif not publish:
        wrapup.published_at = None
    wrapup.recorded_by = actor
    wrapup.full_clean()
    wrapup.save()
    if newly_published:
        signals.summary_published.send(sender=Wrapup, wrapup=wrapup)

    if attendance:
        members = set(circle_member_users(circle=circle).values_list("pk", flat=True))
        if not set(attendance) <= members:
            raise ValidationError(ATTENDANCE_NOT_MEMBER)
        for user_id, attended in attendance.items():
            Attendance.objects.update_or_create(
                meeting=meeting,
                user_id=user_id,
                defaults={"attended": attended, "recorded_by": actor},
            )

    if quote_post_ids is not None:
        quotable = post_list_quotable(circle=circle, week=meeting.week)
        posts = quotable.filter(pk__in=quote_post_ids)
        if posts.count() != len(set(quote_post_ids)):
            raise ValidationError(QUOTE_NOT_CONSENTED)
        Quote.objects.filter(circle=circle, week=meeting.week, post__in=quotable).exclude(
            post_id__in=quote_post_ids
        ).delete()
        for post in posts:
            Quote.objects.get_or_create(
                post=post,
                defaults={
                    "circle": circle,
                    "week": meeting.week,
                    "text": post.body[:1000],
                    "chosen_by": actor,
                },
            )
    if publish or was_published:
        signals.archive_changed.send(sender=Wrapup, circle_id=circle.pk, week=meeting.week)
    return wrapup


@transaction.atomic
def quote_remove(*, quote: Quote, actor: User) -> None:
    """Take a quote out of the archive. Raises ValidationError: NOT_ALLOWED."""
    _require_manager(circle=quote.circle, actor=actor)
    quote.delete()
    # A removed quote (its author may have withdrawn consent) leaves every copy too.
    signals.archive_changed.send(sender=Quote, circle_id=quote.circle_id, week=quote.week)
