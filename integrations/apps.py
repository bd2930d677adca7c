from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # Circles' signals (a thread opened, a reminder due, a summary published), and the
        # tasks the outbox names (services refer to them by name, so nothing else imports
        # them before the first dispatch).
        from . import receivers, tasks  # noqa: F401
