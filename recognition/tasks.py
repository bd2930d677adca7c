"""Badge award tasks: each idempotent (an award exists once), so a redelivery is harmless."""

from celery import shared_task

from . import services
from .models import BadgeClass


@shared_task
def check_badge_awards(user_ids: list[int]) -> int:
    return services.badge_awards_check(user_ids=user_ids)


@shared_task
def sweep_badge_awards(badge_class_id: int | None = None) -> int:
    badge = None
    if badge_class_id is not None:
        badge = BadgeClass.objects.filter(pk=badge_class_id).first()
        if badge is None:
            return 0
    return services.badge_awards_sweep(badge_class=badge)
