"""Exactly one award per person and badge, under parallel triggers on PostgreSQL."""

import pytest
from django.utils import timezone

from recognition import services
from recognition.models import BadgeAward, BadgeClass
from recognition.services import badge_award
from tests.enrollment.factories import EnrollmentFactory
from tests.helpers import run_concurrently
from tests.people.factories import EmployeeFactory
from tests.recognition.factories import BadgeClassFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_parallel_checks_for_one_person_award_the_badge_once():
    badge = BadgeClassFactory(is_active=False)
    person = EmployeeFactory().user
    EnrollmentFactory(user=person)
    BadgeClass.objects.filter(pk=badge.pk).update(is_active=True)

    results, errors = run_concurrently(
        [lambda: services.badge_awards_check(user_ids=[person.pk]) for _ in range(20)]
    )

    assert errors == []
    assert sorted(results) == [0] * 19 + [1]
    assert BadgeAward.objects.filter(badge_class=badge, recipient=person).count() == 1


def test_parallel_enrollments_of_one_person_trigger_one_award():
    badge = BadgeClassFactory(criterion=BadgeClass.Criterion.FIRST_ELECTIVE_ENROLLMENT)
    person = EmployeeFactory().user

    _, errors = run_concurrently([lambda: EnrollmentFactory(user=person) for _ in range(10)])

    assert errors == []
    assert BadgeAward.objects.filter(badge_class=badge, recipient=person).count() == 1


def test_the_unique_constraint_holds_even_without_the_row_lock():
    badge = BadgeClassFactory(is_active=False)
    person = EmployeeFactory().user
    now = timezone.now()

    results, errors = run_concurrently(
        [
            lambda: badge_award(badge_class=badge, recipient_id=person.pk, evidence="x", now=now)
            for _ in range(20)
        ]
    )

    assert errors == []
    assert results.count(True) == 1
    assert BadgeAward.objects.filter(badge_class=badge, recipient=person).count() == 1


def test_parallel_sweeps_award_each_person_once():
    badge = BadgeClassFactory(is_active=False)
    people = [EmployeeFactory().user for _ in range(12)]
    for person in people:
        EnrollmentFactory(user=person)
    BadgeClass.objects.filter(pk=badge.pk).update(is_active=True)

    results, errors = run_concurrently([services.badge_awards_sweep for _ in range(6)])

    assert errors == []
    assert sum(results) == 12
    assert BadgeAward.objects.filter(badge_class=badge).count() == 12
