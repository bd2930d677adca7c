"""Sections that apps above circles add to a circle's page, each loaded from its own page.

Circles cannot name a higher app (the layer order), so a higher app registers its section
here from its AppConfig.ready(): a URL name that takes the circle's `slug`, a heading and
the text of the link that stands in until the section loads (or without JavaScript).
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Panel:
    key: str
    url_name: str
    title: str
    link_text: str


_PANELS: dict[str, Panel] = {}


def panel_register(*, key: str, url_name: str, title: str, link_text: str) -> None:
    _PANELS[key] = Panel(key=key, url_name=url_name, title=title, link_text=link_text)


def panels_for(*, circle) -> list[dict]:
    """The registered sections of this circle's page, with their URLs (public circles only)."""
    if not circle.is_public:
        return []
    return [
        {
            "key": panel.key,
            "url": reverse(panel.url_name, kwargs={"slug": circle.slug}),
            "title": panel.title,
            "link_text": panel.link_text,
        }
        for panel in _PANELS.values()
    ]
