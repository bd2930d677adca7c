from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top of the house: pages that compose several apps, and the demo data."""

    name = "portal"
    verbose_name = "Portal"
