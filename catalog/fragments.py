"""The catalog page's cards and filter panel, rendered once per process and reused.

Rendering was the catalog page's largest cost under load (a third of its CPU time: twenty
cards and a panel of some hundred filter options), and most people see the same cards and
the same panel. See learning_portal.core.fragments for how pieces are kept; this module names
what each piece's key holds, next to the template it renders:

- a card (catalog/_item_card.html): the catalog version it was read under (raised by every
  committed change to items, sessions, topics or audiences), the item, what its row says
  that the version does not (the next session, which moves on as sessions start, and whether
  it is restricted, read fresh with the page), the viewer's time zone (session times) and
  language. Not the search term: a card is kept with slots for its title and summary, and
  the term's highlighting is put in them per request (a new term once rendered twenty new
  cards, about a tenth of its first search);
- the filter panel (catalog/_filters.html): its whole input (every facet option with its
  count and state, the search box's value, the form's address, the sort kept).

Which items a person sees is never decided here: the page's rows are read through the
visibility rule on every request (catalog.selectors.CatalogResults), and a card is only the
rendering of a row that passed it.
"""

from __future__ import annotations

from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from learning_portal.core.fragments import FragmentMemo
from learning_portal.core.timezones import zone_key

from .index import MAX_AGE
from .templatetags.catalog_tags import highlight

CARD_TEMPLATE = "catalog/_item_card.html"
TITLE_SLOT = mark_safe("<!--card-title-->")
SUMMARY_SLOT = mark_safe("<!--card-summary-->")
FILTERS_TEMPLATE = "catalog/_filters.html"
# A few pages of the most read orders for a few hundred terms; a card is about 1.5 kB
# (9 MB). With 2,000 the mixed benchmark's 300 searches evicted each other's cards.
cards = FragmentMemo(size=6000, seconds=MAX_AGE.total_seconds())
# One panel per combination of filters and counts in use (up to ~25 kB each: 10 MB). With 100,
# a few hundred terms in use rendered almost every panel again (2-3 ms of a 9 ms page).
filter_panels = FragmentMemo(size=400, seconds=MAX_AGE.total_seconds())


def _viewer() -> tuple[str, str]:
    """What a piece depends on about the viewer: time zone and language."""
    return zone_key(timezone.get_current_timezone()), translation.get_language() or ""


def item_cards(*, items: list, term: str, version: int | None) -> list[str]:
    """Each item's card as `catalog/_item_card.html` renders it on the catalog page.

    `items` come from `item_list_for_catalog` (with `next_session_starts_at` and
    `is_restricted`); `version` is the catalog version they were read under (None: render
    every card afresh).
    """
    template = get_template(CARD_TEMPLATE)

    if version is None:
        return [template.render({"item": item, "term": term}) for item in items]
    viewer = _viewer()
    slots = {"title_slot": TITLE_SLOT, "summary_slot": SUMMARY_SLOT}
    filled = []
    for item in items:
        card = cards.get_or_render(
            (version, item.pk, item.next_session_starts_at, item.is_restricted, viewer),
            lambda item=item: template.render({"item": item, **slots}),
        )
        # The slots are comments no item text can forge: the text around them is escaped.
        card = card.replace(TITLE_SLOT, highlight(item.title, term), 1)
        filled.append(mark_safe(card.replace(SUMMARY_SLOT, highlight(item.summary, term), 1)))  # noqa: S308
    return filled


def filter_panel(
    *,
    facet_groups: tuple,
    form_action: str,
    search_value: str,
    search_invalid: bool,
    term: str,
    has_filters: bool,
    chosen_sort: str,
) -> str:
    """The filter panel (`catalog/_filters.html`): the search box, each facet, the actions.

    `facet_groups` are the page's (frozen) facet groups with their counts.
    """
    context = {
        "facet_groups": facet_groups,
        "form_action": form_action,
        "search_value": search_value,
        "search_invalid": search_invalid,
        "term": term,
        "has_filters": has_filters,
        "chosen_sort": chosen_sort,
    }
    key = (*context.values(), _viewer())
    return filter_panels.get_or_render(key, lambda: get_template(FILTERS_TEMPLATE).render(context))


def forget_rendered() -> None:
    """Forget this process's rendered cards and panels (as a new process would start)."""
    cards.clear()
    filter_panels.clear()
