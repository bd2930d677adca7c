"""The async discussion: weekly threads, posts and replies, moderation, mentions, digests.

Only members (facilitators and seated learners) post; learning admins may read and hide.
Every write checks membership here, whatever the view did, so a removed member cannot post
with an old form.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications.services import outbox_schedule
from people.models import User

from .. import signals, tasks
from ..models import Circle, DigestSetting, Meeting, Post, Quote, Thread
from ..selectors import circle_member_users, circle_membership

EDIT_WINDOW = datetime.timedelta(minutes=15)
# A week's thread opens this long before its meeting: the discussion leads up to the call.
THREAD_LEAD = datetime.timedelta(days=7)
MAX_POST_LENGTH = 5000

POST_NOT_MEMBER = "Only the circle's members can post in its discussion."
POST_EMPTY = "Write something first."
POST_TOO_LONG = f"Keep a post under {MAX_POST_LENGTH:,} characters."
REPLY_TO_REPLY = "Reply to the post itself: replies are one level deep."
REPLY_ELSEWHERE = "That post is in another thread."
EDIT_NOT_OWN = "You can only change your own posts."
EDIT_TOO_LATE = "Posts can be edited for 15 minutes after they are written."
POST_GONE = "This post was removed."
HIDE_NOT_ALLOWED = "Only the circle's facilitators or a learning admin can hide posts."
HIDE_NEEDS_REASON = "Say why the post is hidden: the reason is kept with it."
THREAD_CLOSED = "This circle's discussion is closed."

# @alex.smith, the part of a member's email before the @.
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(POST_EMPTY)
    if len(body) > MAX_POST_LENGTH:
        raise ValidationError(POST_TOO_LONG)
    return body


def _require_member(*, circle: Circle, user: User) -> None:
    if not circle_membership(user=user, circle=circle).is_member:
        raise ValidationError(POST_NOT_MEMBER)
    if circle.state not in (Circle.State.OPEN, Circle.State.RUNNING, Circle.State.FINISHED):
        raise ValidationError(THREAD_CLOSED)


def mentioned_members(*, circle: Circle, body: str, author: User) -> list[User]:
    """Members named with @handle in the text (never the author, never outsiders)."""
    handles = {h.lower().rstrip(".") for h in MENTION.findall(body)}
    if not handles:
        return []
    members = circle_member_users(circle=circle).exclude(pk=author.pk)
    return [u for u in members if u.email.split("@", 1)[0].lower() in handles]


@transaction.atomic
def post_create(
    *,
    thread: Thread,
    author: User,
    body: str,
    parent: Post | None = None,
    may_quote: bool = False,
    source: str = Post.Source.PORTAL,
    created_at: datetime.datetime | None = None,
    notify_mentions: bool = True,
) -> Post:
    """Post in a week's thread, or reply to a post (one level). Members only.

    People @mentioned (members only) are emailed once each, after the commit, unless
    `notify_mentions` is off (history imported from Slack). `source` says where it was
    written; `created_at` keeps an imported message's own time.

    Raises ValidationError: POST_NOT_MEMBER, THREAD_CLOSED, POST_EMPTY, POST_TOO_LONG,
    REPLY_TO_REPLY, REPLY_ELSEWHERE.
    """
    _require_member(circle=thread.circle, user=author)
    body = _check_body(body)
    if parent is not None:
        if parent.thread_id != thread.pk:
            raise ValidationError(REPLY_ELSEWHERE)
        if parent.parent_id is not None:
            raise ValidationError(REPLY_TO_REPLY)
    post = Post.objects.create(
        thread=thread,
        author=author,
        parent=parent,
        body=body,
        may_quote=may_quote,
        source=Post.Source(source),
        created_at=created_at or timezone.now(),
    )
    if not notify_mentions:
        return post
    mentioned = [u.pk for u in mentioned_members(circle=thread.circle, body=body, author=author)]
    if mentioned:
        outbox_schedule(task=tasks.send_mentions, args=[post.pk, mentioned])
    return post


def can_edit(*, post: Post, user: User, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        post.author_id == user.pk
        and not post.is_hidden
        and not post.is_deleted
        and now - post.created_at <= EDIT_WINDOW
    )


@transaction.atomic
def post_edit(*, post: Post, user: User, body: str, may_quote: bool | None = None) -> Post:
    """The author changes their post within 15 minutes of writing it. Unticking "may be
    quoted" takes a quote already copied from it out of the archive (and its copies).

    Raises ValidationError: EDIT_NOT_OWN, POST_GONE, EDIT_TOO_LATE, POST_EMPTY, POST_TOO_LONG.
    """
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != user.pk:
        raise ValidationError(EDIT_NOT_OWN)
    if post.is_hidden or post.is_deleted:
        raise ValidationError(POST_GONE)
    if not can_edit(post=post, user=user):
        raise ValidationError(EDIT_TOO_LATE)
    post.body = _check_body(body)
    withdrawn = may_quote is False and post.may_quote
    if may_quote is not None:
        post.may_quote = may_quote
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "may_quote", "edited_at"])
    quote = Quote.objects.filter(post=post).first() if withdrawn else None
    if quote is not None:
        quote.delete()
        signals.archive_changed.send(sender=Quote, circle_id=quote.circle_id, week=quote.week)
    return post


@transaction.atomic
def post_delete(*, post: Post, user: User) -> Post | None:
    """The author deletes their post, at any time. With replies its place stays ("deleted")
    so the replies keep their context; without, it is gone. Returns the kept row or None.

    Raises ValidationError: EDIT_NOT_OWN.
    """
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != user.pk:
        raise ValidationError(EDIT_NOT_OWN)
    if post.replies.exists():
        post.body = ""
        post.may_quote = False
        post.deleted_at = timezone.now()
        post.save(update_fields=["body", "may_quote", "deleted_at"])
        return post
    post.delete()
    return None


@transaction.atomic
def post_hide(*, post: Post, actor: User, reason: str) -> Post:
    """A facilitator or learning admin hides a post from the discussion, with a reason.

    The text, who hid it, when and why are kept (the admin shows them) for the audit.

    Raises ValidationError: HIDE_NOT_ALLOWED, HIDE_NEEDS_REASON.
    """
    post = Post.objects.select_for_update().select_related("thread__circle").get(pk=post.pk)
    if not circle_membership(user=actor, circle=post.thread.circle).can_manage:
        raise ValidationError(HIDE_NOT_ALLOWED)
    reason = reason.strip()[:300]
    if not reason:
        raise ValidationError(HIDE_NEEDS_REASON)
    post.hidden_at = timezone.now()
    post.hidden_by = actor
    post.hidden_reason = reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


def thread_open_due(*, now: datetime.datetime | None = None) -> int:
    """Open each week's thread a week before its meeting, with the plan's prompt as it is
    then. Idempotent (beat runs it; the unique constraint settles a race). Returns how many
    opened."""
    now = now or timezone.now()
    opened_already = Thread.objects.filter(circle=OuterRef("circle"), week=OuterRef("week"))
    due = Meeting.objects.filter(
        ~Exists(opened_already),
        circle__state__in=(Circle.State.OPEN, Circle.State.RUNNING),
        scheduled_for__lte=now + THREAD_LEAD,
    )
    opened = 0
    for meeting in due.select_related("circle").order_by("circle", "week"):
        week = meeting.circle.plan.filter(week=meeting.week).first()
        if week is None:
            continue
        with transaction.atomic():
            thread, created = Thread.objects.get_or_create(
                circle=meeting.circle,
                week=meeting.week,
                defaults={"title": week.title, "prompt": week.prompt, "opened_at": now},
            )
            if created:
                # In the thread's transaction: a receiver's outbox row commits with it.
                signals.thread_opened.send(sender=Thread, thread=thread)
        opened += created
    return opened


@transaction.atomic
def digest_setting_update(*, circle: Circle, user: User, frequency: str) -> DigestSetting:
    """A member chooses the circle's digest: daily, weekly or never."""
    setting, _ = DigestSetting.objects.update_or_create(
        circle=circle, user=user, defaults={"frequency": DigestSetting.Frequency(frequency)}
    )
    return setting


def digest_frequency(*, circle: Circle, user: User) -> str:
    setting = DigestSetting.objects.filter(circle=circle, user=user).first()
    return setting.frequency if setting else DigestSetting.Frequency.DAILY
