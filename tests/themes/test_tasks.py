import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import EmailPreference, SentEmail
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.helpers import wait_for
from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory
from themes import tasks
from themes.models import Theme, ThemeRelease


def due_theme(**kwargs):
    theme = ThemeFactory(
        title="Speaking up for safety",
        state=Theme.State.SCHEDULED,
        release_at=timezone.now() - dt.timedelta(minutes=1),
        **kwargs,
    )
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Raising a concern"), curator_note="Start")
    return theme


@pytest.fixture
def people(db):
    """Two people who should hear about the theme, and three who should not."""
    staff = EmployeeFactory(user__email="nurse@example.org", is_manager=False)
    lead = EmployeeFactory(user__email="lead@example.org", is_manager=True)
    opted_out = EmployeeFactory(user__email="quiet@example.org")
    EmailPreference.objects.create(user=opted_out.user, theme_announcements=False)
    EmployeeFactory(user__email="left@example.org", user__is_active=False)
    # An account with no HR record (a service or admin account) is not an employee.
    UserFactory(email="robot@example.org")
    return staff, lead


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


@pytest.mark.django_db
def test_release_announces_once_to_active_employees_who_did_not_opt_out(
    people, django_capture_on_commit_callbacks
):
    theme = due_theme()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_themes() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_themes() == 0

    assert recipients() == ["lead@example.org", "nurse@example.org"]
    theme.refresh_from_db()
    assert theme.state == Theme.State.PUBLISHED
    release = ThemeRelease.objects.get(theme=theme)
    assert release.announcement_queued_at is not None
    assert release.recipient_count == 2
    assert SentEmail.objects.filter(kind="theme_announcement").count() == 2


@pytest.mark.django_db
def test_managers_get_a_share_with_your_team_block_and_staff_do_not(
    people, django_capture_on_commit_callbacks
):
    due_theme()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_due_themes()

    by_address = {message.to[0]: message for message in mail.outbox}
    manager_email = by_address["lead@example.org"]
    staff_email = by_address["nurse@example.org"]
    assert manager_email.subject == "This month's learning theme: Speaking up for safety"
    assert "Share with your team" in manager_email.body
    assert "This month on Learning Portal: Speaking up for safety." in manager_email.body
    assert "Share with your team" not in staff_email.body
    assert "Raising a concern" in staff_email.body
    assert "?source=theme_page" in staff_email.body
    html = staff_email.alternatives[0][0]
    assert "Explore this month&#x27;s theme" in html or "Explore this month's theme" in html


@pytest.mark.django_db
def test_announcement_lists_only_items_the_person_may_see(
    people, django_capture_on_commit_callbacks
):
    theme = due_theme()
    pharmacy = DepartmentFactory(name="Pharmacy")
    ThemeItemFactory(
        theme=theme,
        item=ItemFactory(
            title="Controlled drugs audit", audiences=[AudienceFactory(departments=[pharmacy])]
        ),
    )
    EmployeeFactory(user__email="pharmacist@example.org", department=pharmacy)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_due_themes()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Controlled drugs audit" in by_address["pharmacist@example.org"].body
    assert "Controlled drugs audit" not in by_address["nurse@example.org"].body


@pytest.mark.django_db
def test_announcement_reads_the_theme_once_per_audience_set_not_per_person(
    people, django_capture_on_commit_callbacks
):
    theme = due_theme()
    pharmacy = DepartmentFactory(name="Pharmacy")
    ThemeItemFactory(
        theme=theme,
        item=ItemFactory(
            title="Controlled drugs audit", audiences=[AudienceFactory(departments=[pharmacy])]
        ),
    )
    for number in range(2):
        EmployeeFactory(user__email=f"pharmacist{number}@example.org", department=pharmacy)
    for number in range(3):
        EmployeeFactory(user__email=f"porter{number}@example.org")

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.release_due_themes()

    assert len(mail.outbox) == 7
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Controlled drugs audit" in by_address["pharmacist1@example.org"].body
    assert "Controlled drugs audit" not in by_address["porter2@example.org"].body
    # Two audience sets among seven people: pharmacy, and no audience at all.
    entry_reads = [q for q in queries if 'FROM "themes_themeitem"' in q["sql"]]
    assert len(entry_reads) == 2


