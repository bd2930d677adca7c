"""Template helpers for the catalog: links that keep the current filters, language names,
search terms highlighted."""

import re

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from catalog.search import normalize_search_term
from catalog.selectors import language_label
from learning_portal.core.timezones import span_for_viewer, zone_key, zone_label

register = template.Library()


@register.simple_tag(takes_context=True)
def query_without(context, key: str, value: str = "") -> str:
    """The current query string minus one value of `key` (or all of it), and minus `page`.

    For "remove this filter" links: `?{% query_without 'topic' 'leadership' %}`.
    """
    query: QueryDict = context["request"].GET.copy()
    query.pop("page", None)
    if value:
        kept = [v for v in query.getlist(key) if v != value]
        query.setlist(key, kept)
    else:
        query.pop(key, None)
    return query.urlencode()


@register.simple_tag
def language_name(code: str) -> str:
    return language_label(code)


@register.inclusion_tag("catalog/_session_when.html")
def session_when(offering):
    """A session's time in the viewer's zone, with its own zone's time when that differs."""
    return {"when": _when(offering)}


@register.filter
def session_when_text(offering) -> str:
    """The same as plain text (labels, button names): 'Tue 8 Dec 2026, 14:00–16:00 London time'."""
    return str(_when(offering))


def _when(offering):
    return span_for_viewer(
        offering.starts_at,
        offering.ends_at,
        offering.timezone,
        series=getattr(offering, "meeting_series", False),
    )


@register.simple_tag
def viewer_zone() -> str:
    """The name of the zone times are shown in: 'London time'."""
    return zone_label(zone_key(timezone.get_current_timezone()))


@register.filter(needs_autoescape=True)
def highlight(text, term, autoescape=True):
    """`text` with the words of the search `term` wrapped in <mark> (escaped first).

    Matches word beginnings, as the search does ("leader" marks "Leadership").
    """
    text = conditional_escape(text) if autoescape else str(text)
    words = [re.escape(conditional_escape(w)) for w in normalize_search_term(term or "").split()]
    words = [w for w in words if len(w) >= 2]
    if not words:
        return mark_safe(text)  # noqa: S308 (escaped above)
    # Not after "&" or "#": a word must never be marked inside an entity ("R&amp;D", "amp").
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    pattern = re.compile(r"(?<![\w&#])(" + alternatives + r")", re.I)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", text))  # noqa: S308 (escaped above)
