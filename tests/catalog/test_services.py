import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Item, ZeroResultSearch
from catalog.services import item_search_refresh, zero_result_search_record
from tests.catalog.factories import ItemFactory, TopicFactory


@pytest.mark.django_db
def test_search_refresh_copies_topic_names_onto_items():
    safety = TopicFactory(name="Patient safety")
    leadership = TopicFactory(name="Leadership")
    tagged = ItemFactory(topics=[safety, leadership])
    untagged = ItemFactory()

    updated = item_search_refresh(item_ids=[tagged.pk, untagged.pk])

    assert updated == 2
    tagged.refresh_from_db()
    untagged.refresh_from_db()
    assert set(tagged.topic_names.split(", ")) == {"Patient safety", "Leadership"}
    assert untagged.topic_names == ""


@pytest.mark.django_db
def test_search_refresh_clears_names_of_removed_topics():
    topic = TopicFactory(name="Infection control")
    item = ItemFactory(topics=[topic])
    item_search_refresh(item_ids=[item.pk])
    item.topics.clear()

    item_search_refresh(item_ids=[item.pk])

    item.refresh_from_db()
    assert item.topic_names == ""


@pytest.mark.django_db
def test_search_refresh_runs_one_update_for_a_queryset_of_any_size():
    topic = TopicFactory(name="Wellbeing")
    for _ in range(30):
        ItemFactory(topics=[topic])

    with CaptureQueriesContext(connection) as queries:
        updated = item_search_refresh(item_ids=Item.objects.values("pk"))

    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert updated == 30
    assert len(updates) == 1
    assert set(Item.objects.values_list("topic_names", flat=True)) == {"Wellbeing"}


@pytest.mark.django_db
def test_search_refresh_ignores_unknown_ids_and_does_not_touch_updated_at():
    item = ItemFactory(topics=[TopicFactory(name="Ethics")])
    before = Item.objects.get(pk=item.pk).updated_at

    assert item_search_refresh(item_ids=[item.pk, 999_999]) == 1
    assert item_search_refresh(item_ids=[]) == 0
    assert Item.objects.get(pk=item.pk).updated_at == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_refresh_builds_weighted_search_vector_on_postgresql():
    item = ItemFactory(
        title="Leadership basics",
        summary="For new ward managers",
        description="Delegation and feedback",
        provider="Kings Fund",
        topics=[TopicFactory(name="Coaching")],
    )

    item_search_refresh(item_ids=[item.pk])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM catalog_searchdocument WHERE item_id = %s", [item.pk]
        )
        vector = cursor.fetchone()[0]
    # Title words weigh A, topics B, summary C; description and provider D (shown unmarked).
    assert re.search(r"'leadership':1A\b", vector)
    assert re.search(r"'coach':\d+B\b", vector)
    assert re.search(r"'ward':\d+C\b", vector)
    assert re.search(r"'fund':\d+(\s|,|$)", vector)


@pytest.mark.django_db
def test_zero_result_search_is_counted_per_normalized_term_and_day():
    day = dt.date(2026, 11, 23)

    zero_result_search_record(term="  Sepsis   TRAINING ", day=day)
    zero_result_search_record(term="sepsis training", day=day)
    zero_result_search_record(term="sepsis training", day=day + dt.timedelta(days=1))

    rows = list(ZeroResultSearch.objects.order_by("day").values_list("term", "day", "count"))
    assert rows == [
        ("sepsis training", day, 2),
        ("sepsis training", day + dt.timedelta(days=1), 1),
    ]


@pytest.mark.django_db
def test_zero_result_search_truncates_long_terms_and_skips_blank_ones():
    assert zero_result_search_record(term="   ") is None
    record = zero_result_search_record(term="x" * 500)
    assert record.term == "x" * 200
    assert ZeroResultSearch.objects.count() == 1


def test_zero_result_search_stores_no_person():
    field_names = {field.name for field in ZeroResultSearch._meta.get_fields()}
    assert field_names == {"id", "term", "day", "count"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_zero_result_searches_lose_no_count():
    day = dt.date(2026, 11, 23)
    workers = 8
    barrier = threading.Barrier(workers)
    errors = []

    def search():
        try:
            barrier.wait()
            zero_result_search_record(term="Bariatric care", day=day)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=search) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ZeroResultSearch.objects.get(term="bariatric care", day=day).count == workers


@pytest.mark.django_db
def test_a_zero_result_search_counts_on_the_organisations_day_whoever_searches(settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 in London on 31 October is already 1 November in Kiritimati (UTC+14).
    moment = dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False), timezone.override("Pacific/Kiritimati"):
        record = zero_result_search_record(term="night shift rota")

    assert record.day == dt.date(2026, 10, 31)
