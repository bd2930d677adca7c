"""Kudos: who may thank whom, the daily limit, sharing, reports and an admin's decision."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from recognition import services
from recognition.models import Kudos, KudosReport
from tests.helpers import run_concurrently
from tests.people.factories import EmployeeFactory
from tests.recognition.helpers import running_circle

pytestmark = pytest.mark.django_db


def give(sender, recipient, circle, message="Thank you for the reading list", **kwargs):
    return services.kudos_give(
        sender=sender,
        recipient=recipient,
        circle=circle,
        value=Kudos.Value.HELPED_ME_LEARN,
        message=message,
        **kwargs,
    )


def test_a_member_thanks_another_member_privately():
    circle, _, (ada, bo) = running_circle()

    kudos = give(ada, bo, circle, message="  You made   chapter 3 click.  ")

    assert kudos.message == "You made chapter 3 click."
    assert kudos.shared_at is None
    assert kudos.recipient == bo


def test_anyone_may_thank_the_facilitators_but_only_members_know_who_else_is_in():
    circle, facilitator, (member,) = running_circle(members=1)
    outsider = EmployeeFactory().user

    assert list(services.kudos_recipients(circle=circle, sender=outsider)) == [facilitator]
    give(outsider, facilitator, circle)
    with pytest.raises(ValidationError) as error:
        give(outsider, member, circle)
    assert error.value.messages == [services.KUDOS_NOT_IN_CIRCLE]
    assert set(services.kudos_recipients(circle=circle, sender=member)) == {facilitator}


@pytest.mark.parametrize(
    ("message", "expected"),
    [("   ", services.KUDOS_EMPTY), ("x" * 281, services.KUDOS_TOO_LONG)],
)
def test_a_message_is_short_and_not_empty(message, expected):
    circle, facilitator, (member,) = running_circle(members=1)
    with pytest.raises(ValidationError) as error:
        give(member, facilitator, circle, message=message)
    assert error.value.messages == [expected]


def test_nobody_thanks_themselves():
    circle, facilitator, _ = running_circle(members=1)
    with pytest.raises(ValidationError) as error:
        give(facilitator, facilitator, circle)
    assert error.value.messages == [services.KUDOS_SELF]


def test_ten_a_day_then_a_clear_message_and_again_the_next_day(settings):
    settings.KUDOS_DAILY_LIMIT = 10
    circle, facilitator, (member,) = running_circle(members=1)
    start = timezone.now()
    for _ in range(10):
        give(member, facilitator, circle, now=start)

    with pytest.raises(ValidationError) as error:
        give(member, facilitator, circle, now=start + dt.timedelta(hours=23))
    assert error.value.messages == [services.KUDOS_LIMIT.format(limit=10)]
    give(member, facilitator, circle, now=start + dt.timedelta(hours=24, minutes=1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_submits_cannot_pass_the_daily_limit(settings):
    settings.KUDOS_DAILY_LIMIT = 10
    circle, facilitator, (member,) = running_circle(members=1)

    results, errors = run_concurrently([lambda: give(member, facilitator, circle)] * 16)

    assert len([r for r in results if r is not None]) == 10
    assert {e.messages[0] for e in errors} == {services.KUDOS_LIMIT.format(limit=10)}
    assert Kudos.objects.filter(sender=member).count() == 10


def test_only_the_recipient_shares_and_unshares():
    circle, facilitator, (member,) = running_circle(members=1)
    kudos = give(member, facilitator, circle)

    with pytest.raises(ValidationError) as error:
        services.kudos_share(kudos=kudos, user=member, shared=True)
    assert error.value.messages == [services.KUDOS_NOT_YOURS]
    assert services.kudos_share(kudos=kudos, user=facilitator, shared=True).shared_at
    assert services.kudos_share(kudos=kudos, user=facilitator, shared=False).shared_at is None


def test_reports_come_from_people_who_were_shown_the_message():
    circle, facilitator, (ada, bo) = running_circle()
    kudos = give(ada, bo, circle)
    with pytest.raises(ValidationError) as error:
        services.kudos_report(kudos=kudos, reporter=facilitator, reason="Rude")
    assert error.value.messages == [services.REPORT_NOT_SEEN]
    with pytest.raises(ValidationError) as error:
        services.kudos_report(kudos=kudos, reporter=bo, reason=" ")
    assert error.value.messages == [services.REPORT_NEEDS_REASON]

    services.kudos_report(kudos=kudos, reporter=bo, reason="Sarcastic")
    services.kudos_share(kudos=kudos, user=bo, shared=True)
    services.kudos_report(kudos=kudos, reporter=facilitator, reason="Not kind")
    services.kudos_report(kudos=kudos, reporter=facilitator, reason="Not kind at all")

    reports = KudosReport.objects.filter(kudos=kudos)
    assert reports.count() == 2
    assert reports.get(reporter=facilitator).reason == "Not kind at all"


def test_an_admin_hides_a_reported_message_with_a_reason_closing_every_report():
    circle, facilitator, (ada, bo) = running_circle()
    kudos = give(ada, bo, circle)
    services.kudos_share(kudos=kudos, user=bo, shared=True)
    first = services.kudos_report(kudos=kudos, reporter=bo, reason="Sarcastic")
    services.kudos_report(kudos=kudos, reporter=facilitator, reason="Unkind")
    admin = EmployeeFactory().user

    with pytest.raises(ValidationError) as error:
        services.kudos_report_resolve(report=first, actor=admin, hide=True, reason="")
    assert error.value.messages == [services.RESOLVE_NEEDS_REASON]
    services.kudos_report_resolve(report=first, actor=admin, hide=True, reason="Not kind")

    kudos.refresh_from_db()
    assert kudos.is_hidden
    assert kudos.hidden_reason == "Not kind"
    assert set(KudosReport.objects.values_list("outcome", flat=True)) == {"hidden"}
