"""Insights count months in the portal's zone, whatever zone the reader chose for their own
times (people.middleware activates it for each request): two readers must never see two
different figures for one month, whose difference would be the people at its edges."""

import datetime as dt

import pytest
from django.utils import timezone

from enrollment.models import SavedItem
from insights.demand.trend import topic_demand_trend
from insights.selectors import current_year
from tests.catalog.factories import ItemFactory, TopicFactory
from tests.people.factories import UserFactory

# UTC+14: the portal's 31 October, 20:00 (London, UTC then) is 1 November, 10:00 there.
FAR_AHEAD = "Pacific/Kiritimati"


@pytest.mark.django_db
def test_the_demand_trend_reads_months_in_the_portals_zone_for_every_reader(settings):
    settings.TIME_ZONE = "Europe/London"
    topic = TopicFactory(name="Leadership", slug="leadership")
    book = ItemFactory(title="Leaders eat last", topics=[topic])
    evening = dt.datetime(2026, 10, 31, 20, tzinfo=dt.UTC)
    for _ in range(7):
        saved = SavedItem.objects.create(user=UserFactory(), item=book)
        SavedItem.objects.filter(pk=saved.pk).update(created_at=evening)
    now = dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC)

    portal = topic_demand_trend(topic=topic, now=now)
    with timezone.override(FAR_AHEAD):
        reader = topic_demand_trend(topic=topic, now=now)

    assert reader.months == portal.months
    by_month = dict(zip(portal.months, portal.series["saved"], strict=True))
    assert by_month[dt.date(2026, 10, 1)].text == "5"
    assert by_month[dt.date(2026, 11, 1)].text == "0"
    assert [f.text for f in reader.series["saved"]] == [f.text for f in portal.series["saved"]]


def test_the_dashboards_year_is_the_portals_whatever_the_readers_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    new_years_eve = dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC)

    with timezone.override(FAR_AHEAD):
        assert current_year(new_years_eve) == 2026
