from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import fragments, selectors, services
from .durations import DurationBand
from .filters import ItemFilterSet
from .models import Item
from .sessions import StartsWithin
from .sorting import Sort, effective_sort

PAGE_SIZE = 20


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


# Frozen, so that the filter panel can be remembered under them (catalog.fragments).
@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    options: tuple[FacetOption, ...]
    multiple: bool = True

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)


def _facet_groups(
    selected: dict[str, list[str]], facets: selectors.FacetCounts
) -> tuple[FacetGroup, ...]:
    def static(name: str, label: str, choices, multiple: bool = True) -> FacetGroup:
        counts = facets.static.get(name, {})
        options = tuple(
            FacetOption(value, text, counts.get(value, 0), value in selected[name])
            for value, text in choices
        )
        return FacetGroup(name, label, options, multiple)

    def grouped(name: str, label: str, rows) -> FacetGroup:
        options = tuple(FacetOption(v, text, n, v in selected[name]) for v, text, n in rows)
        return FacetGroup(name, label, options)

    groups = [
        grouped("topic", "Topic", facets.topics),
        static("format", "Format", Item.Format.choices),
        static("duration", "Duration", DurationBand.choices),
        static("level", "Level", Item.Level.choices),
        grouped("language", "Language", facets.languages),
        grouped("provider", "Provider", facets.providers),
        static("starts", "Sessions", StartsWithin.choices, multiple=False),
    ]
    return tuple(group for group in groups if group.options)


@dataclass(frozen=True)
class CatalogScope:
    """A narrowing of the catalog page by an app above the catalog (a theme's items).

    Not a facet (no counts, no checkboxes): shown as a chip whose removal leads back to the
    whole catalog with the same search and filters; the filter form submits to `action`, so
    it stays on while the person refines the search.
    """

    name: str
    label: str
    condition: Q
    action: str


def sort_choices(*, has_term: bool) -> list[tuple[str, str]]:
    """The sort menu, the default first: relevance for a search, else most popular."""
    first = Sort.RELEVANCE if has_term else Sort.POPULAR
    rest = [c for c in Sort.choices if c[0] not in (first, Sort.RELEVANCE)]
    return [(first.value, first.label), *rest]


def item_list(request):
    return catalog_page(request)


def catalog_page(request, *, scope: CatalogScope | None = None):
    """The catalog page: search, facet filters and sort from the query string, within `scope`."""
    now = timezone.now()
    # The filterset validates the query string; the index answers it (see catalog.index).
    filterset = ItemFilterSet(request.GET, queryset=Item.objects.none(), request=request, now=now)
    term = filterset.term
    conditions = filterset.conditions()
    if scope is not None:
        conditions[scope.name] = scope.condition
    selected = filterset.selected()
    chosen_sort = filterset.form.cleaned_data.get("sort") or ""
    search = selectors.item_catalog_search(
        user=request.user,
        term=term,
        conditions=conditions,
        selected=selected,
        sort=chosen_sort,
        now=now,
    )
    facets = search.facets
    paginator = Paginator(search.results, PAGE_SIZE)
    page_number = request.GET.get("page")
    page = paginator.get_page(page_number)
    items = list(page.object_list)
    suggestions = None
    if term and not facets.total:
        suggestions = selectors.item_search_suggestions(user=request.user, term=term, now=now)
        if page_number in (None, "", "1"):
            services.zero_result_search_note(user=request.user, term=term)
    facet_groups = _facet_groups(selected, facets)
    form_action = scope.action if scope else reverse("catalog:list")
    has_filters = bool(conditions)
    return render(
        request,
        "catalog/item_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "term": term,
            "items": items,
            "cards": fragments.item_cards(items=items, term=term, version=search.version),
            "page_obj": page,
            "paginator": paginator,
            "total": facets.total,
            "facet_groups": facet_groups,
            "filter_panel": fragments.filter_panel(
                facet_groups=facet_groups,
                form_action=form_action,
                search_value=filterset.form["q"].value() or "",
                search_invalid=bool(filterset.form["q"].errors),
                term=term,
                has_filters=has_filters,
                chosen_sort=chosen_sort,
            ),
            "scope": scope,
            "form_action": form_action,
            "has_filters": has_filters,
            "sort": effective_sort(chosen_sort, has_term=bool(term)),
            # Kept across filter changes only when the person picked it: a new search term
            # should otherwise switch the default order to relevance.
            "chosen_sort": chosen_sort,
            "sort_choices": sort_choices(has_term=bool(term)),
            "suggestions": suggestions,
        },
    )
