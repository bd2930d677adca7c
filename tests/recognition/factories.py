import factory

from recognition.models import BadgeClass


class BadgeClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BadgeClass

    name = factory.Sequence(lambda n: f"Badge {n}")
    slug = factory.Sequence(lambda n: f"badge-{n}")
    description = "Recognizes taking part."
    criterion = BadgeClass.Criterion.FIRST_ELECTIVE_ENROLLMENT
    threshold = 1
