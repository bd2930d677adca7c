import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Enrollment, Source, TranscriptEvent
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    return EmployeeFactory(**kwargs).user


def roster_url(offering):
    return reverse("admin:enrollment_roster", args=[offering.pk])


def test_transcript_events_are_read_only_in_admin(admin_client):
    enrollment = enroll(person(), item=ItemFactory())
    event = TranscriptEvent.objects.get()

    changelist = reverse("admin:enrollment_transcriptevent_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(reverse("admin:enrollment_transcriptevent_add")).status_code == 403
    change = admin_client.get(reverse("admin:enrollment_transcriptevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    delete = reverse("admin:enrollment_transcriptevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert TranscriptEvent.objects.filter(enrollment=enrollment).count() == 1


def test_enrollments_cannot_be_added_or_edited_directly(admin_client):
    enrollment = enroll(person(), item=ItemFactory())

    assert admin_client.get(reverse("admin:enrollment_enrollment_add")).status_code == 403
    change = admin_client.get(reverse("admin:enrollment_enrollment_change", args=[enrollment.pk]))
    assert 'name="_save"' not in change.content.decode()
    changelist = admin_client.get(reverse("admin:enrollment_enrollment_changelist"))
    assert reverse("admin:enrollment_enroll_someone") in changelist.content.decode()


def test_admin_enrolls_someone_on_their_behalf(admin_client, admin_user):
    employee = EmployeeFactory()
    offering = OfferingFactory()

    response = admin_client.post(
        reverse("admin:enrollment_enroll_someone"),
        {"person": employee.employee_id, "item": offering.item.pk, "offering": offering.pk},
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=employee.user)
    assert enrollment.source == Source.ADMIN
    event = TranscriptEvent.objects.get(user=employee.user)
    assert (event.actor, event.source) == (admin_user, Source.ADMIN)


def test_admin_enroll_form_reports_bad_input_and_changes_nothing(admin_client):
    offering = OfferingFactory(capacity=1, waitlist_enabled=False)
    enroll(person(), offering)
    someone = person()

    unknown = admin_client.post(
        reverse("admin:enrollment_enroll_someone"),
        {"person": "nobody@example.org", "item": offering.item.pk, "offering": offering.pk},
    )
    full = admin_client.post(
        reverse("admin:enrollment_enroll_someone"),
        {"person": someone.email, "item": offering.item.pk, "offering": offering.pk},
    )

    assert "Nobody has that email address or employee ID." in unknown.content.decode()
    assert "This session is full and has no waitlist." in full.content.decode()
    assert not Enrollment.objects.filter(user=someone).exists()


def test_withdraw_action_acts_on_behalf_and_promotes(admin_client, admin_user):
    offering = OfferingFactory(capacity=1)
    seat = enroll(person(), offering)
    waiting = enroll(person(), offering)

    admin_client.post(
        reverse("admin:enrollment_enrollment_changelist"),
        {"action": "withdraw_on_behalf", "_selected_action": [seat.pk]},
    )

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == ("withdrawn", "enrolled")
    event = TranscriptEvent.objects.get(enrollment=seat, kind="withdrew")
    assert (event.actor, event.source) == (admin_user, Source.ADMIN)


def test_roster_lists_seats_and_the_waitlist_in_order(admin_client):
    offering = OfferingFactory(capacity=1)
    holder = person(user__first_name="Holder")
    first = person(user__first_name="Firstinline")
    second = person(user__first_name="Secondinline")
    for user in (holder, first, second):
        enroll(user, offering)

    html = admin_client.get(roster_url(offering)).content.decode()

    assert "Enrolled (1)" in html
    assert "Waitlist, in order (2)" in html
    assert html.index("Firstinline") < html.index("Secondinline")


def test_roster_csv_export_is_escaped_and_ordered(admin_client):
    offering = OfferingFactory(capacity=1)
    enroll(person(user__first_name="Seated"), offering)
    enroll(person(user__first_name="=cmd()"), offering)

    response = admin_client.get(reverse("admin:enrollment_roster_csv", args=[offering.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["List", "Position", "Name"]
    assert rows[1][0] == "Seat"
    assert rows[2][:2] == ["Waitlist", "1"]
    assert rows[2][2].startswith("'=cmd()")


def test_raising_capacity_on_the_roster_promotes(admin_client):
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = [enroll(person(), offering) for _ in range(2)]

    admin_client.post(roster_url(offering), {"action": "capacity", "capacity": "2"})

    assert [Enrollment.objects.get(pk=e.pk).status for e in waiting] == ["enrolled", "waitlisted"]


def test_cancelling_from_the_roster_needs_confirmation(admin_client, admin_user):
    offering = OfferingFactory()
    seat = enroll(person(), offering)

    admin_client.post(roster_url(offering), {"action": "cancel"})
    seat.refresh_from_db()
    assert seat.status == Enrollment.Status.ENROLLED

    admin_client.post(roster_url(offering), {"action": "cancel", "confirm": "yes"})
    seat.refresh_from_db()
    offering.refresh_from_db()
    assert (offering.status, seat.status) == ("cancelled", "cancelled")
    assert TranscriptEvent.objects.get(kind="cancelled").actor == admin_user


def test_attendance_is_marked_on_the_roster_after_the_start(admin_client):
    starts_at = timezone.now() + dt.timedelta(hours=1)
    offering = OfferingFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1))
    seat = enroll(person(), offering)

    with time_machine.travel(offering.starts_at + dt.timedelta(minutes=30)):
        page = admin_client.get(roster_url(offering)).content.decode()
        admin_client.post(roster_url(offering), {"action": "attended", "enrollment": seat.pk})

    assert "Mark attended" in page
    seat.refresh_from_db()
    assert seat.status == Enrollment.Status.COMPLETED


def test_rosters_are_for_learning_admins_only(client_as, employee):
    offering = OfferingFactory()
    client = client_as(employee)

    response = client.get(roster_url(offering))

    assert response.status_code == 302
    assert "login" in response.url


def test_staff_without_enrollment_permissions_cannot_see_rosters(client):
    staff = person(user__is_staff=True)
    client.force_login(staff)

    assert client.get(roster_url(OfferingFactory())).status_code == 403


def test_the_session_admin_page_links_to_its_roster(admin_client):
    offering = OfferingFactory()

    html = admin_client.get(
        reverse("admin:catalog_offering_change", args=[offering.pk])
    ).content.decode()

    assert roster_url(offering) in html
