import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from circles import services
from circles.exporting import archive_markdown
from circles.models import Attendance, Quote
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.circles.factories import make_circle
from tests.circles.helpers import learning_admin
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """A running circle whose first meeting has happened, with two members and a thread."""
    circle = make_circle(state="running", title="Purple Cow spring circle")
    services.thread_open_due(now=circle.offering.starts_at)
    members = [EmployeeFactory().user for _ in range(2)]
    for user in members:
        services.circle_join(user=user, circle=circle)
    meeting = circle.meetings.get(week=1)
    return circle, meeting, members


def after(meeting):
    return time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5))


def test_a_wrapup_is_for_after_the_meeting_starts_and_for_facilitators(held):
    circle, meeting, members = held

    with pytest.raises(ValidationError) as error:
        services.wrapup_save(meeting=meeting, actor=circle.proposed_by, held=True)
    assert error.value.messages == [services.WRAPUP_TOO_EARLY]
    with after(meeting), pytest.raises(ValidationError) as error:
        services.wrapup_save(meeting=meeting, actor=members[0], held=True)
    assert error.value.messages == [services.NOT_ALLOWED]


def test_publishing_puts_summary_insights_and_consented_quotes_in_the_archive(held, client_as):
    circle, meeting, members = held
    thread = circle.threads.get(week=1)
    yes = services.post_create(
        thread=thread, author=members[0], body="Safe is risky.", may_quote=True
    )
    no = services.post_create(thread=thread, author=members[1], body="Private thought")

    with after(meeting):
        with pytest.raises(ValidationError) as error:
            services.wrapup_save(
                meeting=meeting, actor=circle.proposed_by, held=True, quote_post_ids=[no.pk]
            )
        assert error.value.messages == [services.QUOTE_NOT_CONSENTED]
        wrapup = services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            head_count=7,
            rating=4,
            reflection="Good energy",
            summary="We talked about **remarkable** care.",
            insights="- Boring is risky\n- Find your sneezers\n",
            publish=True,
            quote_post_ids=[yes.pk],
        )
    assert wrapup.insight_list == ["Boring is risky", "Find your sneezers"]
    assert wrapup.reflection_question

    page = client_as(EmployeeFactory()).get(reverse("circles:insights", args=[circle.slug]))
    html = page.content.decode()
    assert "<strong>remarkable</strong>" in html
    assert "Find your sneezers" in html
    assert "Safe is risky." in html
    assert "Private thought" not in html
    assert members[0].get_full_name() not in html
    assert "Good energy" not in html  # the reflection is the facilitator's own

    listed = client_as(EmployeeFactory()).get(reverse("circles:archive_list"), {"q": "sneezers"})
    assert [c.pk for c in listed.context["page"]] == [circle.pk]
    none = client_as(EmployeeFactory()).get(reverse("circles:archive_list"), {"q": "zebra"})
    assert list(none.context["page"]) == []


def test_unpublished_wrapups_stay_out_of_the_archive_and_its_search(held, client_as):
    circle, meeting, _ = held
    with after(meeting):
        services.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Secret draft"
        )

    page = client_as(EmployeeFactory()).get(reverse("circles:insights", args=[circle.slug]))
    listed = client_as(EmployeeFactory()).get(reverse("circles:archive_list"), {"q": "secret"})

    assert b"Secret draft" not in page.content
    assert list(listed.context["page"]) == []


def test_attendance_is_seen_by_the_person_and_facilitators_only(held, client_as):
    circle, meeting, members = held
    with after(meeting):
        services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            attendance={members[0].pk: True, members[1].pk: False},
        )
        with pytest.raises(ValidationError) as error:
            services.wrapup_save(
                meeting=meeting,
                actor=circle.proposed_by,
                held=True,
                attendance={EmployeeFactory().user.pk: True},
            )
    assert error.value.messages == [services.ATTENDANCE_NOT_MEMBER]
    assert Attendance.objects.count() == 2

    url = reverse("circles:insights", args=[circle.slug])
    mine = client_as(members[0]).get(url).content.decode()
    theirs = client_as(members[1]).get(url).content.decode()
    outsider = client_as(EmployeeFactory()).get(url).content.decode()
    assert "week 1 ✓ there" in mine
    assert "week 1 ✗ missed" in theirs
    assert "Your attendance" not in outsider
    with after(meeting):
        form = client_as(circle.proposed_by).get(reverse("circles:wrapup", args=[circle.slug, 1]))
    assert form.status_code == 200
    assert (
        client_as(members[0]).get(reverse("circles:wrapup", args=[circle.slug, 1])).status_code
        == 404
    )


