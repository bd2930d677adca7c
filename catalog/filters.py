"""The catalog's search form and filters (django-filter).

The filterset validates the catalog page's query string; `selected()` and `conditions()` give
the chosen values to `catalog.selectors.item_catalog_search`, which answers from the catalog
index. `qs` is the same search in SQL, each facet filter one `Q` without joins (related rows
through EXISTS or IN); the tests hold the index to it.
"""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from .durations import DURATION_BAND_Q, DurationBand
from .models import Item
from .search import MAX_TERM_LENGTH, search_items
from .sessions import StartsWithin, starts_within_q
from .sorting import Sort, order_items

# Facets whose values are read from the data (GROUP BY); the others have fixed choices.
GROUPED_FACETS = ("topic", "provider", "language")
STATIC_FACETS = ("format", "level", "duration", "starts")
# Every filter of the form that narrows the results (an app above the catalog may add its own
# condition through `catalog.views.catalog_page`, e.g. a theme's items).
CONDITION_FILTERS = (*GROUPED_FACETS, *STATIC_FACETS)
MAX_VALUES_PER_FACET = 20

INVALID_TOPIC = "“%(value)s” is not a valid topic."
INVALID_LANGUAGE = "“%(value)s” is not a valid language code."
INVALID_PROVIDER = "“%(value)s” is not a valid provider."
TOO_MANY_VALUES = "Choose at most %(limit)s values."
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


class MultipleValueField(forms.Field):
    """Several values of one GET parameter (`?topic=a&topic=b`), each checked by `pattern`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pattern: str, max_length: int, invalid_message: str, **kwargs):
        self.pattern = re.compile(pattern)
        self.max_length = max_length
        self.invalid_message = invalid_message
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return list(dict.fromkeys(v.strip() for v in value if v and v.strip()))

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_VALUES_PER_FACET:
            raise forms.ValidationError(TOO_MANY_VALUES, params={"limit": MAX_VALUES_PER_FACET})
        for item in value:
            if len(item) > self.max_length or not self.pattern.fullmatch(item):
                raise forms.ValidationError(self.invalid_message, params={"value": item[:40]})


class MultipleValueFilter(django_filters.Filter):
    """A facet of free values (not fixed choices), applied through `filter_condition`."""

    field_class = MultipleValueField

    def __init__(self, label: str, *, pattern: str, max_length: int, invalid_message: str):
        super().__init__(
            label=label,
            method="filter_condition",
            pattern=pattern,
            max_length=max_length,
            invalid_message=invalid_message,
        )


class ItemFilterSet(django_filters.FilterSet):
    """Search term, facet filters and sort order of the catalog page.

    Within one facet the chosen values are alternatives (format is video OR book); across
    facets they all apply (and a video of under 30 minutes).
    """

    q = django_filters.CharFilter(
        label="Search", max_length=MAX_TERM_LENGTH, method="filter_search", strip=True
    )
    topic = MultipleValueFilter(
        "Topic", pattern=SLUG_PATTERN, max_length=120, invalid_message=INVALID_TOPIC
    )
    format = django_filters.MultipleChoiceFilter(
        label="Format", choices=Item.Format.choices, method="filter_condition"
    )
    duration = django_filters.MultipleChoiceFilter(
        label="Duration", choices=DurationBand.choices, method="filter_condition"
    )
    level = django_filters.MultipleChoiceFilter(
        label="Level", choices=Item.Level.choices, method="filter_condition"
    )
    language = MultipleValueFilter(
        "Language",
        pattern=r"[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?",
        max_length=8,
        invalid_message=INVALID_LANGUAGE,
    )
    provider = MultipleValueFilter(
        "Provider", pattern=r"[^\x00-\x1f]+", max_length=120, invalid_message=INVALID_PROVIDER
    )
    starts = django_filters.ChoiceFilter(
        label="Sessions",
        choices=StartsWithin.choices,
        method="filter_condition",
        empty_label="Any time, or self-paced",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=Sort.choices, method="filter_sort", empty_label=None
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, now=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.now = now or timezone.now()

    @property
    def term(self) -> str:
        if not self.is_bound:
            return ""
        self.errors  # noqa: B018 - validates the form so cleaned_data exists
        return self.form.cleaned_data.get("q") or ""

    def conditions(self) -> dict[str, Q]:
        """The valid, non-empty facet filters as {facet name: Q}. Invalid input is left out."""
        self.errors  # noqa: B018 - validates the form so cleaned_data exists
        conditions = {}
        for name in CONDITION_FILTERS:
            value = self.form.cleaned_data.get(name)
            if value:
                conditions[name] = self.condition(name, value)
        return conditions

    def selected(self) -> dict[str, list[str]]:
        """The valid chosen values of every filter, {name: values}; [] for an unused one.

        The single-choice `starts` comes as a one-value list too, so callers treat all alike.
        """
        self.errors  # noqa: B018 - validates the form so cleaned_data exists
        selected = {}
        for name in CONDITION_FILTERS:
            value = self.form.cleaned_data.get(name) or []
            selected[name] = [value] if isinstance(value, str) else list(value)
        return selected

    def condition(self, name: str, value) -> Q:
        if name == "topic":
            # IN rather than a correlated EXISTS: where the facet query reads it as a column,
            # PostgreSQL hashes the item ids once instead of probing the index per row.
            tagged = Item.topics.through.objects.filter(topic__slug__in=value)
            return Q(pk__in=tagged.values("item_id"))
        if name == "duration":
            combined = Q()
            for band in value:
                combined |= DURATION_BAND_Q[band]
            return combined
        if name == "starts":
            return starts_within_q(value, self.now)
        return Q(**{f"{name}__in": value})

    def filter_search(self, queryset, name, value):
        return search_items(queryset, value)

    def filter_condition(self, queryset, name, value):
        return queryset.filter(self.condition(name, value))

    def filter_sort(self, queryset, name, value):
        return order_items(queryset, value, has_term=bool(self.term))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = order_items(queryset, "", has_term=bool(self.term))
        return queryset
