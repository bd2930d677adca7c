"""Caches that serve a person without loading them must notice when their access changes.

The widget serves a cached fragment to a session or an embed token without reading the
account (widgets.fragments); it is stored under the person's record version. A new password
(which ends their other sessions) or deactivation bumps that version, so the next request is
checked in full, as any other page would be. Receivers rather than calls in services, since
Django's auth (set_password), allauth and the admin save accounts too.
"""

from django.db.models.signals import post_save

from learning_portal.core.record_versions import record_version_bump

from .models import User

ACCESS_FIELDS = {"password", "is_active"}


def _account_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is None or ACCESS_FIELDS & set(update_fields):
        record_version_bump(user_id=instance.pk)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from .middleware import signed_in

    post_save.connect(_account_saved, sender=User, dispatch_uid="people_account_access_saved")
    # Sign-in (password, SSO, the admin) is Django's and allauth's: the person's time zone
    # goes into the new session there (people.middleware).
    user_logged_in.connect(signed_in, dispatch_uid="people_time_zone_into_session")
