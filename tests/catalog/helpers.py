"""Shared by the catalog's tests: what the index must agree with, computed the slow way, and
the catalog page's address and facets."""

from django.db.models import Q
from django.urls import reverse

from catalog.durations import DURATION_BAND_Q, DurationBand
from catalog.filters import ItemFilterSet
from catalog.models import Item, Topic
from catalog.search import search_items
from catalog.selectors import item_catalog_search, item_list_for_catalog, item_list_visible_to
from catalog.sessions import StartsWithin, starts_within_q


def reference_counts(user, params, now):
    """Facet counts the slow, obvious way: one COUNT per option under the other filters."""
    filterset = ItemFilterSet(params, queryset=Item.objects.all(), now=now)
    conditions = filterset.conditions()
    base = search_items(item_list_visible_to(user=user, now=now), filterset.term, rank=False)

    def under_all_but(facet):
        queryset = base
        for name, condition in conditions.items():
            if name != facet:
                queryset = queryset.filter(condition)
        return queryset

    option_q = {
        "format": {value: Q(format=value) for value in Item.Format.values},
        "level": {value: Q(level=value) for value in Item.Level.values},
        "duration": {band.value: DURATION_BAND_Q[band] for band in DurationBand},
        "starts": {value: starts_within_q(value, now) for value in StartsWithin.values},
    }
    static = {
        facet: {value: under_all_but(facet).filter(q).count() for value, q in options.items()}
        for facet, options in option_q.items()
    }
    topics = {
        topic.slug: under_all_but("topic").filter(topics=topic).count()
        for topic in Topic.objects.all()
    }
    providers = {
        p: under_all_but("provider").filter(provider=p).count()
        for p in Item.objects.exclude(provider="").values_list("provider", flat=True).distinct()
    }
    languages = {
        code: under_all_but("language").filter(language=code).count()
        for code in Item.objects.values_list("language", flat=True).distinct()
    }
    return under_all_but("").count(), static, topics, providers, languages


LIST_URL = reverse("catalog:list")


def facet_groups(response) -> dict:
    return {group.name: group for group in response.context["facet_groups"]}


def search(user, params, now):
    """`item_catalog_search` as the catalog view calls it."""
    filterset = ItemFilterSet(params, queryset=Item.objects.none(), now=now)
    return item_catalog_search(
        user=user,
        term=filterset.term,
        conditions=filterset.conditions(),
        selected=filterset.selected(),
        sort=filterset.form.cleaned_data.get("sort") or "",
        now=now,
    )


def sql_pks(user, params, now):
    queryset = item_list_for_catalog(user=user, now=now)
    return list(ItemFilterSet(params, queryset=queryset, now=now).qs.values_list("pk", flat=True))


def page_pks(found, start=0, stop=None):
    return [item.pk for item in found.results[start : found.facets.total if stop is None else stop]]


def assert_same_as_sql(user, params, now):
    found = search(user, params, now)
    expected = sql_pks(user, params, now)
    assert found.facets.total == len(expected)
    assert page_pks(found) == expected
    return found, expected
