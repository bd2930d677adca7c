from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self):
        from . import signals
        from .services import roles_sync

        signals.connect()
        # Roles are code (people.roles): every migrate brings their groups in line with it.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="people.roles_sync")
