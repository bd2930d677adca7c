"""Theme releases on the beat schedule, and their announcement emails.

`release_due_themes` runs every minute (CELERY_BEAT_SCHEDULE). The theme is already public
at its release time (the rule is in the query); this task records the release once, marks
the theme published and announces it. Celery delivers at least once and production may run
two beat processes, so every step is idempotent: one ThemeRelease per theme (one-to-one),
one claim of the fan-out (conditional update), and one email per person and release
(notifications' keyed `email_send_once`).
"""

from celery import shared_task

from notifications.services import EMAIL_TASK_RETRY

# The services queue the batches and the tasks call the services: each module uses the
# other only when a function runs, so either may be imported first.
from . import selectors, services


@shared_task(ignore_result=True)
def release_due_themes() -> int:
    """Beat: release every due theme once and fan its announcement out. Returns releases made."""
    made = 0
    for theme_id in selectors.theme_ids_due_for_release():
        _, created = services.theme_release(theme_id=theme_id)
        made += int(created)
    # Also picks up a release whose fan-out never started (a worker lost mid-run).
    for release_id in selectors.release_list_unannounced().values_list("pk", flat=True):
        services.release_announce(release_id=release_id)
    return made


@shared_task(ignore_result=True, **EMAIL_TASK_RETRY)
def send_theme_announcement_batch(release_id: int, user_ids: list[int]) -> int:
    """Email the announcement to a batch of people (`services.release_announcement_send`)."""
    return services.release_announcement_send(release_id=release_id, user_ids=user_ids)
