"""Settings for the test suite: the embedded default unless DATABASE_URL/REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import BADGE_DEVELOPMENT_KEY_FILE, env

# The embedded services of local.py (or PostgreSQL and Redis when their URLs are set).
from .local import CACHES, CELERY_BROKER_URL, DATABASES, REDIS_URL  # noqa: F401

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Badge credentials are signed with the development key (tests rotate it themselves).
BADGE_SIGNING_KEY = BADGE_DEVELOPMENT_KEY_FILE.read_text()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test that starts a real Celery worker gives it a backend that leaves files to count.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# Tasks run in the test process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: serve from the app and project static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None
