import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from widgets import counters

pytestmark = pytest.mark.redis


def test_redis_counters_round_trip_and_drain_once():
    store = counters.RedisCounterStore(settings.REDIS_URL)
    store.drain()
    store.add(["i:1:employee:0:impressions", "i:1:employee:0:impressions", "t:expired"])

    drained = store.drain()
    again = store.drain()

    ((day, counter),) = drained.items()
    assert counter == {"i:1:employee:0:impressions": 2, "t:expired": 1}
    assert again == {}


def test_concurrent_drains_never_count_an_event_twice():
    store = counters.RedisCounterStore(settings.REDIS_URL)
    store.drain()
    for _ in range(200):
        store.add(["i:7:manager:0:clicks"])
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.drain())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(c.get("i:7:manager:0:clicks", 0) for r in results for c in r.values())
    assert total == 200


def test_a_widget_event_is_counted_on_the_organisations_day_whoever_triggers_it(settings):
    settings.TIME_ZONE = "Europe/London"
    store = counters.RedisCounterStore(settings.REDIS_URL)
    store.drain()
    moment = dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False), timezone.override("Pacific/Kiritimati"):
        store.add(["i:3:employee:0:impressions"])

    assert list(store.drain()) == ["2026-10-31"]
