import factory
from django.utils import timezone

from enrollment.models import Enrollment, SessionInterest
from notifications.models import EmailPreference
from tests.catalog.factories import ItemFactory
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import UserFactory


class EmailPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailPreference

    user = factory.SubFactory(UserFactory)


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
