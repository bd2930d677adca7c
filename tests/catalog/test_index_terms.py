"""What a search term matches, cached for everyone and remembered per process."""

import datetime as dt
import gc
import weakref

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog import index
from catalog.models import Item
from catalog.services import item_search_refresh
from catalog.tasks import refresh_catalog_index
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.catalog.helpers import (
    search,
)


@pytest.mark.django_db
def test_cached_term_matches_outlive_catalog_writes_that_do_not_change_search(employee, committed):
    now = timezone.now()
    item = ItemFactory(title="Hand hygiene")
    item_search_refresh(item_ids=[item.pk])
    search(employee.user, {"q": "hygiene"}, now)
    with committed():
        OfferingFactory(item=item, starts_at=now + dt.timedelta(days=3))
        item.is_published = False
        item.save()
        item.is_published = True
        item.save()

    # The index is rebuilt for the new session (its queries), but "hygiene" is not searched.
    searched = search(employee.user, {"q": "hygiene", "starts": "7"}, now)
    assert searched.facets.total == 1
    term_key = index.term_cache_key(index.catalog_index(now), "hygiene")
    assert cache.get(term_key) is not None

    with committed():
        item_search_refresh(item_ids=[item.pk])
    assert cache.get(index.term_cache_key(index.catalog_index(now), "hygiene")) is None


@pytest.mark.django_db
def test_refresh_task_matches_recent_terms_again_after_search_documents_change(
    employee, django_assert_num_queries, committed
):
    now = timezone.now()
    ItemFactory(title="Hand hygiene")
    ItemFactory(title="Rota planning")
    item_search_refresh(item_ids=Item.objects.values("pk"))
    for term in ("hygiene", "Rota  Planning", "hygiene"):
        search(employee.user, {"q": term}, now)
    assert cache.get(index.RECENT_TERMS_KEY) == ["rota planning", "hygiene"]

    with committed():
        item = ItemFactory(title="Hygiene audits")
        item_search_refresh(item_ids=[item.pk])
    refresh_catalog_index.apply()  # what the commit queues for the worker
    index.forget_process_copies()

    # Version and audiences only: the index and the term's new matches were ready.
    with django_assert_num_queries(2):
        assert search(employee.user, {"q": "hygiene"}, timezone.now()).facets.total == 2
    # A later run has nothing left to match.
    assert index.prewarm_recent_terms(index.catalog_index()) == 0


@pytest.mark.django_db
def test_prewarming_stops_at_its_time_budget(employee):
    ItemFactory(title="Hand hygiene")
    cache.set(index.RECENT_TERMS_KEY, ["hand", "hygiene"])

    assert index.prewarm_recent_terms(index.catalog_index(), budget_seconds=-1) == 0
    assert index.prewarm_recent_terms(index.catalog_index()) == 2


@pytest.mark.django_db
def test_a_remembered_term_does_not_keep_an_old_index_alive(employee, committed):
    ItemFactory(title="Hand hygiene")
    item_search_refresh(item_ids=Item.objects.values("pk"))
    search(employee.user, {"q": "hygiene"}, timezone.now())
    first = weakref.ref(index.process_copy())

    with committed():
        ItemFactory(title="Rota planning")
    search(employee.user, {"q": "rota"}, timezone.now())  # placed in the new index
    gc.collect()

    assert first() is None
    assert index.remembered_term_count() == 2  # "hygiene" is remembered, its old placement is not
