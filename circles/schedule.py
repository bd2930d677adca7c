"""The weekly meeting times of a circle, computed in its own time zone.

Each meeting is the same wall-clock time in the circle's zone, so a circle that meets at
12:30 in London meets at 12:30 before and after the clocks change (the UTC instant moves by
an hour). Adding seven days to a UTC instant would get that wrong twice a year.
"""

import datetime
import zoneinfo


def weekly_meeting_times(
    *,
    start_date: datetime.date,
    meeting_time: datetime.time,
    timezone: str,
    duration_minutes: int,
    weeks: int,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(start, end) of each weekly meeting, aware datetimes in UTC, one per week."""
    zone = zoneinfo.ZoneInfo(timezone)
    length = datetime.timedelta(minutes=duration_minutes)
    times = []
    for week in range(weeks):
        day = start_date + datetime.timedelta(weeks=week)
        # A wall-clock time that does not exist (inside a spring-forward gap) resolves to the
        # instant an hour later, as calendars do; an ambiguous one takes its first occurrence.
        local = datetime.datetime.combine(day, meeting_time, tzinfo=zone)
        start = local.astimezone(datetime.UTC)
        times.append((start, start + length))
    return times
