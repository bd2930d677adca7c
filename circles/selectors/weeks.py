"""A circle's weeks: its meetings, its threads and the posts in them."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import Circle, Meeting, Post, visible_posts_q


def meetings_upcoming(*, circle: Circle, now=None) -> list[Meeting]:
    now = now or timezone.now()
    return [m for m in circle.meetings.all() if m.ends_at > now]


def meeting_list_for_manage(*, circle: Circle) -> list[Meeting]:
    """The meetings with RSVP counts (`yes`, `no`) and a prefilled edit form's values."""
    meetings = list(
        circle.meetings.annotate(
            yes=Count("rsvps", filter=Q(rsvps__answer="yes")),
            no=Count("rsvps", filter=Q(rsvps__answer="no")),
            wrapped=Count("wrapup"),
        ).order_by("week")
    )
    now = timezone.now()
    for meeting in meetings:
        meeting.is_past = meeting.ends_at <= now
        meeting.has_started = meeting.starts_at <= now
        meeting.wrapped_up = bool(meeting.wrapped)
    return meetings


def thread_list_for(*, circle: Circle) -> QuerySet:
    """The circle's opened threads, by week, with `post_count` (visible posts)."""
    return circle.threads.annotate(
        post_count=Count("posts", filter=visible_posts_q("posts__"))
    ).order_by("week")


def post_list_quotable(*, circle: Circle, week: int) -> QuerySet[Post]:
    """A week's posts the facilitators may quote in the archive: visible, and their author
    ticked "may be quoted"."""
    return Post.objects.filter(
        visible_posts_q(), thread__circle=circle, thread__week=week, may_quote=True
    ).order_by("created_at")


def thread_posts(*, thread) -> QuerySet:
    """Top-level posts, oldest first, with their replies and authors in two queries."""
    replies = Post.objects.select_related("author", "hidden_by").order_by("created_at", "pk")
    return (
        thread.posts.filter(parent__isnull=True)
        .select_related("author", "hidden_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )
