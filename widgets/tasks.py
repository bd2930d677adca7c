from celery import shared_task

from .selectors.suggestions import teams_prewarm
from .services import widget_counts_flush


@shared_task(ignore_result=True)
def flush_widget_counts() -> int:
    """Beat: fold widget counters into daily rows. Safe to run twice or concurrently."""
    return widget_counts_flush()


@shared_task(ignore_result=True)
def prewarm_team_topics() -> int:
    """Beat: what each manager's team is exploring, cached before their first view."""
    return teams_prewarm()
