import datetime as dt
import zoneinfo

from django.utils import timezone

from learning_portal.core.timezones import span_for_viewer, span_text, zone_choices, zone_label

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = dt.UTC


def at(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_a_session_within_one_day_reads_day_then_times():
    assert span_text(at(8, 14), at(8, 16), LONDON) == "Tue 8 Dec 2026, 14:00–16:00"
    assert span_text(at(8, 14), at(8, 16), LONDON, long=True) == (
        "Tuesday 8 December 2026, 14:00–16:00"
    )


def test_a_session_over_several_days_says_how_many():
    assert span_text(at(7, 9), at(9, 16, 30), LONDON) == (
        "Mon 7 Dec, 09:00 – Wed 9 Dec 2026, 16:30 (3 days)"
    )
    new_year = dt.datetime(2027, 1, 1, 17, tzinfo=UTC)
    assert span_text(at(31, 9), new_year, LONDON) == (
        "Thu 31 Dec 2026, 09:00 – Fri 1 Jan 2027, 17:00 (2 days)"
    )


def test_an_evening_that_ends_after_midnight_is_not_two_days():
    assert span_text(at(8, 22), at(9, 1), LONDON) == "Tue 8 Dec 2026, 22:00–01:00 (next day)"


def test_the_viewer_reads_their_zone_with_the_sessions_own_when_its_clock_differs():
    with timezone.override("Europe/London"):
        here = span_for_viewer(at(8, 14), at(8, 16), "America/New_York")
    assert str(here) == ("Tue 8 Dec 2026, 14:00–16:00 London time (09:00–11:00 New York time)")
    with timezone.override("America/New_York"):
        there = span_for_viewer(at(8, 14), at(8, 16), "America/New_York")
    assert str(there) == "Tue 8 Dec 2026, 09:00–11:00 New York time"
    # Dublin keeps London's clock: nothing to add.
    with timezone.override("Europe/London"):
        assert not span_for_viewer(at(8, 14), at(8, 16), "Europe/Dublin").own_text


def test_zones_read_as_places():
    assert zone_label("Europe/London") == "London time"
    assert zone_label("America/New_York") == "New York time"
    assert ("America/New_York", "America/New York") in zone_choices()
    assert all(not key.startswith("Etc/") for key, _ in zone_choices())


def test_a_series_of_meetings_reads_as_its_first_and_last_days():
    assert span_text(at(1, 12, 30), at(29, 13), LONDON, series=True) == (
        "Tue 1 Dec – Tue 29 Dec 2026, a series of meetings"
    )


def test_a_series_for_a_viewer_names_no_zone_beside_its_days():
    with timezone.override("Europe/London"):
        when = span_for_viewer(at(1, 12, 30), at(29, 13), "America/New_York", series=True)

    assert str(when) == "Tue 1 Dec – Tue 29 Dec 2026, a series of meetings"
    assert when.zone == ""
    assert not when.own_text
