import factory

from notifications.models import EmailPreference
from tests.people.factories import UserFactory


class EmailPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailPreference

    user = factory.SubFactory(UserFactory)
