from django import template
from django.utils import formats

register = template.Library()


@register.filter
def ordinal(value):
    try:
        n = int(value)
    except (TypeError, ValueError):
        return value
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@register.filter
def session_span(offering):
    """'Tuesday 3 March 2026, 09:00–12:00' in the session's own time zone.

    A session that ends on another day shows its end date too.
    """
    starts_at, ends_at = offering.local_starts_at, offering.local_ends_at
    day = formats.date_format(starts_at, "l j F Y")
    start = formats.time_format(starts_at, "H:i")
    if starts_at.date() == ends_at.date():
        end = formats.time_format(ends_at, "H:i")
    else:
        end = formats.date_format(ends_at, "l j F Y, H:i")
    return f"{day}, {start}–{end}"
