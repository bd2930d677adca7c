import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Circle, Signup
from enrollment.models import Enrollment
from enrollment.services import WITHDRAW_SERIES_OVER
from tests.catalog.factories import AudienceFactory, ItemFactory, TopicFactory
from tests.circles.factories import make_circle, next_weekday
from tests.circles.helpers import learning_admin
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_open_and_running_circles_but_no_drafts_or_other_audiences(
    client_as, employee
):
    open_circle = make_circle(state="open", title="Open one")
    running = make_circle(state="running", title="Running one")
    make_circle(title="A draft")
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    make_circle(state="open", title="Finance only", subject=ItemFactory(audiences=[finance]))

    response = client_as(employee).get(reverse("circles:list"))

    assert response.status_code == 200
    titles = [c.title for c in response.context["circles"]]
    assert titles == sorted([open_circle.title, running.title], key=titles.index)
    assert set(titles) == {"Open one", "Running one"}


def test_the_list_filters_by_topic_format_day_and_time(client_as, employee):
    leadership = TopicFactory(name="Leadership")
    make_circle(
        state="open",
        title="Lunchtime book",
        subject=ItemFactory(format="book", topics=[leadership]),
    )
    make_circle(
        state="open",
        title="Evening course",
        subject=ItemFactory(format="course"),
        start_date=next_weekday(3),
        meeting_time=dt.time(18, 0),
    )
    client = client_as(employee)

    def titles(**query):
        response = client.get(reverse("circles:list"), query)
        return {c.title for c in response.context["circles"]}

    assert titles(topic="leadership") == {"Lunchtime book"}
    assert titles(format="course") == {"Evening course"}
    assert titles(day="3") == {"Evening course"}
    assert titles(time="afternoon") == {"Lunchtime book"}
    assert titles(time="evening", day="1") == set()


def test_an_unknown_filter_value_shows_a_message_not_an_error(client_as, employee):
    make_circle(state="open")

    response = client_as(employee).get(reverse("circles:list"), {"day": "9"})

    assert response.status_code == 200
    assert response.context["filterset"].form.errors


def test_the_circle_page_is_404_outside_its_audience_and_for_others_drafts(client_as):
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    restricted = make_circle(state="open", subject=ItemFactory(audiences=[finance]))
    draft = make_circle()
    nurse = EmployeeFactory(department=DepartmentFactory(name="Nursing"))
    client = client_as(nurse)

    assert client.get(restricted.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("circles:manage", args=[draft.slug])).status_code == 404


def test_a_facilitator_sees_their_draft_and_an_admin_sees_any(client_as):
    draft = make_circle()

    assert client_as(draft.proposed_by).get(draft.get_absolute_url()).status_code == 200
    assert client_as(learning_admin()).get(draft.get_absolute_url()).status_code == 200


def test_joining_from_the_page_takes_a_seat_and_keeps_the_answer(client_as, employee):
    circle = make_circle(state="open")
    client = client_as(employee)

    page = client.get(circle.get_absolute_url())
    assert b"Join the circle" in page.content
    response = client.post(reverse("circles:join", args=[circle.slug]), {"hope": "New ideas"})

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=employee.user)
    assert (enrollment.status, enrollment.source) == ("enrolled", "circle")
    assert Signup.objects.get(user=employee.user).hope == "New ideas"
    page = client.get(circle.get_absolute_url())
    assert b"You are in." in page.content
    assert b"teams.microsoft.com" in page.content


def test_the_video_link_is_for_members_only(client_as, employee):
    circle = make_circle(state="open")

    page = client_as(employee).get(circle.get_absolute_url())

    assert b"teams.microsoft.com" not in page.content


def test_the_call_link_lets_members_through_and_asks_others_to_join(client_as, employee):
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    circle = make_circle(state="open")
    outside = make_circle(state="open", subject=ItemFactory(audiences=[finance]))
    call = reverse("circles:call", args=[circle.slug])
    member = EmployeeFactory()
    client_as(member).post(reverse("circles:join", args=[circle.slug]))

    through = client_as(member).get(call)
    stranger = client_as(employee).get(call, follow=True)
    facilitator = client_as(circle.proposed_by).get(call)

    assert (through.status_code, through["Location"]) == (302, circle.video_url)
    assert facilitator["Location"] == circle.video_url
    assert stranger.redirect_chain == [(circle.get_absolute_url(), 302)]
    assert b"The video call is for the circle&#x27;s members" in stranger.content
    assert b"teams.microsoft.com" not in stranger.content
    assert Client().get(call)["Location"].startswith(reverse("account_login"))
    other = client_as(employee).get(reverse("circles:call", args=[outside.slug]))
    assert other.status_code == 404
    assert client_as(member).post(call).status_code == 405


