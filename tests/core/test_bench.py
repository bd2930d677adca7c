import datetime as dt
import os
import random
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench import catalog_search, mixed_load
from bench.harness import (
    ROOT,
    Context,
    available,
    core_speed,
    percentile,
    production_environment,
    summary_of,
)
from tests.catalog.factories import AudienceFactory, ItemFactory


def test_percentile_interpolates_between_samples():
    values = [float(n) for n in range(1, 101)]

    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_the_benchmarks_environment_loads_the_production_settings():
    """Every value production requires is there: a new required setting breaks this first."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PORTAL_", "BADGE_", "EMAIL_"))
    }
    environment = production_environment(
        "postgres://postgres@127.0.0.1:5432/bench_settings_only", "redis://127.0.0.1:6379/9"
    )
    script = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**kept, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_every_benchmark_module_is_found_with_its_summary():
    names = available()

    assert "catalog_search" in names
    assert "harness" not in names
    assert all(summary_of(name) for name in names)


def test_measure_stops_a_slow_case_after_its_budget_but_keeps_three_samples():
    ctx = Context(rounds=50, warmup=1, employees=0, items=0, budget_seconds=0)
    calls = []

    samples = ctx.measure(lambda: calls.append(1))

    assert len(samples) == 3
    assert len(calls) == 4


def test_report_prints_each_case_and_the_ratio_to_the_target(capsys):
    ctx = Context(rounds=3, warmup=0, employees=0, items=0)

    ctx.report("demo", {"fast": [10.0, 10.0, 10.0]}, target_ms=50, notes={"fast": "4 queries"})

    output = capsys.readouterr().out
    assert "== demo (target p95 <= 50 ms) ==" in output
    assert "4 queries" in output
    assert "p95/target=0.20" in output


@pytest.mark.django_db
def test_catalog_benchmark_cases_all_render(client):
    """The benchmark's fixed queries stay valid catalog URLs as the filters evolve."""
    call_command("seed_demo", employees=50, items=60, stdout=StringIO())
    client.post("/accounts/login/", {"login": catalog_search.BENCH_USER, "password": "learn-demo"})

    for label, query in catalog_search.CASES:
        response = client.get(f"/catalog/?{query}")
        assert response.status_code == 200, label
        assert not response.context["form"].errors, label


def test_a_client_process_that_hangs_is_stopped_and_the_run_ends():
    import subprocess
    import sys
    import time

    from bench import serving

    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()

    with pytest.raises(SystemExit, match="did not finish in time"):
        serving._output_of(hung, give_up_at=time.time() + 0.5)

    assert time.monotonic() - started < 10
    assert hung.poll() is not None


def test_the_served_portal_loads_its_urls_before_the_first_request():
    import os
    import subprocess
    import sys

    # A fresh interpreter, as gunicorn's worker imports the WSGI module.
    code = (
        "import sys, learning_portal.wsgi; "
        "print('enrollment.views' in sys.modules, 'portal.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "learning_portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["True", "True"]


@pytest.mark.django_db
def test_mixed_load_asks_only_for_item_pages_that_everyone_may_see():
    now = timezone.now()
    open_item = ItemFactory()
    ItemFactory(publish_end=now - dt.timedelta(days=1))
    ItemFactory(publish_start=now + dt.timedelta(days=1))
    ItemFactory(is_published=False)
    ItemFactory(audiences=[AudienceFactory()])

    assert mixed_load._item_paths(10, random.Random(1)) == [open_item.get_absolute_url()]


def test_the_core_speed_is_a_plausible_count_of_loop_steps():
    # Steps per microsecond of a pure-Python loop: tens on any machine CPython runs on.
    assert 0.5 < core_speed() < 1000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_before_each_benchmark_the_tables_autovacuum_would_clean_are_vacuumed():
    """With autovacuum off, a rolled-back import would leave the catalog's heap mostly dead for
    the benchmarks after it; the harness cleans and analyzes what autovacuum would."""
    from django.db import connection

    from bench.harness import vacuum_as_autovacuum_would
    from catalog.models import Item

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum')")
        autovacuum = cursor.fetchone()[0]
    ItemFactory.create_batch(80)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # counters are sent when idle
    connection.close()
    # 80 new rows > 50 + 10% of 80 changed since the last analyze: analyzed, as autoanalyze would.
    first = vacuum_as_autovacuum_would()
    for _ in range(10):
        Item.objects.update(summary="rewritten")  # 80 dead rows each time: 800 > 50 + 16
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # counters are sent when idle
    connection.close()  # ends this session, which sends its counters

    vacuumed = vacuum_as_autovacuum_would()

    if autovacuum == "on":
        assert vacuumed == []
        assert first == []
    else:
        assert "catalog_item" in first
        assert "catalog_item" in vacuumed
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'catalog_item'"
            )
            assert cursor.fetchone()[0] == 0
