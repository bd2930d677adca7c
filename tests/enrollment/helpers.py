"""Helpers of the enrollment tests: enrolling as the views do, what a refusal leaves behind,
sessions moved without their signals, and people who turned every email off."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Offering
from enrollment import services
from enrollment.models import Enrollment, Source, TranscriptEvent
from tests.notifications.factories import EmailPreferenceFactory
from tests.people.factories import EmployeeFactory


def enroll(user, offering=None, *, item=None, source=Source.CATALOG, actor=None):
    """Enroll through the service, as the views do."""
    return services.enrollment_create(
        user=user,
        item=item or offering.item,
        offering=offering,
        source=source,
        actor=actor,
    )


def person(**kwargs):
    return EmployeeFactory(**kwargs).user


def kinds(user):
    return list(TranscriptEvent.objects.filter(user=user).values_list("kind", flat=True))


def assert_refused(message, call):
    events = TranscriptEvent.objects.count()
    enrollments = list(Enrollment.objects.values_list("pk", "status"))
    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.messages == [message]
    assert TranscriptEvent.objects.count() == events
    assert list(Enrollment.objects.values_list("pk", "status")) == enrollments


def starting_in(hours: float) -> dict:
    starts_at = timezone.now() + dt.timedelta(hours=hours)
    return {"starts_at": starts_at, "ends_at": starts_at + dt.timedelta(hours=1)}


def offering_set(offering, **fields):
    """Change the row as the enrollment services leave it, without their Offering signals."""
    if "starts_at" in fields and "ends_at" not in fields:
        fields["ends_at"] = fields["starts_at"] + (offering.ends_at - offering.starts_at)
    Offering.objects.filter(pk=offering.pk).update(**fields)
    offering.refresh_from_db()


def every_email_off(user):
    return EmailPreferenceFactory(
        user=user,
        session_reminders=False,
        session_opened=False,
        theme_announcements=False,
        manager_suggestions=False,
    )
