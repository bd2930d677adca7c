"""Celery: delivery guarantees, broker options and the beat schedule."""

from .cache import REDIS_CONNECT_TIMEOUT
from .core import TIME_ZONE, env

# ---------------------------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------------------------
CELERY_RESULT_BACKEND = None
# A worker runs the tasks; local.py and test.py run them in the calling process by default.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Delivery (README "Operations"). Every task is short (one email, a batch of 200, an index
# build) and idempotent, and each email is claimed before it is sent, so a task may run
# again after a crash without sending twice. Hence: acknowledge after the task ran (a worker
# killed mid-task leaves its message to be delivered again), also when the child process
# was killed, and one message reserved at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a dead worker had reserved goes back to the queue after the visibility timeout
# (Redis's default is an hour). Every task finishes well within the time limit below, which
# is kept under the timeout so a running task is never handed to a second worker; retries
# wait at most EMAIL_RETRY_BACKOFF_MAX (notifications.services), also under it, because a
# worker holds a countdown message unacknowledged until it is due.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=CELERY_VISIBILITY_TIMEOUT // 2
)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for messages of dead workers every 30 s (kombu's default sweeps every 100 s).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 3,
    # Publishing from a web request waits at most this on a frozen Redis (then its breaker
    # opens); above kombu's 1 s BRPOP timeout, so a worker's idle poll never times out.
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
}
# A worker that loses Redis reconnects for as long as it takes (also at start-up), rather
# than exiting; the web side publishes through the outbox with its own short timeout.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT * 4
# Gossip, mingle and the remote-control mailbox keep fanout queues on the broker; closing
# them while the connection is being re-established crashed the worker on a Redis outage
# (see README "Operations"). The portal uses none of them.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox (notifications.models.OutboxMessage): tasks that writes recorded while the
    # broker was unavailable go out within seconds of its return.
    "notifications-dispatch-outbox": {
        "task": "notifications.tasks.dispatch_outbox",
        "schedule": 15,
        "options": {"expires": 14},
    },
    # The catalog page's in-memory index (catalog.index): rebuilt ahead of readers, so a
    # request rarely builds it. Expires so runs do not queue up behind a busy worker.
    "catalog-refresh-index": {
        "task": "catalog.tasks.refresh_catalog_index",
        "schedule": 30,
        "options": {"expires": 25},
    },
    # Reminders ~24 h before each session; the task itself makes each one go out once.
    "enrollment-session-reminders": {
        "task": "enrollment.tasks.send_session_reminders",
        "schedule": 15 * 60,
    },
    # Catalog "popularity" sort and widget ranking: enrollments of the last 90 days.
    "enrollment-refresh-popularity": {
        "task": "enrollment.tasks.refresh_item_popularity",
        "schedule": 60 * 60,
    },
    # What each manager's team is exploring, for the manager widget: every team in two
    # queries, so a manager's first view of the day runs no queries of its own for it.
    "widgets-prewarm-team-topics": {
        "task": "widgets.tasks.prewarm_team_topics",
        "schedule": 20 * 60,
        "options": {"expires": 10 * 60},
    },
    # Widget impressions/clicks/dismissals: Redis counters folded into daily rows.
    "widgets-flush-counts": {
        "task": "widgets.tasks.flush_widget_counts",
        "schedule": 60,
    },
    # Learning circles: open → running → finished by their meeting times.
    "circles-advance-states": {
        "task": "circles.tasks.advance_circle_states",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    # Circle meeting reminders the day before (each sent once), and the series invites
    # kept in step with seats (a promotion elsewhere gives someone a seat).
    "circles-meeting-reminders": {
        "task": "circles.tasks.send_meeting_reminders",
        "schedule": 15 * 60,
    },
    "circles-sync-invites": {
        "task": "circles.tasks.sync_all_circle_invites",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    # Each week's discussion thread opens a week before its meeting; digests of new posts.
    "circles-open-threads": {
        "task": "circles.tasks.open_due_threads",
        "schedule": 15 * 60,
    },
    "circles-digests": {
        "task": "circles.tasks.send_circle_digests",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    # End-of-circle surveys, 30-day check-ins, and the discussion retention window.
    "circles-surveys": {
        "task": "circles.tasks.send_circle_surveys",
        "schedule": 15 * 60,
    },
    "circles-checkins": {
        "task": "circles.tasks.send_checkins",
        "schedule": 60 * 60,
    },
    "circles-retention": {
        "task": "circles.tasks.apply_discussion_retention",
        "schedule": 24 * 60 * 60,
    },
    # Theme releases: the theme is public at release_at by query; this records the release
    # once and announces it. Expires so a backlog after an outage does not pile up runs.
    "themes-release-due": {
        "task": "themes.tasks.release_due_themes",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # Insights: the monthly rollups the dashboard reads (idempotent; closed months freeze).
    "insights-refresh-rollups": {
        "task": "insights.tasks.refresh_rollups",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    # Last month's report to learning admins, once its rollups are final (sent once).
    "insights-monthly-report": {
        "task": "insights.tasks.send_monthly_report",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    # Discussion takeaways: drafts for facilitators to review, from the latest posts.
    "insights-propose-takeaways": {
        "task": "insights.tasks.propose_takeaways",
        "schedule": 6 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
}
