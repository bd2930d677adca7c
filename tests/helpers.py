"""Helpers shared by the tests of several apps (each app's own are in tests/<app>/helpers.py)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

MAX_WORKERS = 25


def run_concurrently(calls, workers=MAX_WORKERS):
    """Run the callables in parallel threads; returns (results, exceptions) in call order."""
    start = threading.Event()

    def run(call):
        start.wait()
        try:
            return call(), None
        except Exception as exc:  # noqa: BLE001 - the test asserts there were none
            return None, exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        outcomes = [future.result(timeout=120) for future in futures]
    return [r for r, _ in outcomes], [e for _, e in outcomes if e is not None]


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Whether `condition()` became true within `seconds` (a real worker is at work)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
