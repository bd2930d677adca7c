"""The enroll POST in a rush: what runs while the session's lock is held, and what it costs.

Everyone clicking Enroll for one session waits on that session's row lock, so whatever runs
from the lock to the commit is paid once per person, one after the other (bench
enrollment_load). These tests pin the statements of a real POST on PostgreSQL, with the
broker's publish recorded instead of sent (so no email task runs inside the request).
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment import services
from enrollment.models import Enrollment, TranscriptEvent
from enrollment.services import seats
from notifications import services as outbox
from notifications.models import OutboxMessage
from recognition.models import BadgeClass
from recognition.signals import active_criteria
from tests.catalog.factories import OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory
from tests.recognition.factories import BadgeClassFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOCK = "lock the session"
COUNT = "count the seats"
ENROLLMENT = "insert the enrollment"
EVENT = "insert the transcript event"
OUTBOX = "insert an outbox row"


@pytest.fixture
def published(monkeypatch):
    """The tasks the request hands to the broker (recorded, not sent)."""
    tasks = []
    monkeypatch.setattr(outbox, "_publish", lambda message: tasks.append(message.task))
    return tasks


def what(sql: str) -> str:
    if sql.startswith('SELECT "catalog_offering"') and "FOR UPDATE" in sql:
        return LOCK
    if sql.startswith('SELECT COUNT("enrollment_enrollment"."id") FILTER'):
        return COUNT
    if sql.startswith('INSERT INTO "enrollment_enrollment"'):
        return ENROLLMENT
    if sql.startswith('INSERT INTO "enrollment_transcriptevent"'):
        return EVENT
    if sql.startswith('INSERT INTO "notifications_outboxmessage"'):
        return OUTBOX
    return sql.split(" ", 1)[0] if sql in {"BEGIN", "COMMIT"} else sql[:80]


def click(client, offering, published=None):
    """One person's enroll POST; the statements it ran, described."""
    if published is not None:
        published.clear()
    url = reverse("enrollment:enroll", args=[offering.item.slug]) + f"?session={offering.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"source": "catalog"})
    assert response.status_code == 302
    return [what(query["sql"]) for query in queries.captured_queries]


def under_the_lock(statements: list[str]) -> list[str]:
    """What ran after the session's lock was granted, up to the commit that releases it."""
    start = statements.index(LOCK)
    return statements[start + 1 : statements.index("COMMIT", start) + 1]


def signed_in(client):
    user = EmployeeFactory().user
    client.force_login(user)
    return user


def test_a_waitlisted_click_holds_the_lock_only_to_count_and_write(client, published):
    offering = OfferingFactory(capacity=1, waitlist_enabled=True)
    enroll(EmployeeFactory().user, offering)
    signed_in(client)

    statements = click(client, offering, published)

    assert under_the_lock(statements) == [COUNT, ENROLLMENT, EVENT, OUTBOX, "COMMIT"]
    assert published == ["enrollment.tasks.send_waitlist_confirmation"]


def test_a_seated_click_holds_the_lock_only_to_count_and_write(client, published):
    offering = OfferingFactory(capacity=5)
    # What active badges are about is read once a minute per process (recognition.signals).
    active_criteria()
    signed_in(client)

    statements = click(client, offering, published)

    assert under_the_lock(statements) == [COUNT, ENROLLMENT, EVENT, OUTBOX, "COMMIT"]
    assert published == ["enrollment.tasks.send_enrollment_confirmation"]
    assert Enrollment.objects.get().status == Enrollment.Status.ENROLLED


def test_a_badge_about_enrolling_adds_its_outbox_row_but_no_query_under_the_lock(client, published):
    BadgeClassFactory(criterion=BadgeClass.Criterion.FIRST_ELECTIVE_ENROLLMENT)
    offering = OfferingFactory(capacity=5)
    signed_in(client)
    click(client, offering)  # this process learns which criteria active badges are about
    signed_in(client)

    statements = click(client, offering, published)

    assert under_the_lock(statements) == [COUNT, ENROLLMENT, OUTBOX, EVENT, OUTBOX, "COMMIT"]
    assert sorted(published) == [
        "enrollment.tasks.send_enrollment_confirmation",
        "recognition.tasks.check_badge_awards",
    ]


def test_an_enroll_post_costs_a_fixed_number_of_queries(client, published):
    offering = OfferingFactory(capacity=1, waitlist_enabled=True)
    enroll(EmployeeFactory().user, offering)
    signed_in(client)

    statements = click(client, offering, published)

    # The person, the item, the session, their current place (4); the transaction: BEGIN,
    # lock, count, enrollment, event, outbox row, COMMIT (7); the outbox row marked
    # published after the commit (1). The place in line for the message comes from the
    # count taken under the lock, not from another query.
    assert len(statements) == 12, "\n".join(statements)
    assert statements.count("COMMIT") == 1


def test_the_enrollment_is_durable_before_the_answer(client, published):
    offering = OfferingFactory(capacity=5)
    user = signed_in(client)

    statements = click(client, offering)

    # Nothing in the request lets its commit skip waiting for the disk: the person's record
    # is on disk before they are told they are enrolled.
    assert not any("synchronous_commit" in statement for statement in statements)
    enrollment = Enrollment.objects.get(user=user)
    assert OutboxMessage.objects.get(args=[enrollment.pk]).dispatched_at is not None


def _losing_double_submit(monkeypatch):
    """The person's first submit commits between this submit's check and its insert."""
    checks = []
    real = seats.active_for_item

    def stale_first_check(**kwargs):
        checks.append(1)
        return None if len(checks) == 1 else real(**kwargs)

    monkeypatch.setattr(services.enrollments, "active_for_item", stale_first_check)


def test_a_losing_double_submit_returns_the_place_the_other_submit_took(monkeypatch):
    offering = OfferingFactory(capacity=5)
    user = EmployeeFactory().user
    first = enroll(user, offering)
    _losing_double_submit(monkeypatch)

    again = enroll(user, offering)

    assert again.pk == first.pk
    assert TranscriptEvent.objects.filter(user=user).count() == 1
    assert OutboxMessage.objects.filter(args=[first.pk]).count() == 1


def test_a_losing_double_submit_inside_a_callers_transaction_leaves_it_usable(monkeypatch):
    offering = OfferingFactory(capacity=5)
    user = EmployeeFactory().user
    first = enroll(user, offering)
    _losing_double_submit(monkeypatch)

    with transaction.atomic():
        again = enroll(user, offering)
        # The caller's transaction goes on: only the losing attempt was rolled back.
        assert Enrollment.objects.filter(user=user).count() == 1

    assert again.pk == first.pk
    assert TranscriptEvent.objects.filter(user=user).count() == 1


def test_an_integrity_error_that_is_no_double_submit_is_raised(monkeypatch):
    offering = OfferingFactory(capacity=5)
    user = EmployeeFactory().user
    monkeypatch.setattr(
        seats.Enrollment, "save", lambda self, **kwargs: (_ for _ in ()).throw(IntegrityError())
    )

    with pytest.raises(IntegrityError):
        enroll(user, offering)

    assert not TranscriptEvent.objects.exists()
