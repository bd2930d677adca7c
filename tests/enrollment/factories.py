import factory
from django.utils import timezone

from enrollment.models import Enrollment, Source
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
