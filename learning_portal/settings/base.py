"""Settings common to every environment.

Values that differ between environments come from the environment (django-environ). The
embedded defaults that let a newcomer run the portal with nothing installed (SQLite, a
local-memory cache, Celery in eager mode, emails on the console) are `local.py`'s, which the
tests share; `production.py` requires every service.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
PORTAL_NAME = env("PORTAL_NAME", default="Learning Portal")
# Absolute base URL of the portal, used in emails, calendar invites and embed snippets.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

ROOT_URLCONF = "learning_portal.urls"
WSGI_APPLICATION = "learning_portal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
SITE_ID = 1

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_filters",
    "django_htmx",
    "simple_history",
    "corsheaders",
    "csp",
]
# In the house's layer order (README, "Architecture"): each app uses only those before it.
LOCAL_APPS = [
    "learning_portal.core",
    "people",
    "notifications",
    "catalog",
    "enrollment",
    "circles",
    "themes",
    "recognition",
    "integrations",
    "widgets",
    "insights",
    "portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# ---------------------------------------------------------------------------------------------
# Middleware
# ---------------------------------------------------------------------------------------------
MIDDLEWARE = [
    "learning_portal.core.security.DebugErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "learning_portal.core.security.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "learning_portal.core.security.SessionTimeoutMiddleware",
    "people.middleware.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# ---------------------------------------------------------------------------------------------
# Templates and static files
# ---------------------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "learning_portal.core.context_processors.portal",
                "enrollment.context_processors.nav",
            ],
        },
    },
]
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------------------------------------
# Database and cache
# ---------------------------------------------------------------------------------------------
# DATABASES, CACHES and the Celery broker: production.py (required) or local.py (embedded).


# Every Redis client (cache, sessions, widget counters, the catalog index store, the Celery
# broker) gives up after these many seconds: a healthy Redis answers in about a millisecond
# (the catalog index, the largest value, in tens), and a frozen one must not hold a request.
# Behind each client a per-process circuit breaker (learning_portal.core.circuit) then fails
# calls at once for a few seconds, so a frozen Redis costs one such wait per few seconds.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)


def redis_caches(redis_url: str) -> dict:
    """The cache on Redis, shared by every environment that has one (production requires it)."""
    return {
        "default": {
            "BACKEND": "learning_portal.core.cache.PortalRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lp"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }


# Sessions live in the cache with the database behind it: a request that hits the cache
# costs no query, a cache flush logs nobody out, and a cache outage falls back to the database.
SESSION_ENGINE = "learning_portal.core.sessions"
# Wards share PCs: a session ends after this long without a page view (seconds; default 8 h)
# and this long after sign-in whatever happens (default 12 h, one long shift). Widget views
# on the intranet do not count as activity. See learning_portal.core.security.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 60 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

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
}

# ---------------------------------------------------------------------------------------------
# Learning circles
# ---------------------------------------------------------------------------------------------
# True: a proposed circle waits for a learning admin's approval before it opens for sign-up.
CIRCLES_REQUIRE_APPROVAL = env.bool("CIRCLES_REQUIRE_APPROVAL", default=False)
# Months a finished circle's discussion is kept before it is deleted (published summaries,
# key insights and consented quotes stay).
CIRCLES_DISCUSSION_RETENTION_MONTHS = env.int("CIRCLES_DISCUSSION_RETENTION_MONTHS", default=12)

# ---------------------------------------------------------------------------------------------
# Authentication (django-allauth)
# ---------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["people.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Wards share workstations: a session ends when the browser closes, with no "remember me".
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
# Subjects name the portal themselves (templates/account/email/), not "[example.com]".
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
SOCIALACCOUNT_ADAPTER = "people.adapters.SocialAccountAdapter"
# Accounts come from the HR feed: nobody signs themselves up.
ACCOUNT_ALLOW_SIGNUPS = False
# allauth's rate limits are on by default and use the cache; spelled out so they are reviewed.
# Failed sign-ins are counted by people.lockout: per client IP (generous: a ward shares one
# address) and per account for devices that never signed in as it; a device that has gets
# its own per-account bucket, so an attacker cannot lock the owner out of their usual PC.
ACCOUNT_RATE_LIMITS = {
    "login": "100/m/ip",
    "login_failed": "50/5m/ip,5/15m/key",
    "login_failed_known_device": "5/15m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# The client address behind the load balancer, for the rate limits above: the number of
# proxies that append to X-Forwarded-For (1 for one load balancer), or a header the proxy
# sets to the client address (e.g. X-Real-IP). Leave both unset when clients connect directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default=None)
# allauth's own match-by-email is off: people.adapters attaches a first SSO login to the
# imported employee (employee ID first, then email) and refuses anyone else.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = env.bool("SSO_ONLY", default=False)
SOCIALACCOUNT_STORE_TOKENS = False

# SSO is configured from the environment without code changes; see settings/sso.py.
SSO_OIDC_PROVIDERS = env.json("SSO_OIDC_PROVIDERS", default=[])
SSO_SAML_PROVIDERS = env.json("SSO_SAML_PROVIDERS", default=[])
# The claim (OIDC) or attribute (SAML) that carries the HR employee ID, used to attach an SSO
# login to the imported employee when the email differs.
SSO_EMPLOYEE_ID_CLAIM = env("SSO_EMPLOYEE_ID_CLAIM", default="employee_id")

# ---------------------------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------------------------
# Where django.core.mail.backends.filebased.EmailBackend writes each message (a mail sink).
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "sent-emails")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Learning Portal <learning@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        # Every page refuses to be framed; the widget opens this deliberately per view.
        "frame-ancestors": ["'none'"],
        # Violations are logged by learning_portal.core.security.csp_report.
        "report-uri": ["/csp-report/"],
        "report-to": "csp",
    },
}
# The widget's JSON API answers cross-origin requests only from active placements' origins
# (checked per request by widgets.signals); nothing else on the portal is CORS-enabled.
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/widgets/api/.*$"

# ---------------------------------------------------------------------------------------------
# Widget
# ---------------------------------------------------------------------------------------------
# Topic slugs whose items the manager variant offers "for people leaders".
WIDGET_LEADERSHIP_TOPICS = env.list(
    "WIDGET_LEADERSHIP_TOPICS", default=["leadership", "coaching", "people-management"]
)

# Staff login goes through allauth too, so it shares allauth's rate limits.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# ---------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Embed tokens and widget sessions are credentials: never written to a log.
    "filters": {"redact_secrets": {"()": "learning_portal.core.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

from .sso import socialaccount_providers, sso_form_action_origins  # noqa: E402

SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
    SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS, SSO_EMPLOYEE_ID_CLAIM
)
# An SSO button POSTs to the portal, which redirects to the identity provider; browsers check
# that redirect against form-action, so the providers' origins are allowed there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sso_form_action_origins(
    SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS
)
