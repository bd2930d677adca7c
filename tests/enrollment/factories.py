import factory
from django.utils import timezone

from enrollment.models import Enrollment, SessionInterest, Source
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.people.factories import UserFactory


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """A raw enrollment row, for setting up states; behaviour is tested through services."""

    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    offering = factory.SubFactory(OfferingFactory)
    item = factory.LazyAttribute(lambda o: o.offering.item if o.offering else ItemFactory())
    status = Enrollment.Status.ENROLLED
    source = Source.CATALOG
    enrolled_at = factory.LazyFunction(timezone.now)


# The enrollment states the emails are about, as the enrollment services leave the rows.
SessionEnrollmentFactory = EnrollmentFactory


class WaitlistedEnrollmentFactory(EnrollmentFactory):
    status = Enrollment.Status.WAITLISTED
    enrolled_at = None
    waitlisted_at = factory.LazyFunction(timezone.now)


class SelfPacedEnrollmentFactory(EnrollmentFactory):
    offering = None
    item = factory.SubFactory(ItemFactory, launch_url="https://elearning.example.org/course/1")


class SessionInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionInterest

    user = factory.SubFactory(UserFactory)
    item = factory.SubFactory(ItemFactory)
