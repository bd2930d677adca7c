"""Insights on the beat schedule: the monthly rollups (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def refresh_rollups() -> int:
    """Beat, hourly: recompute the months not yet final (idempotent). Returns months done."""
    return len(services.rollups_refresh())
