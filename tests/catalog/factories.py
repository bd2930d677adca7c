import datetime as dt

import factory
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Audience, Item, Offering, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Learning item {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = factory.LazyAttribute(lambda o: f"A short summary of {o.title}.")
    description = "Some **Markdown** description."
    format = Item.Format.COURSE
    delivery = Item.Delivery.SELF_PACED
    provider = "Learning Team"
    duration_minutes = 60
    is_published = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    item = factory.SubFactory(
        ItemFactory, delivery=Item.Delivery.SCHEDULED, format=Item.Format.LIVE_SESSION
    )
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    timezone = "Europe/London"
    location = "Education Centre, Room 2"
    capacity = 20


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Audience {n}")

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(extracted)
