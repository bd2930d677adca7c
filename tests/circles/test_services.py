import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from circles import services, tasks
from circles.models import Circle, Interest, Signup
from enrollment.models import Enrollment, TranscriptEvent
from enrollment.services import ITEM_NOT_AVAILABLE, WITHDRAW_SERIES_OVER
from tests.catalog.factories import AudienceFactory, ItemFactory, TopicFactory
from tests.circles.factories import PLAN, make_circle, next_weekday
from tests.circles.helpers import learning_admin
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def joiners(n):
    return [EmployeeFactory().user for _ in range(n)]


# --- proposing and the lifecycle --------------------------------------------------------------


def test_proposing_a_circle_creates_a_draft_with_its_catalog_entry_session_plan_and_meetings():
    topic = TopicFactory(name="Marketing")
    subject = ItemFactory(title="Purple Cow", format="book", topics=[topic])
    proposer = EmployeeFactory().user

    circle = make_circle(proposer=proposer, subject=subject, duration_minutes=45)

    assert circle.state == Circle.State.DRAFT
    assert list(circle.facilitators.all()) == [proposer]
    assert circle.item.format == "learning_circle"
    assert circle.item.delivery == "scheduled"
    assert circle.item.is_published is False
    assert list(circle.item.topics.all()) == [topic]
    assert [w.title for w in circle.plan.order_by("week")] == PLAN
    assert all(w.prompt for w in circle.plan.all())
    meetings = list(circle.meetings.order_by("week"))
    assert [m.week for m in meetings] == [1, 2, 3]
    assert all(m.local_starts_at.time() == dt.time(12, 30) for m in meetings)
    assert all(m.local_starts_at.weekday() == 1 for m in meetings)
    offering = circle.offering
    assert offering.meeting_series is True
    assert offering.capacity == 6
    assert offering.starts_at == meetings[0].starts_at
    assert offering.ends_at == meetings[-1].starts_at + dt.timedelta(minutes=45)


def test_a_restricted_subject_gives_the_circle_its_audiences_and_no_wider():
    nursing = AudienceFactory(departments=[DepartmentFactory(name="Nursing")])
    subject = ItemFactory(audiences=[nursing])

    circle = make_circle(subject=subject)
    assert list(circle.item.audiences.all()) == [nursing]

    with pytest.raises(ValidationError) as error:
        make_circle(subject=subject, audiences=[AudienceFactory()])
    assert error.value.messages == [services.AUDIENCE_WIDER_THAN_SUBJECT]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"plan": ["  ", ""]}, services.PLAN_EMPTY),
        ({"start_date": next_weekday(1, after_days=-14)}, services.START_IN_PAST),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_saved(overrides, message):
    with pytest.raises(ValidationError) as error:
        make_circle(**overrides)

    assert error.value.messages == [message]
    assert not Circle.objects.exists()


def test_a_video_link_that_is_not_teams_zoom_or_meet_is_refused():
    with pytest.raises(ValidationError) as error:
        make_circle(video_url="https://example.com/call")

    assert "video_url" in error.value.message_dict


def test_submitting_opens_at_once_when_no_approval_is_required(settings):
    settings.CIRCLES_REQUIRE_APPROVAL = False
    circle = make_circle()

    services.circle_submit(circle=circle, actor=circle.proposed_by)

    circle.refresh_from_db()
    assert circle.state == Circle.State.OPEN
    assert circle.approved_at is not None
    circle.item.refresh_from_db()
    assert circle.item.is_published is True


