"""Template helpers for the catalog: safe Markdown and links that keep the current filters."""

import markdown as markdown_lib
import nh3
from django import template
from django.http import QueryDict
from django.utils.safestring import mark_safe

from catalog.selectors import language_label

register = template.Library()

# What item descriptions may contain once rendered: text structure, links, tables, code.
# No images (they would load third-party content), no forms, no embedded media.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


@register.filter(is_safe=True)
def markdown(text: str | None) -> str:
    """Render Markdown to HTML and sanitize it with an allowlist.

    Raw HTML in the source passes through Markdown and is then cleaned by nh3: tags outside
    ALLOWED_TAGS are removed (script and style with their content), event-handler and style
    attributes are dropped, only http(s)/mailto links survive, and every link gets
    rel="noopener noreferrer".
    """
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above


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
