"""Enrollment reacts to sessions saved anywhere: our services, the catalog admin, imports.

The catalog app must not know about enrollment, yet a session whose capacity rises, whose
time or place changes, or that is cancelled or newly opened changes people's seats and
calendars. So enrollment listens to Offering saves and applies the consequences through
`services.offering_changes_apply`, in the same transaction as the save.
"""

from django.db.models.signals import post_save, pre_save

from catalog.models import Offering

from . import services

TRACKED_FIELDS = ("status", *services.INVITE_FIELDS)


def remember_previous(sender, instance, raw=False, **kwargs):
    previous = None
    if not raw and instance.pk is not None:
        previous = Offering.objects.filter(pk=instance.pk).values(*TRACKED_FIELDS).first()
    instance._enrollment_previous = previous


def apply_changes(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    previous = instance.__dict__.pop("_enrollment_previous", None)
    services.offering_changes_apply(offering=instance, previous=previous, created=created)
    # Keep the caller's object in step with the row (SEQUENCE may have been bumped).
    instance.sequence = Offering.objects.values_list("sequence", flat=True).get(pk=instance.pk)


def connect() -> None:
    # Only Offering saves: every other model's save skips these receivers entirely.
    pre_save.connect(
        remember_previous, sender=Offering, dispatch_uid="enrollment_offering_previous"
    )
    post_save.connect(apply_changes, sender=Offering, dispatch_uid="enrollment_offering_changes")