def test_with_approval_required_a_submitted_circle_waits_for_a_learning_admin(settings):
    settings.CIRCLES_REQUIRE_APPROVAL = True
    circle = make_circle()

    services.circle_submit(circle=circle, actor=circle.proposed_by)
    circle.refresh_from_db()
    assert circle.state == Circle.State.DRAFT
    assert circle.is_awaiting_approval
    with pytest.raises(ValidationError, match="already waiting"):
        services.circle_submit(circle=circle, actor=circle.proposed_by)
    with pytest.raises(ValidationError) as error:
        services.circle_approve(circle=circle, actor=circle.proposed_by)
    assert error.value.messages == [services.NOT_ALLOWED]

    admin = learning_admin()
    services.circle_approve(circle=circle, actor=admin)
    circle.refresh_from_db()
    assert circle.state == Circle.State.OPEN
    assert circle.approved_by == admin


def test_only_facilitators_or_admins_submit_a_circle():
    circle = make_circle()

    with pytest.raises(ValidationError) as error:
        services.circle_submit(circle=circle, actor=EmployeeFactory().user)

    assert error.value.messages == [services.NOT_ALLOWED]


def test_the_clock_moves_a_circle_from_open_to_running_to_finished_then_it_can_be_archived():
    circle = make_circle(state="open")
    first = circle.meetings.order_by("week").first()
    last = circle.meetings.order_by("week").last()

    with time_machine.travel(first.starts_at + dt.timedelta(minutes=1)):
        assert services.circle_states_advance() == 1
        assert services.circle_states_advance() == 0
    circle.refresh_from_db()
    assert circle.state == Circle.State.RUNNING
    with pytest.raises(ValidationError) as error:
        services.circle_archive(circle=circle, actor=circle.proposed_by)
    assert error.value.messages == [services.NOT_FINISHED]

    with time_machine.travel(last.ends_at + dt.timedelta(minutes=1)):
        tasks.advance_circle_states()
    circle.refresh_from_db()
    assert circle.state == Circle.State.FINISHED

    services.circle_archive(circle=circle, actor=circle.proposed_by)
    circle.refresh_from_db()
    assert circle.state == Circle.State.ARCHIVED


# --- joining and leaving ------------------------------------------------------------------------


def test_joining_takes_a_seat_through_enrollment_with_source_circle_and_keeps_the_hope():
    circle = make_circle(state="open")
    (user,) = joiners(1)

    enrollment = services.circle_join(user=user, circle=circle, hope="Ideas for our ward")

    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.offering == circle.offering
    event = TranscriptEvent.objects.get(user=user)
    assert (event.kind, event.source) == ("registered", "circle")
    assert Signup.objects.get(circle=circle, user=user).hope == "Ideas for our ward"


def test_joining_twice_returns_the_same_place_and_writes_one_event():
    circle = make_circle(state="open")
    (user,) = joiners(1)

    first = services.circle_join(user=user, circle=circle)
    second = services.circle_join(user=user, circle=circle, hope="later answer")

    assert first.pk == second.pk
    assert TranscriptEvent.objects.filter(user=user).count() == 1
    assert Signup.objects.get(user=user).hope == "later answer"


def test_a_full_circle_puts_people_on_the_waitlist_and_a_leaver_promotes_the_first_once(
    django_capture_on_commit_callbacks,
):
    circle = make_circle(state="open", seat_cap=2)
    first, second, third, fourth = joiners(4)
    for user in (first, second, third, fourth):
        services.circle_join(user=user, circle=circle)
    assert Enrollment.objects.filter(offering=circle.offering, status="waitlisted").count() == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_leave(user=first, circle=circle)

    statuses = dict(
        Enrollment.objects.filter(offering=circle.offering).values_list("user", "status")
    )
    assert statuses[first.pk] == "withdrawn"
    assert statuses[third.pk] == "enrolled"
    assert statuses[fourth.pk] == "waitlisted"
    assert TranscriptEvent.objects.filter(kind="promoted").count() == 1
    withdrew = TranscriptEvent.objects.get(user=first, kind="withdrew")
    assert withdrew.source == "circle"
    # Enrollment tells the learner without an invite for the whole span; the circle sends
    # its series invite on its own.
    to_third = [m for m in mail.outbox if third.email in m.to]
    (promotion,) = [m for m in to_third if "Your meetings" not in m.subject]
    assert not promotion.attachments
    assert len([m for m in to_third if "Your meetings" in m.subject]) == 1


