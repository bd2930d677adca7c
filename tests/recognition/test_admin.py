"""Learning admins define badges, revoke awards with a reason and decide on reported kudos."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from people.roles import LEARNING_ADMIN
from recognition import services
from recognition.models import BadgeAward, BadgeClass, KudosReport
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import EmployeeFactory
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import running_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning_admin(client):
    user = EmployeeFactory().user
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=LEARNING_ADMIN.name))
    client.force_login(user)
    return user


def test_a_new_badge_is_awarded_at_once_to_those_who_already_qualify(
    client, learning_admin, django_capture_on_commit_callbacks
):
    early = EmployeeFactory().user
    EnrollmentFactory(user=early)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:recognition_badgeclass_add"),
            {
                "name": "First steps",
                "slug": "first-steps",
                "description": "Chose elective learning.",
                "criterion": "first_elective_enrollment",
                "threshold": 1,
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    badge = BadgeClass.objects.get(slug="first-steps")
    assert BadgeAward.objects.filter(badge_class=badge, recipient=early).exists()


def test_an_inconsistent_rule_is_refused_with_the_reason(client, learning_admin):
    response = client.post(
        reverse("admin:recognition_badgeclass_add"),
        {
            "name": "Facilitator",
            "slug": "facilitator",
            "description": "Ran a circle.",
            "criterion": "facilitated_circle",
            "threshold": 3,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "This criterion is met once" in response.content.decode()
    assert not BadgeClass.objects.exists()


def test_revoking_from_the_admin_keeps_the_reason(client, learning_admin, committed):
    badge = BadgeClassFactory()
    person = EmployeeFactory().user
    with committed():
        EnrollmentFactory(user=person)
    award = BadgeAward.objects.get(badge_class=badge)
    url = reverse("admin:recognition_badgeaward_change", args=[award.pk])

    response = client.post(url, {"revoke_reason": "Enrolled by mistake"})

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.revocation_reason == "Enrolled by mistake"
    assert award.revoked_by == learning_admin


def test_admins_see_reported_kudos_only_and_hide_one(client, learning_admin):
    circle, facilitator, (ada, bo) = running_circle()
    reported = services.kudos_give(
        sender=ada, recipient=bo, circle=circle, value="helped_me_learn", message="Nasty words"
    )
    services.kudos_give(
        sender=bo, recipient=ada, circle=circle, value="helped_me_learn", message="Kind words"
    )
    report = services.kudos_report(kudos=reported, reporter=bo, reason="Unkind")

    listing = client.get(reverse("admin:recognition_kudosreport_changelist"))
    assert listing.status_code == 200
    change_url = reverse("admin:recognition_kudosreport_change", args=[report.pk])
    page = client.get(change_url).content.decode()
    assert "Nasty words" in page
    assert "Kind words" not in page

    response = client.post(change_url, {"decision": "hide", "hide_reason": ""})
    assert response.status_code == 200
    response = client.post(change_url, {"decision": "hide", "hide_reason": "Not kind"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.outcome == KudosReport.Outcome.HIDDEN
    reported.refresh_from_db()
    assert reported.is_hidden
