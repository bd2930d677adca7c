import datetime as dt

from circles.schedule import weekly_meeting_times


def _utc_hours(times):
    return [(start.date().isoformat(), start.hour, start.minute) for start, _ in times]


def test_meetings_keep_local_time_across_the_spring_clock_change():
    # Europe/London moves to BST on Sunday 28 March 2027.
    times = weekly_meeting_times(
        start_date=dt.date(2027, 3, 16),
        meeting_time=dt.time(12, 30),
        timezone="Europe/London",
        duration_minutes=30,
        weeks=4,
    )

    assert _utc_hours(times) == [
        ("2027-03-16", 12, 30),
        ("2027-03-23", 12, 30),
        ("2027-03-30", 11, 30),
        ("2027-04-06", 11, 30),
    ]
    assert all(end - start == dt.timedelta(minutes=30) for start, end in times)


def test_meetings_keep_local_time_across_the_autumn_change_in_another_zone():
    # New York leaves daylight time on Sunday 7 November 2027.
    times = weekly_meeting_times(
        start_date=dt.date(2027, 11, 1),
        meeting_time=dt.time(9, 0),
        timezone="America/New_York",
        duration_minutes=45,
        weeks=2,
    )

    assert _utc_hours(times) == [("2027-11-01", 13, 0), ("2027-11-08", 14, 0)]


def test_a_wall_clock_time_in_the_spring_gap_moves_an_hour_later():
    times = weekly_meeting_times(
        start_date=dt.date(2027, 3, 21),
        meeting_time=dt.time(1, 30),
        timezone="Europe/London",
        duration_minutes=30,
        weeks=2,
    )

    # 01:30 GMT, then 28 March 01:30 does not exist: 02:30 BST, which is 01:30 UTC.
    assert _utc_hours(times) == [("2027-03-21", 1, 30), ("2027-03-28", 1, 30)]
