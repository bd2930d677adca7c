"""Badges follow the writes that can earn them, in the apps below (which cannot call us).

Each receiver records, in the write's own transaction, a task that checks the people
concerned (notifications' outbox: published after the commit, or by its sweep when the
broker is down), so a failing badge check never fails the write. The hourly sweep
(`recognition.tasks.sweep_badge_awards`) catches anything else.

Which criteria an active badge is about is remembered per process for a minute: the
enrollment's receiver runs while the session's row lock is held (everyone in a rush into
that session waits on it), so it must not cost a query each time. A badge saved in the
admin is swept at once (admin.py) and forgotten here in that process; a write another
process made before its copy expired is caught by the hourly sweep.
"""

import time

from django.db import transaction

from notifications.services import outbox_schedule

from . import tasks
from .models import BadgeClass

Criterion = BadgeClass.Criterion

ACTIVE_CRITERIA_SECONDS = 60.0
# (read at, the criteria of the active badges), or None: not read yet, or forgotten.
_active_criteria: tuple[float, frozenset[str]] | None = None


def active_criteria() -> frozenset[str]:
    """The criteria some active badge is about (this process's copy, at most a minute old)."""
    global _active_criteria
    known = _active_criteria
    now = time.monotonic()
    if known is None or now - known[0] >= ACTIVE_CRITERIA_SECONDS:
        criteria = BadgeClass.objects.filter(is_active=True).values_list("criterion", flat=True)
        known = (now, frozenset(criteria))
        _active_criteria = known
    return known[1]


def forget_active_criteria(**kwargs) -> None:
    global _active_criteria
    _active_criteria = None


def _schedule(user_ids, *, criteria) -> None:
    user_ids = sorted({pk for pk in user_ids if pk})
    if not user_ids:
        return
    # No task (and no outbox row) for writes no active badge is about: most of them.
    if active_criteria().isdisjoint(criteria):
        return
    if transaction.get_connection().in_atomic_block:
        outbox_schedule(task=tasks.check_badge_awards, args=[user_ids])
    else:
        with transaction.atomic():
            outbox_schedule(task=tasks.check_badge_awards, args=[user_ids])


def attendance_saved(sender, instance, raw=False, **kwargs):
    # raw: a fixture being loaded, not a write anyone made.
    if instance.attended and not raw:
        _schedule([instance.user_id], criteria=[Criterion.ATTENDED_MEETINGS])


def wrapup_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.published_at is not None:
        _schedule([instance.recorded_by_id], criteria=[Criterion.PUBLISHED_SUMMARY])
    if instance.held:
        from circles.models import Circle

        facilitators = Circle.facilitators.through.objects.filter(
            circle_id=instance.meeting.circle_id
        ).values_list("user_id", flat=True)
        _schedule(facilitators, criteria=[Criterion.FACILITATED_CIRCLE])


def facilitators_changed(sender, instance, action, pk_set, reverse, **kwargs):
    if action != "post_add" or not pk_set:
        return
    # user.facilitated_circles.add(...) (reverse): the instance is the person.
    _schedule([instance.pk] if reverse else pk_set, criteria=[Criterion.FACILITATED_CIRCLE])


def enrollment_saved(sender, instance, raw=False, **kwargs):
    if not raw and (instance.enrolled_at is not None or instance.status == "completed"):
        _schedule(
            [instance.user_id],
            criteria=[Criterion.FIRST_ELECTIVE_ENROLLMENT, Criterion.THEME_ITEMS_COMPLETED],
        )


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from circles.models import Attendance, Circle, Wrapup
    from enrollment.models import Enrollment

    post_save.connect(attendance_saved, sender=Attendance, dispatch_uid="recognition-attendance")
    post_save.connect(wrapup_saved, sender=Wrapup, dispatch_uid="recognition-wrapup")
    post_save.connect(enrollment_saved, sender=Enrollment, dispatch_uid="recognition-enrollment")
    post_save.connect(
        forget_active_criteria, sender=BadgeClass, dispatch_uid="recognition-badge-saved"
    )
    post_delete.connect(
        forget_active_criteria, sender=BadgeClass, dispatch_uid="recognition-badge-deleted"
    )
    m2m_changed.connect(
        facilitators_changed,
        sender=Circle.facilitators.through,
        dispatch_uid="recognition-facilitators",
    )