@pytest.mark.django_db
def test_a_redelivered_announcement_batch_sends_nothing_twice(
    people, django_capture_on_commit_callbacks
):
    due_theme()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_due_themes()
    release = ThemeRelease.objects.get()
    staff, lead = people

    assert tasks.send_theme_announcement_batch(release.pk, [staff.user_id, lead.user_id]) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_theme_not_yet_due_is_neither_released_nor_announced(
    people, django_capture_on_commit_callbacks
):
    ThemeFactory(state=Theme.State.SCHEDULED, release_at=timezone.now() + dt.timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_themes() == 0

    assert not ThemeRelease.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_theme_archived_before_its_batch_runs_is_not_announced(
    people, django_capture_on_commit_callbacks
):
    theme = due_theme()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.release_due_themes()
    Theme.objects.filter(pk=theme.pk).update(state=Theme.State.ARCHIVED)

    for callback in callbacks:
        callback()

    assert mail.outbox == []


def _run_concurrently(target, count=2):
    """Run `target` in `count` threads released together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_beat_runs_release_and_announce_once(people):
    theme = due_theme()

    _run_concurrently(tasks.release_due_themes)

    assert ThemeRelease.objects.filter(theme=theme).count() == 1
    assert recipients() == ["lead@example.org", "nurse@example.org"]


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_two_beat_runs_and_retried_tasks_send_one_email_per_person(
    people, redis_worker
):
    theme = due_theme()
    staff, lead = people

    # Two beat processes fire at once; the batches go through Redis to the worker.
    _run_concurrently(tasks.release_due_themes)
    assert wait_for(lambda: len(mail.outbox) >= 2)

    release = ThemeRelease.objects.get(theme=theme)
    # At-least-once delivery: the beat task and a batch are delivered again.
    tasks.release_due_themes.delay()
    tasks.send_theme_announcement_batch.delay(release.pk, [staff.user_id, lead.user_id])
    # A person who joined since: their batch is queued last, so once their email is out,
    # the worker (one process, FIFO) has handled the redeliveries before it.
    newcomer = EmployeeFactory(user__email="newcomer@example.org")
    tasks.send_theme_announcement_batch.delay(release.pk, [newcomer.user_id])
    assert wait_for(lambda: "newcomer@example.org" in recipients())

    assert ThemeRelease.objects.filter(theme=theme).count() == 1
    assert recipients() == ["lead@example.org", "newcomer@example.org", "nurse@example.org"]


@pytest.mark.django_db
def test_announcement_gives_featured_sessions_in_each_readers_zone(
    people, settings, django_capture_on_commit_callbacks
):
    import zoneinfo

    from tests.catalog.factories import OfferingFactory

    settings.TIME_ZONE = "Europe/London"
    staff, lead = people
    lead.user.time_zone = "America/New_York"
    lead.user.save(update_fields=["time_zone"])
    theme = due_theme()
    starts_at = dt.datetime(2027, 6, 15, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    session = OfferingFactory(
        item=theme.items.first(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        timezone="Europe/London",
    )
    theme.featured_offerings.add(session)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_due_themes()

    by_address = {message.to[0]: message for message in mail.outbox}
    to_staff, to_lead = by_address[staff.user.email], by_address[lead.user.email]
    assert "Tuesday 15 June 2027, 14:00–15:00 London time" in to_staff.body
    assert "New York" not in to_staff.body
    assert (
        "Tuesday 15 June 2027, 09:00–10:00 New York time (14:00–15:00 London time)" in to_lead.body
    )
    assert "09:00–10:00 New York time" in to_lead.alternatives[0][0]