def test_a_member_can_leave_a_running_circle_until_its_last_meeting_ends():
    circle = make_circle(state="open")
    stays, leaves, late = joiners(3)
    for user in (stays, leaves, late):
        services.circle_join(user=user, circle=circle)

    with time_machine.travel(circle.offering.starts_at + dt.timedelta(days=8)):
        services.circle_states_advance()
        services.circle_leave(user=leaves, circle=circle)
    with (
        time_machine.travel(circle.offering.ends_at + dt.timedelta(minutes=1)),
        pytest.raises(ValidationError) as error,
    ):
        services.circle_leave(user=late, circle=circle)

    circle.refresh_from_db()
    assert circle.state == Circle.State.RUNNING
    withdrew = TranscriptEvent.objects.get(user=leaves, kind="withdrew")
    assert withdrew.source == "circle"
    assert error.value.messages == [WITHDRAW_SERIES_OVER]
    statuses = dict(Enrollment.objects.values_list("user_id", "status"))
    assert statuses == {stays.pk: "enrolled", leaves.pk: "withdrawn", late.pk: "enrolled"}


def test_a_draft_circle_cannot_be_joined_and_a_facilitator_does_not_join_their_own():
    draft = make_circle()
    with pytest.raises(ValidationError) as error:
        services.circle_join(user=joiners(1)[0], circle=draft)
    assert error.value.messages == [services.NOT_JOINABLE]

    circle = make_circle(state="open")
    with pytest.raises(ValidationError) as error:
        services.circle_join(user=circle.proposed_by, circle=circle)
    assert error.value.messages == [services.FACILITATOR_CANNOT_JOIN]


def test_someone_outside_the_audience_cannot_join():
    nursing = AudienceFactory(departments=[DepartmentFactory(name="Nursing")])
    circle = make_circle(state="open", subject=ItemFactory(audiences=[nursing]))
    outsider = EmployeeFactory(department=DepartmentFactory(name="Finance")).user

    with pytest.raises(ValidationError) as error:
        services.circle_join(user=outsider, circle=circle)

    assert error.value.messages == [ITEM_NOT_AVAILABLE]
    assert not Enrollment.objects.filter(user=outsider).exists()


def test_leaving_without_a_place_is_refused():
    circle = make_circle(state="open")

    with pytest.raises(ValidationError) as error:
        services.circle_leave(user=joiners(1)[0], circle=circle)

    assert error.value.messages == [services.NOT_A_MEMBER]


# --- interest -----------------------------------------------------------------------------------


def test_interest_writes_nothing_to_the_transcript_and_is_told_once_when_a_circle_opens(
    django_capture_on_commit_callbacks,
):
    subject = ItemFactory(title="Purple Cow", format="book")
    (user,) = joiners(1)
    services.interest_register(user=user, subject=subject)
    services.interest_register(user=user, subject=subject)
    assert Interest.objects.filter(user=user).count() == 1
    assert not TranscriptEvent.objects.exists()
    assert not Enrollment.objects.exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        circle = make_circle(subject=subject, state="open")
    tasks.notify_circle_opened(circle.pk)

    opened = [m for m in mail.outbox if "A new learning circle" in m.subject]
    assert [m.to for m in opened] == [[user.email]]
    assert "Purple Cow" in opened[0].subject
    interest = Interest.objects.get(user=user)
    assert interest.notified_about == circle
    assert not TranscriptEvent.objects.exists()


def test_interest_cancel_drops_the_pending_request():
    subject = ItemFactory()
    (user,) = joiners(1)
    services.interest_register(user=user, subject=subject)

    assert services.interest_cancel(user=user, subject=subject) is True
    assert services.interest_cancel(user=user, subject=subject) is False
