"""Production: every secret and URL comes from the environment, with no default."""

from .base import *  # noqa: F403
from .base import env, redis_caches

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
PORTAL_BASE_URL = env("PORTAL_BASE_URL").rstrip("/")
# The badge issuer's key: a credential the portal cannot sign is no credential (README).
BADGE_SIGNING_KEY = env("BADGE_SIGNING_KEY")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[PORTAL_BASE_URL])

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend behind a circuit breaker: with the database unreachable, requests
    # get the 503 page at once instead of each waiting the pool's timeout.
    DATABASES["default"]["ENGINE"] = "learning_portal.core.postgresql"
    # psycopg's pool keeps connections warm per worker process (Django >= 5.1). The
    # timeout bounds how long a request waits for a connection (then 503).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=5),
    }
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=3)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # JIT compilation pays off for long analytical queries, not for a web page's short ones:
    # measured on the 100k-item catalog it added ~2.5 s to a page. Off unless asked for.
    server_settings = [] if env.bool("DB_JIT", default=False) else ["-c jit=off"]
    # The planner's default assumes spinning disks (random_page_cost 4): it then reads all
    # 100k wide item rows to find a broad search term's matches (~450 ms) instead of using
    # the full-text index (~60 ms). 1.1 is the usual value for SSD or cloud storage.
    server_settings.append(f"-c random_page_cost={env.float('DB_RANDOM_PAGE_COST', default=1.1)}")
    # PgBouncer refuses the `options` startup parameter (or drops it when told to ignore it):
    # behind it, set these on the database role instead (README) and turn this off.
    if env.bool("DB_CONNECTION_SETTINGS", default=True):
        existing = DATABASES["default"]["OPTIONS"].get("options", "")
        DATABASES["default"]["OPTIONS"]["options"] = " ".join([existing, *server_settings]).strip()

REDIS_URL = env("REDIS_URL")
CACHES = redis_caches(REDIS_URL)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

# HTTPS everywhere; TLS terminates at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
