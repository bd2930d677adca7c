"""The monthly report: to learning admins, once per month, through the outbox."""

import pytest
from django.core import mail

from insights import tasks
from insights.models import MonthlyReport
from insights.services import monthly_report_queue
from notifications.models import OutboxMessage, SentEmail
from tests.insights.factories import at, enroll, hr_user, learning_admin, people, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures():
    managers = people(20, department="Nursing", is_manager=True)
    others = people(30, department="Nursing")
    for person in managers[:6] + others[:9]:
        enroll(person, at(2026, 2, 9))
    refresh(at(2026, 3, 1, 0, 30))  # February is final
    return managers


@pytest.fixture
def admins():
    first = learning_admin("first-admin@example.org")
    second = learning_admin("second-admin@example.org")
    gone = learning_admin("gone-admin@example.org")
    gone.is_active = False
    gone.save()
    hr_user()  # HR insights reads the dashboard; the report is for learning admins
    return first, second


def sent_to():
    return sorted(message.to[0] for message in mail.outbox)


def test_report_goes_once_to_each_learning_admin(
    figures, admins, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_queue(now=at(2026, 3, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_report_queue(now=at(2026, 3, 1, 2)) is None
        assert tasks.send_monthly_report() == 0

    assert report.month.isoformat() == "2026-02-01"
    assert report.recipient_count == 2
    assert sent_to() == ["first-admin@example.org", "second-admin@example.org"]
    assert (
        OutboxMessage.objects.filter(task="insights.tasks.send_monthly_report_batch").count() == 1
    )
    message = mail.outbox[0]
    # 6 of 20 managers, shown rounded to the nearest 5.
    assert message.subject == "Learning insights for February 2026: 25.0% of managers engaged"
    assert "5 of 20" in message.body
    assert "Target by 31 December: 20–25%" in message.body
    assert "/insights/charts/goal.csv" in message.body
    assert "TOPIC DEMAND" in message.body
    assert "/insights/demand/" in message.body
    html = message.alternatives[0][0]
    assert "/insights/#chart-goal" in html
    for manager in figures:
        assert manager.user.email not in message.body


def test_no_report_until_the_month_is_final(figures, admins, django_capture_on_commit_callbacks):
    refresh(at(2026, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        monthly_report_queue(now=at(2026, 3, 20))
    mail.outbox.clear()
    # March is still open in mid-March, and April's run has not frozen it yet.
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_report_queue(now=at(2026, 4, 1, 0, 10)) is None
    refresh(at(2026, 4, 1, 0, 30))
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_queue(now=at(2026, 4, 1, 0, 40))
    assert report.month.isoformat() == "2026-03-01"
    assert len(mail.outbox) == 2
    assert MonthlyReport.objects.count() == 2


def test_a_redelivered_batch_sends_nothing_twice(
    figures, admins, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_queue(now=at(2026, 3, 1, 1))
    user_ids = [admin.pk for admin in admins]

    assert tasks.send_monthly_report_batch(report.pk, user_ids) == 0
    assert len(mail.outbox) == 2
    assert SentEmail.objects.filter(kind="insights_report").count() == 2


def test_someone_no_longer_a_learning_admin_is_skipped(
    figures, admins, django_capture_on_commit_callbacks
):
    first, second = admins
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        monthly_report_queue(now=at(2026, 3, 1, 1))
    second.groups.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert sent_to() == ["first-admin@example.org"]


def test_report_lists_the_top_demand(figures, admins, django_capture_on_commit_callbacks):
    from catalog.models import ZeroResultSearch
    from tests.catalog.factories import TopicFactory

    TopicFactory(name="Sign language")
    ZeroResultSearch.objects.create(term="sign language", day=at(2026, 2, 20).date(), count=7)
    with django_capture_on_commit_callbacks(execute=True):
        monthly_report_queue(now=at(2026, 3, 1, 1))
    assert "1. Sign language: 7" in mail.outbox[0].body
