from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CoreConfig(AppConfig):
    name = "learning_portal.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self):
        from . import branding  # noqa: F401  (registers the branding settings check)
        from .security import session_limits_start

        user_logged_in.connect(session_limits_start, dispatch_uid="core.session_limits_start")

        from allauth.core.internal import ratelimit

        from .cache import LocalFallbackCache

        # allauth counts sign-in attempts in `django.core.cache.cache` and has no setting for
        # another store; with Redis down it would answer 500 to every sign-in.
        ratelimit.cache = LocalFallbackCache()
