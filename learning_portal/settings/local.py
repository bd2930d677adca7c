"""The embedded default: SQLite, local-memory cache, Celery in eager mode."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env, redis_caches

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# `PORT=8101 make run` serves on 8101: links in emails, calendar invites, transcript exports
# and embed snippets point there too, unless PORTAL_BASE_URL says otherwise.
PORTAL_BASE_URL = env(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}"
).rstrip("/")

# No collectstatic needed for `make run`: whitenoise serves from the static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The embedded services: SQLite unless DATABASE_URL is set; without REDIS_URL a local-memory
# cache, an in-memory broker and Celery tasks run in the calling process.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two people at once (a learner withdrawing while an admin saves a session) must both
    # succeed. WAL lets readers run beside the one writer; a writer waits up to `timeout`
    # seconds for the lock instead of failing at once; and every transaction takes the write
    # lock when it begins (IMMEDIATE), because a transaction that read first and then asks
    # to write is refused at once with "database is locked" while another one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and env.bool("CELERY_TASK_ALWAYS_EAGER", True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
