from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "widgets"
    verbose_name = "Widgets"

    def ready(self):
        from corsheaders.signals import check_request_enabled

        from .signals import cors_allow_placements

        check_request_enabled.connect(cors_allow_placements, dispatch_uid="widgets_cors")
