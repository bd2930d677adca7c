"""Badges are awarded by the portal's own records, automatically, once; admins revoke them."""

import pytest
from django.core.exceptions import ValidationError

from circles import services as circle_services
from enrollment.models import Enrollment, Source
from enrollment.services import enrollment_complete
from recognition import services
from recognition.models import BadgeAward, BadgeClass
from tests.catalog.factories import ItemFactory
from tests.enrollment.factories import EnrollmentFactory, SelfPacedEnrollmentFactory
from tests.people.factories import EmployeeFactory
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import hold_meeting, running_circle
from tests.themes.factories import ThemeFactory, ThemeItemFactory

pytestmark = pytest.mark.django_db
Criterion = BadgeClass.Criterion


def awarded(badge):
    return set(BadgeAward.objects.filter(badge_class=badge).values_list("recipient_id", flat=True))


def test_attending_n_meetings_of_a_circle_earns_the_badge_at_the_nth_meeting(committed):
    badge = BadgeClassFactory(criterion=Criterion.ATTENDED_MEETINGS, threshold=2)
    circle, _, (regular, occasional) = running_circle()

    with committed():
        hold_meeting(circle, 1, attended=[regular, occasional])
    assert awarded(badge) == set()
    with committed():
        hold_meeting(circle, 2, attended=[regular])

    assert awarded(badge) == {regular.pk}
    award = BadgeAward.objects.get(badge_class=badge)
    assert award.evidence == f"Attended 2 meetings of “{circle.title}”."


def test_attendance_limited_to_one_circle_ignores_meetings_of_other_circles(committed):
    circle, _, (person,) = running_circle(members=1)
    other, _, _ = running_circle(members=0, title="Another circle")
    circle_services.circle_join(user=person, circle=other)
    badge = BadgeClassFactory(criterion=Criterion.ATTENDED_MEETINGS, threshold=1, circle=other)

    with committed():
        hold_meeting(circle, 1, attended=[person])
    assert awarded(badge) == set()
    with committed():
        hold_meeting(other, 1, attended=[person])
    assert awarded(badge) == {person.pk}


def test_facilitating_a_circle_counts_once_a_meeting_was_held(committed):
    badge = BadgeClassFactory(criterion=Criterion.FACILITATED_CIRCLE)
    with committed():
        circle, facilitator, members = running_circle()
    assert awarded(badge) == set()

    with committed():
        hold_meeting(circle, 1, attended=members)

    assert awarded(badge) == {facilitator.pk}


def test_publishing_a_summary_earns_the_badge_for_whoever_published_it(committed):
    badge = BadgeClassFactory(criterion=Criterion.PUBLISHED_SUMMARY)
    circle, facilitator, members = running_circle()

    with committed():
        hold_meeting(circle, 1, attended=members, summary="", publish=False)
    assert awarded(badge) == set()
    with committed():
        hold_meeting(circle, 2, attended=members, summary="We met the otaku.", publish=True)

    assert awarded(badge) == {facilitator.pk}


def test_completing_k_items_of_a_theme_by_choice_earns_the_theme_badge(committed):
    theme = ThemeFactory()
    items = [ItemFactory() for _ in range(3)]
    for position, item in enumerate(items):
        ThemeItemFactory(theme=theme, item=item, position=position)
    badge = BadgeClassFactory(criterion=Criterion.THEME_ITEMS_COMPLETED, threshold=2, theme=theme)
    learner = EmployeeFactory().user
    chosen = [SelfPacedEnrollmentFactory(user=learner, item=item) for item in items[:2]]
    # An enrollment an admin made for someone is not elective: it does not count.
    other = EmployeeFactory().user
    assigned = [
        SelfPacedEnrollmentFactory(user=other, item=item, source=Source.ADMIN) for item in items
    ]

    with committed():
        enrollment_complete(enrollment=chosen[0], actor=learner)
    assert awarded(badge) == set()
    with committed():
        enrollment_complete(enrollment=chosen[1], actor=learner)
        for enrollment in assigned:
            enrollment_complete(enrollment=enrollment, actor=other)

    assert awarded(badge) == {learner.pk}


def test_first_elective_enrollment_earns_the_badge_once_not_for_admin_enrollments(committed):
    badge = BadgeClassFactory(criterion=Criterion.FIRST_ELECTIVE_ENROLLMENT)
    chooser, assigned = EmployeeFactory().user, EmployeeFactory().user

    with committed():
        EnrollmentFactory(user=assigned, source=Source.ADMIN)
        EnrollmentFactory(user=chooser, source=Source.CATALOG)
    with committed():
        EnrollmentFactory(user=chooser, source=Source.WIDGET_EMPLOYEE)

    assert awarded(badge) == {chooser.pk}
    assert BadgeAward.objects.filter(recipient=chooser).count() == 1