def test_the_wrapup_form_saves_and_publishes(held, client_as):
    circle, meeting, members = held
    url = reverse("circles:wrapup", args=[circle.slug, 1])
    data = {
        "held": "yes",
        "head_count": "6",
        "rating": "5",
        "reflection": "",
        "summary": "",
        "insights": "One\nTwo",
        "publish": "on",
        "record_attendance": "on",
        f"attended_{members[0].pk}": "on",
    }
    with after(meeting):
        bad = client_as(circle.proposed_by).post(url, {**data, "insights": ""})
        assert bad.status_code == 400
        response = client_as(circle.proposed_by).post(url, data)

    assert response.status_code == 302
    meeting.wrapup.refresh_from_db()
    assert meeting.wrapup.is_published
    assert dict(Attendance.objects.values_list("user_id", "attended")) == {
        members[0].pk: True,
        members[1].pk: False,
    }


def test_the_archive_respects_the_circles_audience(client_as):
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    circle = make_circle(state="finished", subject=ItemFactory(audiences=[finance]))
    nurse = EmployeeFactory(department=DepartmentFactory(name="Nursing"))

    assert client_as(nurse).get(reverse("circles:insights", args=[circle.slug])).status_code == 404
    assert list(client_as(nurse).get(reverse("circles:archive_list")).context["page"]) == []


def test_markdown_export_and_printable_page(held, client_as):
    circle, meeting, members = held
    post = services.post_create(
        thread=circle.threads.get(week=1), author=members[0], body="Be remarkable.", may_quote=True
    )
    with after(meeting):
        services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            summary="Summary text",
            insights="Insight A",
            publish=True,
            quote_post_ids=[post.pk],
        )

    text = archive_markdown(circle=circle)
    assert text.startswith("# Purple Cow spring circle\n")
    assert "## Week 1:" in text
    assert "- Insight A" in text
    assert "> Be remarkable." in text
    assert "*Nothing published for this week.*" in text  # weeks 2 and 3
    client = client_as(EmployeeFactory())
    download = client.get(reverse("circles:insights_markdown", args=[circle.slug]))
    assert download["Content-Type"].startswith("text/markdown")
    assert "attachment" in download["Content-Disposition"]
    printable = client.get(reverse("circles:insights_print", args=[circle.slug]))
    assert b"Insight A" in printable.content
    assert b"site-header" not in printable.content


def test_quotes_outlive_the_post_they_came_from(held):
    circle, meeting, members = held
    post = services.post_create(
        thread=circle.threads.get(week=1), author=members[0], body="Keep me", may_quote=True
    )
    with after(meeting):
        services.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, quote_post_ids=[post.pk]
        )

    post.delete()

    assert Quote.objects.get().text == "Keep me"


def test_an_admin_can_wrap_up_too():
    circle = make_circle(state="running")
    meeting = circle.meetings.get(week=1)
    with after(meeting):
        wrapup = services.wrapup_save(meeting=meeting, actor=learning_admin(), held=False)
    assert wrapup.held is False


def _quote_week_one(circle, meeting, author, *, publish):
    post = services.post_create(
        thread=circle.threads.get(week=1), author=author, body="Quote me", may_quote=True
    )
    with after(meeting):
        services.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Week one",
            publish=publish, quote_post_ids=[post.pk],
        )  # fmt: skip
    return post


def test_a_quote_of_a_week_not_published_is_not_in_the_archive(held):
    circle, meeting, members = held
    _quote_week_one(circle, meeting, members[0], publish=False)

    assert Quote.objects.filter(week=1).exists()  # kept for the facilitators' wrap-up
    assert "Quote me" not in archive_markdown(circle=circle)

    with after(meeting):
        services.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Week one",
            publish=True,
        )  # fmt: skip
    assert "> Quote me" in archive_markdown(circle=circle)  # quotes=None: left as they were


def test_unticking_a_quote_in_the_wrapup_takes_it_out(held):
    circle, meeting, members = held
    _quote_week_one(circle, meeting, members[0], publish=True)

    with after(meeting):
        services.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Week one",
            publish=True, quote_post_ids=[],
        )  # fmt: skip

    assert not Quote.objects.exists()
    assert "Quote me" not in archive_markdown(circle=circle)


def test_an_author_who_withdraws_consent_takes_their_quote_out(held):
    circle, meeting, members = held
    post = _quote_week_one(circle, meeting, members[0], publish=True)

    with time_machine.travel(post.created_at + dt.timedelta(minutes=5)):
        services.post_edit(post=post, user=members[0], body="Quote me", may_quote=False)

    assert not Quote.objects.exists()
    assert "Quote me" not in archive_markdown(circle=circle)
