"""Markdown written by learning admins (item descriptions, theme introductions), made safe."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

from .fragments import FragmentMemo

# What rendered Markdown may contain: text structure, links, tables, code. No images (they
# would load third-party content), no forms, no embedded media.
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
# Each text is rendered once per process: an item page rendered its description on every
# view (a tenth of the page's time). The key is the text itself, so an edit is a new entry.
_rendered = FragmentMemo(size=1000, seconds=60 * 60)


def render_markdown(text: str | None) -> SafeString:
    """Render Markdown to HTML and sanitize it with an allowlist.

    Raw HTML in the source passes through Markdown and is then cleaned by nh3: tags outside
    ALLOWED_TAGS are removed (script and style with their content), event-handler and style
    attributes are dropped, only http(s)/mailto links survive, and every link gets
    rel="noopener noreferrer".
    """
    if not text:
        return mark_safe("")
    return _rendered.get_or_render(text, lambda: _render(text))


def _render(text: str) -> SafeString:
    html = markdown_lib.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above
