"""The transactional outbox: a task is recorded with the write and published once."""

import threading

import pytest
from celery import shared_task
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from learning_portal.core import circuit
from notifications import services, tasks
from notifications.models import OutboxMessage

RAN: list[int] = []


@shared_task(name="tests.notifications.record_run")
def record_run(value: int) -> None:
    RAN.append(value)


@pytest.fixture(autouse=True)
def _fresh():
    RAN.clear()
    circuit.reset_all()
    yield
    circuit.reset_all()


def _broker_down(monkeypatch, calls: list | None = None):
    def refuse(message):
        if calls is not None:
            calls.append(message.pk)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(services, "_publish", refuse)


@pytest.mark.django_db(transaction=True)
def test_schedule_outside_a_transaction_is_refused():
    with pytest.raises(transaction.TransactionManagementError):
        services.outbox_schedule(task=record_run, args=[1])
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_scheduled_task_runs_once_after_commit_and_is_marked_dispatched(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = services.outbox_schedule(task=record_run, args=[7])
        assert RAN == []

    message.refresh_from_db()
    assert RAN == [7]
    assert message.task == "tests.notifications.record_run"
    assert message.dispatched_at is not None
    assert services.outbox_dispatch() == 0
    assert RAN == [7]


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_task(django_capture_on_commit_callbacks):
    def failing_write():
        with transaction.atomic():
            services.outbox_schedule(task=record_run, args=[1])
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_write()

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert RAN == []


@pytest.mark.django_db
def test_broker_down_keeps_the_task_until_the_sweeper_publishes_it_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    _broker_down(monkeypatch, calls)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = services.outbox_schedule(task=record_run, args=[3])

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert message.last_error.startswith("OperationalError: Error 111")
    # The breaker is open: the next dispatch does not wait on the broker at all.
    assert circuit.breaker(services.BROKER_BREAKER).is_open
    assert services.outbox_dispatch() == 0
    assert calls == [message.pk]

    monkeypatch.undo()
    circuit.reset_all()
    monkeypatch.setattr(tasks, "SETTLE", tasks.SETTLE * 0)
    # Eager mode runs a published task once the dispatch transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_outbox() == 1
    assert tasks.dispatch_outbox() == 0
    assert RAN == [3]
    message.refresh_from_db()
    assert message.dispatched_at is not None


@pytest.mark.django_db
def test_sweeper_leaves_fresh_rows_to_their_request(monkeypatch):
    _broker_down(monkeypatch)
    with transaction.atomic():
        services.outbox_schedule(task=record_run, args=[1])
    monkeypatch.undo()

    assert tasks.dispatch_outbox() == 0
    assert RAN == []


@pytest.mark.django_db
def test_sweeper_prunes_rows_published_long_ago():
    from django.utils import timezone

    old = OutboxMessage.objects.create(
        task=record_run.name, dispatched_at=timezone.now() - tasks.KEEP_DISPATCHED * 2
    )
    tasks.dispatch_outbox()
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_publish_each_row_once(monkeypatch):
    published = []
    lock = threading.Lock()

    def publish(message):
        with lock:
            published.append(message.pk)

    monkeypatch.setattr(services, "_publish", publish)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task=record_run.name, args=[n]) for n in range(300)
    )
    barrier = threading.Barrier(4)

    def dispatch():
        try:
            barrier.wait()
            while services.outbox_dispatch():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(published) == 300
    assert len(set(published)) == 300
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


@shared_task(name="tests.notifications.durable_write")
def durable_write(value: int) -> None:
    # A task whose service must be the outermost transaction, as on a worker.
    with transaction.atomic(durable=True):
        RAN.append(value)


@pytest.mark.django_db(transaction=True)
def test_eager_tasks_run_outside_the_dispatch_transaction():
    with transaction.atomic():
        services.outbox_schedule(task=durable_write, args=[5])

    assert RAN == [5]
    assert OutboxMessage.objects.get().dispatched_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_committed_row_is_published_then_marked_in_one_statement(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    published = []
    monkeypatch.setattr(services, "_publish", lambda message: published.append(message.pk))

    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            message = services.outbox_schedule(task=record_run, args=[5])
        after_commit = [q["sql"] for q in queries.captured_queries][3:]

    # BEGIN, the row, COMMIT; then only the mark (every enroll POST pays it).
    assert published == [message.pk]
    assert len(after_commit) == 1
    assert after_commit[0].startswith('UPDATE "notifications_outboxmessage"')
    message.refresh_from_db()
    assert message.dispatched_at is not None


@pytest.mark.django_db
def test_a_row_a_sweep_published_first_keeps_its_time(monkeypatch):
    from django.utils import timezone

    published = []
    monkeypatch.setattr(services, "_publish", lambda message: published.append(message.pk))
    message = OutboxMessage.objects.create(task=record_run.name, args=[1])
    swept_at = timezone.now() - tasks.SETTLE
    OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=swept_at)

    services._publish_committed(message)

    message.refresh_from_db()
    assert message.dispatched_at == swept_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_marks_rows_without_waiting_for_the_disk(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "_publish", lambda message: None)
    OutboxMessage.objects.create(task=record_run.name, args=[1])

    with CaptureQueriesContext(connection) as queries:
        assert services.outbox_dispatch() == 1

    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[:2] == ["BEGIN", "SET LOCAL synchronous_commit TO OFF"]
    assert statements[-1] == "COMMIT"