def test_the_call_link_tells_someone_on_the_waitlist_where_they_stand(client_as):
    circle = make_circle(state="open", seat_cap=2)
    for _ in range(3):  # the seats taken, one waiting
        services.circle_join(user=EmployeeFactory().user, circle=circle)
    waiting = EmployeeFactory()
    services.circle_join(user=waiting.user, circle=circle)

    page = client_as(waiting).get(reverse("circles:call", args=[circle.slug]), follow=True)

    assert page.redirect_chain == [(circle.get_absolute_url(), 302)]
    assert b"for members with a seat; you are 2nd on the waitlist" in page.content
    assert b"teams.microsoft.com" not in page.content


def test_the_call_link_of_a_circle_without_a_call_says_so(client_as):
    circle = make_circle(state="open", video_url="")
    facilitator = client_as(circle.proposed_by)

    page = facilitator.get(reverse("circles:call", args=[circle.slug]), follow=True)

    assert page.redirect_chain == [(circle.get_absolute_url(), 302)]
    assert b"no video call link yet" in page.content


def test_an_overlong_answer_is_refused_with_a_message(client_as, employee):
    circle = make_circle(state="open")

    response = client_as(employee).post(
        reverse("circles:join", args=[circle.slug]), {"hope": "x" * 1001}, follow=True
    )

    assert b"too long" in response.content
    assert not Enrollment.objects.exists()


def test_leaving_asks_first_then_withdraws(client_as, employee):
    circle = make_circle(state="open")
    client = client_as(employee)
    client.post(reverse("circles:join", args=[circle.slug]))
    url = reverse("circles:leave", args=[circle.slug])

    assert b"Leave the circle" in client.get(url).content
    client.post(url)

    assert Enrollment.objects.get(user=employee.user).status == "withdrawn"


def test_a_member_leaves_a_running_circle_with_a_confirmation_and_the_facilitator_sees_it(
    client_as, employee
):
    circle = make_circle(state="open")
    stays = EmployeeFactory(user__first_name="Stella", user__last_name="Stays")
    for person in (employee, stays):
        client_as(person).post(reverse("circles:join", args=[circle.slug]), {"hope": "Ideas"})
    with time_machine.travel(circle.offering.starts_at + dt.timedelta(days=8)):
        services.circle_states_advance()
        client = client_as(employee)  # signed in that day: sessions end after hours idle
        page = client.get(circle.get_absolute_url())
        assert b"Leave the circle" in page.content
        confirm = client.get(reverse("circles:leave", args=[circle.slug]))
        assert b"The facilitators see that you left" in confirm.content
        assert Enrollment.objects.get(user=employee.user).status == "enrolled"  # GET asks only
        left = client.post(reverse("circles:leave", args=[circle.slug]), follow=True)
        manage = client_as(circle.proposed_by).get(reverse("circles:manage", args=[circle.slug]))

    assert f"You have left {circle}".encode() in left.content
    assert Enrollment.objects.get(user=employee.user).status == "withdrawn"
    roster = {entry.user: entry.status for entry in manage.context["roster"]}
    assert roster == {stays.user: "enrolled", employee.user: "withdrawn"}
    assert b"Left the circle" in manage.content


def test_after_the_last_meeting_there_is_no_leaving(client_as, employee):
    circle = make_circle(state="open")
    client_as(employee).post(reverse("circles:join", args=[circle.slug]))

    with time_machine.travel(circle.offering.ends_at + dt.timedelta(hours=1)):
        client = client_as(employee)
        page = client.get(circle.get_absolute_url())
        response = client.get(reverse("circles:leave", args=[circle.slug]), follow=True)
        client.post(reverse("circles:leave", args=[circle.slug]))

    assert b"Leave the circle" not in page.content
    assert WITHDRAW_SERIES_OVER.encode() in response.content
    assert Enrollment.objects.get(user=employee.user).status == "enrolled"


def test_join_and_leave_are_post_only_and_need_sign_in(client, client_as, employee):
    circle = make_circle(state="open")

    assert client.get(circle.get_absolute_url()).status_code == 302
    assert client_as(employee).get(reverse("circles:join", args=[circle.slug])).status_code == 405


def test_notify_me_registers_and_cancels_interest(client_as, employee):
    circle = make_circle(state="open")
    client = client_as(employee)
    url = reverse("circles:interest", args=[circle.slug])

    client.post(url)
    assert b"Stop telling me" in client.get(circle.get_absolute_url()).content
    client.post(url, {"action": "cancel"})
    assert b"Stop telling me" not in client.get(circle.get_absolute_url()).content


# --- start a circle -----------------------------------------------------------------------------


