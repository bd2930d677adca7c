"""The project itself: paths, the environment, core Django settings, the installed apps,
middleware, templates and static files, email and logging."""

from pathlib import Path

import environ
from django.urls import reverse

# learning_portal/settings/base/core.py: the repository is four levels up.
BASE_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
PORTAL_NAME = env("PORTAL_NAME", default="Learning Portal")
# Branding (learning_portal.core.branding): the header's logo, a path on the portal itself
# (the CSP loads images only from here), and the primary colour of buttons, links and header.
PORTAL_LOGO_URL = env("PORTAL_LOGO_URL", default="")
PORTAL_PRIMARY_COLOUR = env("PORTAL_PRIMARY_COLOUR", default="#005eb8")
# Absolute base URL of the portal, used in emails, calendar invites and embed snippets.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

ROOT_URLCONF = "learning_portal.urls"
# The pages of portal (the top of the house) that models below it link to: the item page and
# the person's profile. The project names them here, so catalog and people never name a URL
# of an app above them (tests/test_layers.py).
ABSOLUTE_URL_OVERRIDES = {
    "catalog.item": lambda item: reverse("item_detail", kwargs={"slug": item.slug}),
    "people.employee": lambda employee: reverse("profile"),
}
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
                "portal.context_processors.nav",
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
# Email
# ---------------------------------------------------------------------------------------------
# Where django.core.mail.backends.filebased.EmailBackend writes each message (a mail sink).
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "sent-emails")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Learning Portal <learning@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

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
