"""Insights on the beat schedule: the monthly rollups, the monthly report and the
discussion takeaways' drafts (CELERY_BEAT_SCHEDULE). Ids in, idempotent: the rollups
rewrite only the open months; the report is claimed once per month (MonthlyReport's unique
month) and each email is keyed by month and person.
"""

from celery import shared_task

from notifications.services import EMAIL_TASK_RETRY

# The services queue the batches and the tasks call the services: each module uses the
# other only when a function runs, so either may be imported first.
from . import services


@shared_task(ignore_result=True)
def refresh_rollups() -> int:
    """Beat, hourly: recompute the months not yet final (idempotent). Returns months done."""
    return len(services.rollups_refresh())


@shared_task(ignore_result=True)
def send_monthly_report() -> int:
    """Beat, hourly: queue last month's report once its figures are final. Returns 1 when
    this run queued it."""
    return int(services.monthly_report_queue() is not None)


@shared_task(ignore_result=True, **EMAIL_TASK_RETRY)
def send_monthly_report_batch(report_id: int, user_ids: list[int]) -> int:
    """Email the report to a batch of learning admins (`services.monthly_report_send`)."""
    return services.monthly_report_send(report_id=report_id, user_ids=user_ids)


@shared_task(ignore_result=True)
def propose_takeaways() -> int:
    """Beat, every 6 hours: a draft for each week of each running or finished circle with
    takeaways on. Drafts the facilitator edited or published are left alone."""
    from circles.models import Circle

    from .takeaways.services import PROPOSED_STATES, Redactors, takeaways_propose_for_circle

    circles = Circle.objects.filter(state__in=PROPOSED_STATES, takeaways_enabled_at__isnull=False)
    # One Redactors for the run: the whole staff's names are read once, and only if some
    # week changed.
    redactors = Redactors()
    return sum(
        takeaways_propose_for_circle(circle=circle, redactors=redactors)
        for circle in circles.iterator()
    )


@shared_task(ignore_result=True)
def propose_circle_takeaways(circle_id: int) -> int:
    """A facilitator asked for fresh drafts now."""
    from circles.models import Circle

    from .takeaways.services import takeaways_propose_for_circle

    circle = Circle.objects.filter(pk=circle_id, takeaways_enabled_at__isnull=False).first()
    return takeaways_propose_for_circle(circle=circle) if circle else 0
