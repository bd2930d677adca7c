"""The embedded default: SQLite, local-memory cache, Celery in eager mode."""

from .base import *  # noqa: F403
from .base import BADGE_DEVELOPMENT_KEY_FILE, BASE_DIR, env, redis_caches

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# A development badge key, committed like the development SECRET_KEY: credentials signed with
# it prove nothing. Production requires BADGE_SIGNING_KEY (README, "Badge issuer key").
BADGE_SIGNING_KEY = env("BADGE_SIGNING_KEY", default=BADGE_DEVELOPMENT_KEY_FILE.read_text())

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
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and env.bool("CELERY_TASK_ALWAYS_EAGER", True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
