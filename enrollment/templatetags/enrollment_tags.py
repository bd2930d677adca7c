from django import template
from django.utils import formats

from enrollment import selectors
from enrollment.models import Source

register = template.Library()


@register.inclusion_tag("enrollment/_item_actions.html", takes_context=True)
def enrollment_actions(context, item):
    """The item page's call to action: enroll, your place, save for later, notify me.

    The attribution a link brought to the item page (`?source=widget_employee`) travels on
    to the enroll link; without one, the enrollment is credited to the item page.
    """
    request = context["request"]
    raw_source = request.GET.get("source")
    source = Source.parse(raw_source) if raw_source else Source.ITEM_PAGE
    actions = selectors.item_actions_for(user=request.user, item=item)
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "item": item,
        "actions": actions,
        "source": source.value,
    }


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