def test_a_badge_defined_later_is_awarded_by_the_sweep_to_those_who_already_qualify():
    early = EmployeeFactory().user
    EnrollmentFactory(user=early)
    badge = BadgeClassFactory(criterion=Criterion.FIRST_ELECTIVE_ENROLLMENT)
    assert awarded(badge) == set()

    assert services.badge_awards_sweep(badge_class=badge) == 1
    assert services.badge_awards_sweep() == 0
    assert awarded(badge) == {early.pk}


def test_an_inactive_badge_is_not_awarded():
    badge = BadgeClassFactory(is_active=False)
    person = EmployeeFactory().user
    EnrollmentFactory(user=person)

    assert services.badge_awards_sweep() == 0
    assert awarded(badge) == set()


def test_revoking_needs_a_reason_and_a_revoked_badge_is_not_awarded_again(committed):
    badge = BadgeClassFactory()
    person = EmployeeFactory().user
    with committed():
        EnrollmentFactory(user=person)
    award = BadgeAward.objects.get(badge_class=badge, recipient=person)
    admin = EmployeeFactory().user

    with pytest.raises(ValidationError) as error:
        services.badge_award_revoke(award=award, actor=admin, reason="  ")
    assert error.value.messages == [services.REVOKE_NEEDS_REASON]
    services.badge_award_revoke(award=award, actor=admin, reason="Enrolled by mistake")
    with pytest.raises(ValidationError) as error:
        services.badge_award_revoke(award=award, actor=admin, reason="Again")
    assert error.value.messages == [services.ALREADY_REVOKED]

    with committed():
        EnrollmentFactory(user=person)
    services.badge_awards_sweep()
    award.refresh_from_db()
    assert award.is_revoked
    assert award.revocation_reason == "Enrolled by mistake"
    assert BadgeAward.objects.filter(badge_class=badge, recipient=person).count() == 1


def test_writes_no_active_badge_is_about_schedule_nothing():
    from notifications.models import OutboxMessage

    BadgeClassFactory(criterion=Criterion.ATTENDED_MEETINGS, threshold=3)
    EnrollmentFactory(user=EmployeeFactory().user)

    assert not OutboxMessage.objects.filter(task__startswith="recognition.").exists()


def test_badge_rules_are_validated_for_admins():
    badge = BadgeClassFactory.build(criterion=Criterion.FACILITATED_CIRCLE, threshold=3)
    with pytest.raises(ValidationError) as error:
        badge.full_clean()
    assert "threshold" in error.value.message_dict
    theme_badge = BadgeClassFactory.build(
        criterion=Criterion.ATTENDED_MEETINGS, theme=ThemeFactory()
    )
    with pytest.raises(ValidationError) as error:
        theme_badge.full_clean()
    assert "theme" in error.value.message_dict


@pytest.mark.parametrize(
    ("criterion", "threshold", "expected"),
    [
        (Criterion.ATTENDED_MEETINGS, 3, "Attended at least 3 meetings of one learning circle."),
        (Criterion.FACILITATED_CIRCLE, 1, "Facilitated one learning circle"),
        (Criterion.THEME_ITEMS_COMPLETED, 2, "Completed 2 items of one monthly theme"),
        (Criterion.FIRST_ELECTIVE_ENROLLMENT, 1, "Enrolled in elective learning"),
    ],
)
def test_the_criteria_read_as_a_sentence(criterion, threshold, expected):
    badge = BadgeClass(criterion=criterion, threshold=threshold)
    assert badge.criteria_narrative.startswith(expected)


def test_enrollment_status_is_untouched_by_awards():
    BadgeClassFactory()
    enrollment = EnrollmentFactory(user=EmployeeFactory().user)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_what_active_badges_are_about_is_read_once_then_forgotten_when_a_badge_is_saved(
    django_assert_num_queries,
):
    from recognition.signals import active_criteria

    badge = BadgeClassFactory(criterion=Criterion.ATTENDED_MEETINGS, is_active=False)
    assert active_criteria() == frozenset()
    # An enrollment's receiver runs under its session's lock: no query once it is known.
    with django_assert_num_queries(0):
        assert active_criteria() == frozenset()

    badge.is_active = True
    badge.save()

    assert active_criteria() == {Criterion.ATTENDED_MEETINGS}
    badge.delete()
    assert active_criteria() == frozenset()


def test_what_active_badges_are_about_is_read_again_after_a_minute(monkeypatch):
    from recognition import signals

    now = [1000.0]
    monkeypatch.setattr(signals.time, "monotonic", lambda: now[0])
    assert signals.active_criteria() == frozenset()
    # Saved without signals (another process's admin, as far as this one knows).
    BadgeClass.objects.bulk_create([BadgeClassFactory.build()])
    now[0] += signals.ACTIVE_CRITERIA_SECONDS - 1
    assert signals.active_criteria() == frozenset()

    now[0] += 1

    assert signals.active_criteria() == {Criterion.FIRST_ELECTIVE_ENROLLMENT}
