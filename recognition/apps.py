from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition"

    def ready(self):
        from . import checks, signals

        checks.register()
        signals.connect()
