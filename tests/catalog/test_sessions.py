"""The session rules of catalog.sessions: each written once, its SQL and single-row forms equal."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Offering
from catalog.sessions import enrollment_open_q, sessions_ahead
from tests.catalog.factories import OfferingFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def test_enrollment_open_in_sql_is_the_models_rule_for_every_kind_of_session():
    now = timezone.now()
    sessions = [
        OfferingFactory(),
        OfferingFactory(status=Offering.Status.CANCELLED),
        OfferingFactory(enrollment_opens_at=now + HOUR),
        OfferingFactory(enrollment_opens_at=now - HOUR),
        OfferingFactory(enrollment_closes_at=now - HOUR),
        OfferingFactory(enrollment_closes_at=now + HOUR),
        OfferingFactory(starts_at=now - HOUR, ends_at=now + HOUR),
        # Enrollment left open past the start: open until it closes.
        OfferingFactory(starts_at=now - HOUR, ends_at=now + HOUR, enrollment_closes_at=now + HOUR),
    ]

    in_sql = set(Offering.objects.filter(enrollment_open_q(now)).values_list("pk", flat=True))

    assert in_sql == {s.pk for s in sessions if s.is_enrollment_open(now)}
    assert len(in_sql) == 4


def test_sessions_ahead_are_scheduled_and_not_started():
    now = timezone.now()
    ahead = OfferingFactory()
    OfferingFactory(status=Offering.Status.CANCELLED)
    started = OfferingFactory(starts_at=now - HOUR, ends_at=now + HOUR)

    assert list(sessions_ahead(now)) == [ahead]
    assert started.has_started(now)
    assert not ahead.has_started(now)


def test_enrollment_opens_later_only_before_its_opening_time():
    now = timezone.now()
    later = OfferingFactory(enrollment_opens_at=now + HOUR)
    opened = OfferingFactory(enrollment_opens_at=now - HOUR)
    no_opening = OfferingFactory()

    assert later.enrollment_opens_later(now)
    assert not later.is_enrollment_open(now)
    assert not later.enrollment_opens_later(now + 2 * HOUR)
    assert not opened.enrollment_opens_later(now)
    assert not no_opening.enrollment_opens_later(now)
