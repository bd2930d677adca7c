"""A constructed population and activity with known answers, for the insights tests."""

import datetime as dt
import zoneinfo

from django.contrib.auth.models import Group

from enrollment.models import Enrollment, Source
from insights.services import rollups_refresh
from people.roles import HR_INSIGHTS, LEARNING_ADMIN
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory, RoleFactory, UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    """A moment in the portal's time zone (TIME_ZONE, Europe/London)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def people(
    n,
    *,
    department="Nursing",
    role="Registered Nurse",
    location="General Hospital",
    is_manager=False,
):
    dept = DepartmentFactory(name=department)
    job = RoleFactory(name=role)
    return [
        EmployeeFactory(department=dept, role=job, location=location, is_manager=is_manager)
        for _ in range(n)
    ]


def enroll(
    person,
    when,
    *,
    status=Enrollment.Status.ENROLLED,
    source=Source.CATALOG,
    completed=None,
    item=None,
):
    """A self-paced enrollment taken at `when` (and completed at `completed`)."""
    user = getattr(person, "user", person)
    waitlisted = status == Enrollment.Status.WAITLISTED
    offering = (OfferingFactory(**({"item": item} if item else {}))) if waitlisted else None
    enrollment = Enrollment.objects.create(
        user=user,
        item=offering.item if offering else item or ItemFactory(),
        offering=offering,
        status=Enrollment.Status.COMPLETED if completed else status,
        source=source,
        enrolled_at=None if waitlisted else when,
        waitlisted_at=when if waitlisted else None,
        completed_at=completed,
        withdrawn_at=when if status == Enrollment.Status.WITHDRAWN else None,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=when)
    return enrollment


def hr_user(email="hr@example.org"):
    """An HR insights account outside the HR feed, so it is not one of the people counted."""
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=HR_INSIGHTS.name))
    return user


def learning_admin(email="admin@example.org"):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=LEARNING_ADMIN.name))
    return user


def refresh(now):
    return rollups_refresh(now=now)
