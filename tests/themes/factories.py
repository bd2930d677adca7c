import datetime as dt

import factory
from django.utils import timezone

from tests.catalog.factories import ItemFactory
from themes.models import Theme, ThemeItem


def first_of_month(moment=None) -> dt.date:
    return timezone.localtime(moment or timezone.now()).date().replace(day=1)


def add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    title = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    # Each theme its own month, counting back from this one, so months never collide.
    month = factory.Sequence(lambda n: add_months(first_of_month(), -n - 24))
    introduction = "Why this month matters, in **Markdown**."
    state = Theme.State.DRAFT
    release_at = None

    class Params:
        released = factory.Trait(
            state=Theme.State.PUBLISHED,
            release_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)),
        )


class ThemeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThemeItem

    theme = factory.SubFactory(ThemeFactory)
    item = factory.SubFactory(ItemFactory)
    position = factory.Sequence(lambda n: n + 1)
    curator_note = ""
