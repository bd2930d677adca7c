from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition"

    def ready(self):
        from circles.panels import panel_register

        from . import checks, signals

        checks.register()
        signals.connect()
        panel_register(
            key="recognition",
            url_name="recognition:circle",
            title="Thanks and badges",
            link_text="Thank someone in this circle, and see what members chose to share",
        )
