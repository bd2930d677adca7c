"""The monthly report: a one-page email to learning admins, sent exactly once per month.

`monthly_report_queue` (the hourly beat task) reports on the last month once its rollups
are final: the one transaction that inserts the month's MonthlyReport row also records the
batch tasks in the notifications outbox, so two beat processes or a retried task queue the
emails once. Each email is keyed by month and person (`email_send_once`), so a retried
batch sends only what is missing.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import Kind
from notifications.services import absolute_url, email_send_once, outbox_schedule

from ..models import MonthlyKpis, MonthlyReport
from ..months import aware, month_start, next_month
from ..selectors.report import report_content, report_recipient_ids

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def report_month_due(*, now: datetime.datetime) -> datetime.date | None:
    """Last month, when its figures are final and its report has not been queued yet."""
    last_month = (month_start(now) - datetime.timedelta(days=1)).replace(day=1)
    if not MonthlyKpis.objects.filter(month=last_month, is_final=True).exists():
        return None
    if MonthlyReport.objects.filter(month=last_month).exists():
        return None
    return last_month


def monthly_report_queue(*, now: datetime.datetime | None = None) -> MonthlyReport | None:
    """Claim last month's report and queue its emails in batches through the outbox.

    Returns the report claimed by this call, or None when there is nothing to send (the
    month is not final yet, or another run claimed it). Must be the outermost transaction
    (the beat task's): the claim commits with the outbox rows.
    """
    from .. import tasks

    now = now or timezone.now()
    month = report_month_due(now=now)
    if month is None:
        return None
    recipient_ids = report_recipient_ids()
    try:
        with transaction.atomic(durable=True):
            report = MonthlyReport.objects.create(month=month, recipient_count=len(recipient_ids))
            for start in range(0, len(recipient_ids), BATCH_SIZE):
                outbox_schedule(
                    task=tasks.send_monthly_report_batch,
                    args=[report.pk, recipient_ids[start : start + BATCH_SIZE]],
                )
    except IntegrityError:
        # Another run inserted the month's row first: it sends the report.
        return None
    logger.info("Insights report for %s: queued for %s people.", month, len(recipient_ids))
    return report


def report_key(*, month: datetime.date, user_id: int) -> str:
    return f"insights-report-{month:%Y-%m}-user-{user_id}"


def monthly_report_send(*, report_id: int, user_ids: list[int]) -> int:
    """Email the month's report to these people; returns how many emails went out.

    Safe to run twice: each email is keyed by month and person. People who are no longer
    learning admins by the time the batch runs are skipped.
    """
    from people.models import User

    report = MonthlyReport.objects.filter(pk=report_id).first()
    if report is None:
        return 0
    content = report_content(month=report.month, now=aware(next_month(report.month)))
    dashboard_url = absolute_url(reverse("insights:dashboard"))
    context = {
        "report": content,
        "dashboard_url": dashboard_url,
        "chart_urls": {
            slug: absolute_url(reverse("insights:chart_csv", args=[slug]))
            for slug in ("goal", "active", "enrollments", "funnel", "waitlist")
        },
        "demand_url": absolute_url(reverse("insights:demand")),
    }
    allowed = set(report_recipient_ids())
    sent = 0
    for user in User.objects.filter(pk__in=[u for u in user_ids if u in allowed]).order_by("pk"):
        sent += email_send_once(
            key=report_key(month=report.month, user_id=user.pk),
            user=user,
            template="insights/email/monthly_report",
            context=context,
            kind=Kind.INSIGHTS_REPORT,
        )
    return sent
