import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from circles import services, tasks
from circles.models import Post, Quote, Signup
from circles.selectors import survey_results
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def circle_with(n):
    circle = make_circle(state="running", seat_cap=10)
    members = [EmployeeFactory().user for _ in range(n)]
    for user in members:
        services.circle_join(user=user, circle=circle, hope="To learn")
    return circle, members


def at_last_meeting(circle, offset=dt.timedelta(minutes=-30)):
    return time_machine.travel(services.last_meeting(circle).starts_at + offset)


def test_the_learner_survey_opens_an_hour_before_the_last_meeting():
    circle, (user, *_) = circle_with(1)

    with pytest.raises(ValidationError) as error:
        services.learner_survey_submit(
            circle=circle, user=user, goal_met=4, will_try="x", would_recommend=True
        )
    assert error.value.messages == [services.SURVEY_NOT_OPEN]
    with at_last_meeting(circle):
        services.learner_survey_submit(
            circle=circle, user=user, goal_met=4, will_try="x", would_recommend=True
        )
        with pytest.raises(ValidationError) as error:
            services.learner_survey_submit(
                circle=circle,
                user=circle.proposed_by,
                goal_met=4,
                will_try="",
                would_recommend=True,
            )
    assert error.value.messages == [services.SURVEY_NOT_LEARNER]


def answered(circle, members, answers):
    """Each member answers (goal met 1–5, would recommend) at the last meeting."""
    with at_last_meeting(circle):
        for user, (goal_met, recommend) in zip(members, answers, strict=False):
            services.learner_survey_submit(
                circle=circle, user=user, goal_met=goal_met, will_try="", would_recommend=recommend
            )


def test_under_ten_answers_no_figure_is_shown(client_as):
    circle, members = circle_with(9)
    answered(circle, members, [(5, True)] * 9)

    results = survey_results(circle=circle)
    with at_last_meeting(circle):
        page = client_as(circle.proposed_by).get(reverse("circles:manage", args=[circle.slug]))

    assert (results.answers, results.shown, results.goal_met, results.recommend) == (
        9,
        False,
        None,
        None,
    )
    assert b"Results appear once enough people have answered" in page.content


@pytest.mark.parametrize(
    ("recommending", "phrase"),
    [
        (5, "5 of 10"),  # five each way: exact
        (7, "more than 5 of 10"),  # "7 of 10" would say the other 3 would not
        (10, "more than 5 of 10"),  # "10 of 10" would say what each one answered
        (3, "fewer than 5 of 10"),
    ],
)
def test_counts_are_exact_only_with_five_answers_each_way(client_as, recommending, phrase):
    circle, members = circle_with(10)
    answered(circle, members, [(5 if n < 5 else 2, n < recommending) for n in range(10)])

    results = survey_results(circle=circle)
    with at_last_meeting(circle):
        page = client_as(circle.proposed_by).get(reverse("circles:manage", args=[circle.slug]))

    assert (results.answers, results.shown) == (10, True)
    assert results.recommend == phrase
    assert results.goal_met == "5 of 10"  # five said 4 or 5, five did not
    assert f"Would recommend the circle: <strong>{phrase}</strong>".encode() in page.content


def test_survey_emails_go_once_and_the_check_in_thirty_days_later_goes_once_privately():
    circle, (learner,) = circle_with(1)
    last = services.last_meeting(circle)
    mail.outbox.clear()

    with at_last_meeting(circle):
        assert tasks.send_circle_surveys() == 1  # the learner; the facilitator after it ends
        assert tasks.send_circle_surveys() == 0
        services.learner_survey_submit(
            circle=circle,
            user=learner,
            goal_met=5,
            will_try="Ask every patient one remarkable question",
            would_recommend=True,
        )
    with time_machine.travel(last.ends_at + dt.timedelta(minutes=5)):
        assert tasks.send_circle_surveys() == 1  # now the facilitator
    with time_machine.travel(last.ends_at + dt.timedelta(days=29)):
        assert tasks.send_checkins() == 0
    with time_machine.travel(last.ends_at + dt.timedelta(days=31)):
        assert tasks.send_checkins() == 1
        assert tasks.send_checkins() == 0

    checkins = [m for m in mail.outbox if "A month on" in m.subject]
    assert [m.to for m in checkins] == [[learner.email]]
    assert "one remarkable question" in checkins[0].body


def test_the_survey_page_saves_answers(client_as):
    circle, (learner,) = circle_with(1)
    url = reverse("circles:survey", args=[circle.slug])

    assert b"opens an hour before" in client_as(learner).get(url).content
    with at_last_meeting(circle):
        response = client_as(learner).post(
            url, {"goal_met": "4", "will_try": "Huddles", "would_recommend": "True"}
        )
    assert response.status_code == 302
    assert learner.circle_surveys.get().will_try == "Huddles"
    assert client_as(EmployeeFactory()).get(url).status_code == 404


# --- retention ----------------------------------------------------------------------------------


def test_retention_deletes_old_discussions_but_keeps_insights_and_quotes(settings):
    settings.CIRCLES_DISCUSSION_RETENTION_MONTHS = 12
    circle, (member,) = circle_with(1)
    services.thread_open_due(now=circle.offering.starts_at)
    thread = circle.threads.get(week=1)
    post = services.post_create(thread=thread, author=member, body="Quote me", may_quote=True)
    services.post_create(thread=thread, author=circle.proposed_by, body="Reply", parent=post)
    meeting = circle.meetings.get(week=1)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=1)):
        services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            insights="Kept",
            publish=True,
            quote_post_ids=[post.pk],
        )
    circle.state = "finished"
    circle.save()
    recent = make_circle(state="finished")
    last_end = services.last_meeting(circle).ends_at

    with time_machine.travel(last_end + dt.timedelta(days=300)):
        assert services.discussion_retention_apply() == {"posts": 0, "hopes": 0}
    with time_machine.travel(last_end + dt.timedelta(days=370)):
        assert services.discussion_retention_apply() == {"posts": 2, "hopes": 1}
        tasks.apply_discussion_retention()

    assert not Post.objects.exists()
    assert Quote.objects.get().text == "Quote me"
    assert meeting.wrapup.insights == "Kept"
    assert Signup.objects.get(user=member).hope == ""
    assert recent.plan.exists()


# --- a person's own posts -----------------------------------------------------------------------


def test_a_person_exports_and_deletes_their_own_posts_only(client_as):
    circle, (me, other) = circle_with(2)
    services.thread_open_due(now=circle.offering.starts_at)
    thread = circle.threads.get(week=1)
    answered = services.post_create(thread=thread, author=me, body="Mine, answered")
    services.post_create(thread=thread, author=other, body="Theirs", parent=answered)
    services.post_create(thread=thread, author=me, body="Mine, alone")
    services.post_create(thread=thread, author=other, body="Their own")
    client = client_as(me)

    export = client.get(reverse("circles:my_posts"), {"format": "json"}).json()
    assert sorted(p["text"] for p in export["posts"]) == ["Mine, alone", "Mine, answered"]
    client.post(reverse("circles:my_posts"))  # unconfirmed: nothing happens
    assert Post.objects.filter(author=me).count() == 2
    client.post(reverse("circles:my_posts"), {"confirm": "delete"})

    assert list(Post.objects.filter(author=me).values_list("body", flat=True)) == [""]
    assert set(Post.objects.exclude(author=me).values_list("body", flat=True)) == {
        "Theirs",
        "Their own",
    }
