"""The emails circles send to many people at once, each person's email keyed once: a circle
opened, the series invites, a meeting changed, reminders, mentions, digests, surveys and
check-ins. The tasks (circles.tasks) take ids and call these; no email is sent inside a
transaction, so each is safe to run again (Celery delivers at least once).
"""

import datetime

from django.utils import timezone

from enrollment.models import ACTIVE_STATUSES, Enrollment
from enrollment.selectors import item_is_enrollable_by
from enrollment.tasks import REMINDER_LEAD
from notifications.kinds import Kind
from notifications.selectors import email_allowed

from .. import emails, signals
from ..models import Circle, DigestSetting, Interest, LearnerSurvey, Meeting, Post, visible_posts_q
from ..selectors import circle_member_users
from .surveys import CHECKIN_AFTER, SURVEY_LEAD, last_meeting


def circle_opened_notify(*, circle_id: int) -> int:
    """A circle opened: tell each person who asked about a circle on its subject, once.

    People who cannot see the circle (its audience) or switched these emails off stay
    pending. The request is marked fulfilled once its email is sent. Returns emails sent.
    """
    circle = (
        Circle.objects.select_related("item", "subject", "offering").filter(pk=circle_id).first()
    )
    if circle is None or circle.state != Circle.State.OPEN:
        return 0
    pending = Interest.objects.filter(
        subject_id=circle.subject_id, notified_at__isnull=True
    ).select_related("user")
    sent = 0
    for interest in pending.iterator():
        user = interest.user
        if not email_allowed(user=user, kind=Kind.CIRCLE_OPENED):
            continue
        if not item_is_enrollable_by(user=user, item=circle.item):
            continue
        # The email's key is claimed and committed before it is sent (notifications), so a
        # concurrent or repeated run sends it once; the request is fulfilled after the send.
        sent += emails.circle_opened_send(interest=interest, circle=circle)
        Interest.objects.filter(pk=interest.pk, notified_at__isnull=True).update(
            notified_at=timezone.now(), notified_about=circle
        )
    return sent


def _circle(circle_id: int) -> Circle | None:
    return (
        Circle.objects.select_related("offering", "subject")
        .prefetch_related("meetings")
        .filter(pk=circle_id)
        .first()
    )


def circle_invites_sync(*, circle_id: int) -> int:
    """Every member has the series invite, and everyone who left has its CANCEL. Idempotent.

    Runs after a join or a leave and from beat (a seat freed elsewhere promotes someone
    through the enrollment services, which do not know about circles). Returns emails sent.
    """
    circle = _circle(circle_id)
    if circle is None or circle.state not in (Circle.State.OPEN, Circle.State.RUNNING):
        return 0
    sent = 0
    members = circle_member_users(circle=circle)
    for user in members:
        sent += emails.series_invite_send(circle=circle, user=user)
    departed = (
        Enrollment.objects.filter(
            offering_id=circle.offering_id,
            status__in=[Enrollment.Status.WITHDRAWN, Enrollment.Status.CANCELLED],
        )
        .exclude(user__in=members)
        .exclude(
            user__in=Enrollment.objects.filter(
                offering_id=circle.offering_id, status__in=ACTIVE_STATUSES
            ).values("user_id")
        )
        .select_related("user")
        .distinct()
    )
    for user in {e.user for e in departed}:
        sent += emails.series_cancel_send(circle=circle, user=user)
    return sent


def circle_invites_sync_all() -> int:
    """`circle_invites_sync` for every circle that is open or running."""
    circles = Circle.objects.filter(state__in=(Circle.State.OPEN, Circle.State.RUNNING))
    return sum(circle_invites_sync(circle_id=pk) for pk in circles.values_list("pk", flat=True))


def meeting_changed_notify(*, meeting_id: int) -> int:
    """A meeting moved or was cancelled: each member gets the notice and updated invite."""
    meeting = (
        Meeting.objects.select_related("circle", "circle__offering").filter(pk=meeting_id).first()
    )
    if meeting is None:
        return 0
    circle = meeting.circle
    return sum(
        emails.meeting_changed_send(meeting=meeting, user=user)
        for user in circle_member_users(circle=circle)
    )