def _start_data(**overrides):
    return {
        "subject": overrides.pop("subject"),
        "title": "Purple Cow circle",
        "reading": "Purple Cow by Seth Godin",
        "description": "",
        "plan": "Chapters 1-2\nChapters 3-4\n\nChapter 5",
        "start_date": next_weekday(1).isoformat(),
        "meeting_time": "12:30",
        "timezone": "Europe/London",
        "duration_minutes": "30",
        "video_url": "https://zoom.us/j/123",
        "seat_cap": "8",
        "audience": "",
        **overrides,
    }


def test_start_finds_the_item_then_saves_a_draft_and_opens_the_manage_page(client_as, employee):
    subject = ItemFactory(title="Purple Cow", format="book")
    client = client_as(employee)

    search = client.get(reverse("circles:start"), {"q": "purple"})
    assert list(search.context["results"]) == [subject]
    form_page = client.get(reverse("circles:start"), {"subject": subject.slug})
    assert form_page.status_code == 200
    response = client.post(reverse("circles:start"), _start_data(subject=subject.slug))

    circle = Circle.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("circles:manage", args=[circle.slug])
    assert circle.state == "draft"
    assert circle.plan.count() == 3
    assert circle.seat_cap == 8
    assert list(circle.facilitators.all()) == [employee.user]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("plan", "  \n ", "Plan at least one week"),
        ("video_url", "https://example.com/meet", "Teams, Zoom or Google Meet"),
        ("start_date", "2020-01-07", "from tomorrow on"),
        ("seat_cap", "40", "less than or equal to 30"),
        ("timezone", "Mars/Olympus", "not one of the available choices"),
    ],
)
def test_start_with_bad_input_shows_the_error_and_saves_nothing(
    client_as, employee, field, value, error
):
    subject = ItemFactory()

    response = client_as(employee).post(
        reverse("circles:start"), _start_data(subject=subject.slug, **{field: value})
    )

    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    assert not Circle.objects.exists()


def test_start_cannot_pick_an_item_the_person_cannot_see(client_as, employee):
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    hidden = ItemFactory(audiences=[finance])

    response = client_as(employee).get(reverse("circles:start"), {"subject": hidden.slug})

    assert response.status_code == 404


# --- manage -------------------------------------------------------------------------------------


def test_a_facilitator_edits_the_prompts_and_opens_the_circle(client_as, settings):
    settings.CIRCLES_REQUIRE_APPROVAL = False
    circle = make_circle()
    client = client_as(circle.proposed_by)
    weeks = list(circle.plan.order_by("week"))
    data = {
        "plan-TOTAL_FORMS": str(len(weeks)),
        "plan-INITIAL_FORMS": str(len(weeks)),
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "1000",
    }
    for n, week in enumerate(weeks):
        data[f"plan-{n}-id"] = str(week.pk)
        data[f"plan-{n}-title"] = week.title
        data[f"plan-{n}-prompt"] = f"New prompt {n}"

    response = client.post(reverse("circles:manage", args=[circle.slug]), data)
    assert response.status_code == 302
    assert [w.prompt for w in circle.plan.order_by("week")] == [
        "New prompt 0",
        "New prompt 1",
        "New prompt 2",
    ]

    client.post(reverse("circles:submit", args=[circle.slug]))
    circle.refresh_from_db()
    assert circle.state == "open"


def test_an_admin_approves_from_the_manage_page(client_as, settings):
    settings.CIRCLES_REQUIRE_APPROVAL = True
    circle = make_circle()
    client_as(circle.proposed_by).post(reverse("circles:submit", args=[circle.slug]))
    admin = learning_admin()

    page = client_as(admin).get(reverse("circles:manage", args=[circle.slug]))
    assert b"Approve and open for sign-up" in page.content
    client_as(admin).post(reverse("circles:approve", args=[circle.slug]))

    circle.refresh_from_db()
    assert circle.state == "open"


def test_a_member_who_is_not_a_facilitator_cannot_manage(client_as, employee):
    circle = make_circle(state="open")
    client = client_as(employee)
    client.post(reverse("circles:join", args=[circle.slug]))

    assert client.get(reverse("circles:manage", args=[circle.slug])).status_code == 404
    client.post(reverse("circles:archive", args=[circle.slug]))
    circle.refresh_from_db()
    assert circle.state == "open"
    assert timezone.now()


def test_the_widgets_click_through_opens_a_circles_page(client_as, employee):
    circle = make_circle(state="open")

    response = client_as(employee).get(
        reverse("widgets:go", args=[circle.item_id]), {"variant": "employee"}
    )

    assert response.status_code == 302
    assert response.url == f"{circle.get_absolute_url()}?source=widget_employee"
