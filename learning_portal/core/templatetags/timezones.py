"""`{% load timezones %}`: a span of time as its reader reads it, in any app's template."""

from django import template
from django.utils import timezone

from learning_portal.core.timezones import is_zone, span_for_viewer, zone_key, zone_label

register = template.Library()


@register.simple_tag
def reader_span(starts_at, ends_at, own_zone: str, long: bool = False, series: bool = False):
    """`{% reader_span meeting.starts_at meeting.ends_at circle.timezone long=True %}`: the span
    in the active zone (the page's viewer, an email's recipient) with its own zone's time
    noted when that reads otherwise: 'Tuesday 8 December 2026, 14:00–15:00 London time
    (09:00–10:00 New York time)'."""
    return str(span_for_viewer(starts_at, ends_at, own_zone, long=long, series=series))


@register.simple_tag
def reader_zone_note(own_zone: str) -> str:
    """For a list of times in the active zone: 'London time', and the zone they are held in
    when it is another: 'London time (held on New York time)'."""
    reader = zone_key(timezone.get_current_timezone())
    if own_zone == reader or not is_zone(own_zone):
        return zone_label(reader)
    return f"{zone_label(reader)} (held on {zone_label(own_zone)})"