def meeting_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind each member of a meeting starting within REMINDER_LEAD, once per (meeting,
    person, start time). Returns how many went out."""
    now = now or timezone.now()
    due = (
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD,
            circle__state__in=(Circle.State.OPEN, Circle.State.RUNNING),
        )
        .select_related("circle", "circle__offering")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for meeting in due:
        # Connectors post the reminder to a linked channel (once: receivers are idempotent).
        signals.meeting_reminder_due.send(sender=Meeting, meeting=meeting)
        for user in circle_member_users(circle=meeting.circle):
            sent += emails.meeting_reminder_send(meeting=meeting, user=user)
    return sent


def mentions_send(*, post_id: int, user_ids: list[int]) -> int:
    """Tell the members a post mentions, once each; nothing if the post is gone or hidden,
    or the person is no longer a member."""
    post = (
        Post.objects.select_related("thread__circle", "author")
        .filter(visible_posts_q(), pk=post_id)
        .first()
    )
    if post is None:
        return 0
    members = circle_member_users(circle=post.thread.circle).filter(pk__in=user_ids)
    return sum(emails.mention_send(post=post, user=user) for user in members)


def digest_period(
    frequency: str, now: datetime.datetime
) -> tuple[str, datetime.datetime, datetime.datetime]:
    """The last complete day or ISO week before `now` (portal time zone): key, start, end."""
    today = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    if frequency == DigestSetting.Frequency.WEEKLY:
        end_day = today - datetime.timedelta(days=today.weekday())
        start_day = end_day - datetime.timedelta(days=7)
        year, week, _ = start_day.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        end_day = today
        start_day = today - datetime.timedelta(days=1)
        key = start_day.isoformat()
    start = datetime.datetime.combine(start_day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(end_day, datetime.time(), tzinfo=zone)
    return key, start, end


def circle_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Each member's digest of the last day or week, once per period.

    Only posts by others that are neither hidden nor deleted; nothing is sent for a period
    without any. A member who chose "never", or turned circle digests off, gets none.
    """
    now = now or timezone.now()
    sent = 0
    circles = Circle.objects.filter(
        state__in=(Circle.State.OPEN, Circle.State.RUNNING, Circle.State.FINISHED)
    ).select_related("offering")
    for circle in circles:
        chosen = dict(
            DigestSetting.objects.filter(circle=circle).values_list("user_id", "frequency")
        )
        for user in circle_member_users(circle=circle):
            frequency = chosen.get(user.pk, DigestSetting.Frequency.DAILY)
            if frequency == DigestSetting.Frequency.OFF:
                continue
            period, start, end = digest_period(frequency, now)
            posts = list(
                Post.objects.filter(
                    visible_posts_q(),
                    thread__circle=circle,
                    created_at__gte=start,
                    created_at__lt=end,
                )
                .exclude(author=user)
                .select_related("author", "thread")
                .order_by("thread__week", "created_at")
            )
            if posts:
                sent += emails.digest_send(circle=circle, user=user, period=period, posts=posts)
    return sent


def circle_surveys_send(*, now: datetime.datetime | None = None) -> int:
    """The learner survey an hour before the last meeting, the facilitator survey once it
    has ended; each once per person."""
    now = now or timezone.now()
    sent = 0
    circles = Circle.objects.filter(
        state__in=(Circle.State.RUNNING, Circle.State.FINISHED)
    ).select_related("offering")
    for circle in circles:
        last = last_meeting(circle)
        if last is None or now < last.starts_at - SURVEY_LEAD:
            continue
        facilitators = set(circle.facilitators.values_list("pk", flat=True))
        for user in circle_member_users(circle=circle):
            if user.pk in facilitators:
                if now >= last.ends_at:
                    sent += emails.survey_invite_send(circle=circle, user=user, facilitator=True)
            else:
                sent += emails.survey_invite_send(circle=circle, user=user, facilitator=False)
    return sent


def checkins_send(*, now: datetime.datetime | None = None) -> int:
    """30 days after a learner said what they would try at work, remind them of it
    (privately), once."""
    due = (
        LearnerSurvey.objects.filter(
            checkin_sent_at__isnull=True,
            answered_at__lte=(now or timezone.now()) - CHECKIN_AFTER,
        )
        .exclude(will_try="")
        .select_related("circle", "user")
    )
    sent = 0
    for survey in due:
        # The email's key is claimed and committed before it is sent (notifications), so a
        # concurrent or repeated run sends it once; the check-in is marked after the send.
        sent += emails.checkin_send(survey=survey)
        LearnerSurvey.objects.filter(pk=survey.pk, checkin_sent_at__isnull=True).update(
            checkin_sent_at=timezone.now()
        )
    return sent
