"""Times outside 2000–2100 (UTC) are refused by every model clean() and form (issue 17)."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from learning_portal.core import dates
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.themes.factories import ThemeFactory
from themes.admin import ScheduleForm

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))), False),
        (dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), False),
        (dt.datetime(2100, 12, 31, 20, 0, tzinfo=LOS_ANGELES), False),
        (dt.datetime(2100, 12, 31, 15, 0, tzinfo=LOS_ANGELES), True),
        (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), True),
        (dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC), False),
        (dt.date(2150, 1, 1), False),
        (dt.date(2026, 5, 1), True),
        (None, True),
    ],
)
def test_the_range_is_judged_in_utc(value, expected):
    assert dates.in_range(value) is expected


@pytest.mark.django_db
def test_an_item_publish_window_beyond_2100_is_refused_by_clean():
    item = ItemFactory.build(
        publish_end=dt.datetime(
            9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))
        )
    )

    with pytest.raises(ValidationError) as raised:
        item.full_clean(exclude=["image"])

    assert raised.value.message_dict == {"publish_end": [dates.OUT_OF_RANGE]}


@pytest.mark.django_db
def test_a_session_in_year_9999_is_refused_by_clean():
    offering = OfferingFactory.build(
        item=ItemFactory(),
        starts_at=dt.datetime(9999, 12, 31, 20, 0, tzinfo=LOS_ANGELES),
        ends_at=dt.datetime(9999, 12, 31, 21, 0, tzinfo=LOS_ANGELES),
    )

    with pytest.raises(ValidationError) as raised:
        offering.full_clean()

    assert raised.value.message_dict == {
        "starts_at": [dates.OUT_OF_RANGE],
        "ends_at": [dates.OUT_OF_RANGE],
    }


@pytest.mark.django_db
def test_a_theme_release_beyond_2100_is_refused_by_clean_and_the_schedule_form():
    theme = ThemeFactory.build(release_at=dt.datetime(2200, 1, 1, tzinfo=dt.UTC))

    with pytest.raises(ValidationError) as raised:
        theme.full_clean()
    assert raised.value.message_dict["release_at"] == [dates.OUT_OF_RANGE]

    form = ScheduleForm({"release_at": "9999-12-31T20:00"})
    assert not form.is_valid()
    assert form.errors["release_at"] == [dates.OUT_OF_RANGE]
    assert ScheduleForm({"release_at": "2026-06-01T09:00"}).is_valid()
