"""Template helpers for the catalog: links that keep the current filters, language names."""

from django import template
from django.http import QueryDict

from catalog.selectors import language_label

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
