import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from circles import services, tasks
from circles.models import DigestSetting, Post, Thread
from tests.circles.factories import make_circle
from tests.circles.helpers import learning_admin
from tests.notifications.factories import EmailPreferenceFactory
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    circle = make_circle(state="open")
    services.thread_open_due(now=circle.offering.starts_at)
    return circle


def member_of(circle, email=None):
    user = (EmployeeFactory(user__email=email) if email else EmployeeFactory()).user
    services.circle_join(user=user, circle=circle)
    return user


def week1(circle):
    return circle.threads.get(week=1)


# --- threads ------------------------------------------------------------------------------------


def test_a_weeks_thread_opens_a_week_before_its_meeting_with_the_prompt_as_it_was():
    circle = make_circle(state="open")
    plan = circle.plan.get(week=1)
    plan.prompt = "What makes a purple cow?"
    plan.save()
    first = circle.meetings.get(week=1)

    assert services.thread_open_due(now=first.scheduled_for - dt.timedelta(days=8)) == 0
    assert services.thread_open_due(now=first.scheduled_for - dt.timedelta(days=6)) == 1
    assert services.thread_open_due(now=first.scheduled_for - dt.timedelta(days=6)) == 0
    thread = circle.threads.get()
    assert (thread.week, thread.prompt) == (1, "What makes a purple cow?")

    plan.prompt = "Changed later"
    plan.save()
    tasks.open_due_threads()
    thread.refresh_from_db()
    assert thread.prompt == "What makes a purple cow?"


def test_drafts_get_no_threads():
    draft = make_circle()

    assert services.thread_open_due(now=draft.offering.ends_at) == 0
    assert not Thread.objects.exists()


# --- who reads ----------------------------------------------------------------------------------


def test_only_members_and_learning_admins_read_the_discussion(client_as, circle):
    member = member_of(circle)
    post = services.post_create(thread=week1(circle), author=member, body="Members only")
    urls = [
        reverse("circles:discussion", args=[circle.slug]),
        week1(circle).get_absolute_url(),
        reverse("circles:post_edit", args=[circle.slug, 1, post.pk]),
    ]
    outsider = EmployeeFactory().user

    for url in urls:
        assert client_as(outsider).get(url).status_code == 404
    assert b"Members only" in client_as(member).get(urls[1]).content
    assert b"Members only" in client_as(circle.proposed_by).get(urls[1]).content
    admin_page = client_as(learning_admin()).get(urls[1])
    assert b"Members only" in admin_page.content
    assert b"only members post" in admin_page.content


def test_someone_on_the_waitlist_cannot_read_yet(client_as):
    circle = make_circle(state="open", seat_cap=2)
    services.thread_open_due(now=circle.offering.starts_at)
    member_of(circle)
    member_of(circle)
    waiting = member_of(circle)

    assert client_as(waiting).get(week1(circle).get_absolute_url()).status_code == 404
    with pytest.raises(ValidationError) as error:
        services.post_create(thread=week1(circle), author=waiting, body="hi")
    assert error.value.messages == [services.POST_NOT_MEMBER]


# --- posting ------------------------------------------------------------------------------------


def test_posting_without_htmx_redirects_to_the_post(client_as, circle):
    member = member_of(circle)

    response = client_as(member).post(
        week1(circle).get_absolute_url(), {"body": "Chapter 1 was **great**", "may_quote": "on"}
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#post-{post.pk}")
    assert post.may_quote is True


def test_posting_with_htmx_returns_the_post_and_a_fresh_form(client_as, circle):
    member = member_of(circle)

    response = client_as(member).post(
        week1(circle).get_absolute_url(), {"body": "Hello circle"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello circle" in html
    assert 'id="post-form"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_an_empty_htmx_post_returns_the_form_with_its_error_and_adds_nothing(client_as, circle):
    member = member_of(circle)

    response = client_as(member).post(
        week1(circle).get_absolute_url(), {"body": "   "}, HTTP_HX_REQUEST="true"
    )

    assert "Write something first." in response.content.decode()
    assert not Post.objects.exists()


def test_posts_are_sanitized_markdown(client_as, circle):
    member = member_of(circle)
    body = (
        "**bold** <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[link](javascript:alert(1)) <a href='https://example.org' onclick='x()'>ok</a>"
    )
    services.post_create(thread=week1(circle), author=member, body=body)

    html = client_as(member).get(week1(circle).get_absolute_url()).content.decode()

    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:alert" not in html
    assert "onclick" not in html


def test_replies_are_one_level_deep(circle):
    member = member_of(circle)
    thread = week1(circle)
    post = services.post_create(thread=thread, author=member, body="A post")
    reply = services.post_create(
        thread=thread, author=circle.proposed_by, body="A reply", parent=post
    )

    with pytest.raises(ValidationError) as error:
        services.post_create(thread=thread, author=member, body="Deeper", parent=reply)

    assert error.value.messages == [services.REPLY_TO_REPLY]


def test_posts_are_paginated(client_as, circle):
    member = member_of(circle)
    for n in range(25):
        services.post_create(thread=week1(circle), author=member, body=f"Post number {n}")
    client = client_as(member)

    first = client.get(week1(circle).get_absolute_url()).content.decode()
    second = client.get(week1(circle).get_absolute_url(), {"page": 2}).content.decode()

    assert "Post number 0" in first
    assert "Post number 24" not in first
    assert "Post number 24" in second


# --- editing, deleting, hiding ------------------------------------------------------------------


def test_the_author_edits_within_fifteen_minutes_and_not_after(client_as, circle):
    member = member_of(circle)
    post = services.post_create(thread=week1(circle), author=member, body="Frist")

    services.post_edit(post=post, user=member, body="First")
    post.refresh_from_db()
    assert (post.body, post.edited_at is not None) == ("First", True)

    with time_machine.travel(post.created_at + dt.timedelta(minutes=16)):
        with pytest.raises(ValidationError) as error:
            services.post_edit(post=post, user=member, body="Too late")
        response = client_as(member).post(
            reverse("circles:post_edit", args=[circle.slug, 1, post.pk]), {"body": "Late"}
        )
    assert error.value.messages == [services.EDIT_TOO_LATE]
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.body == "First"


def test_nobody_edits_or_deletes_someone_elses_post(client_as, circle):
    member = member_of(circle)
    other = member_of(circle)
    post = services.post_create(thread=week1(circle), author=member, body="Mine")

    with pytest.raises(ValidationError):
        services.post_edit(post=post, user=other, body="Yours")
    client_as(other).post(reverse("circles:post_delete", args=[circle.slug, 1, post.pk]))

    assert Post.objects.get(pk=post.pk).body == "Mine"


def test_deleting_a_post_with_replies_keeps_its_place(circle):
    member = member_of(circle)
    thread = week1(circle)
    lonely = services.post_create(thread=thread, author=member, body="Alone")
    answered = services.post_create(thread=thread, author=member, body="Answered")
    services.post_create(thread=thread, author=circle.proposed_by, body="Reply", parent=answered)

    assert services.post_delete(post=lonely, user=member) is None
    kept = services.post_delete(post=answered, user=member)

    assert not Post.objects.filter(pk=lonely.pk).exists()
    assert (kept.body, kept.is_deleted) == ("", True)


def test_a_facilitator_hides_a_post_with_a_reason_kept_for_the_audit(client_as, circle):
    member = member_of(circle)
    post = services.post_create(thread=week1(circle), author=member, body="Patient details!")
    url = reverse("circles:post_hide", args=[circle.slug, 1, post.pk])

    client_as(member).post(url, {"reason": "not allowed"})
    assert not Post.objects.get(pk=post.pk).is_hidden
    client_as(circle.proposed_by).post(url, {"reason": ""})
    assert not Post.objects.get(pk=post.pk).is_hidden
    client_as(circle.proposed_by).post(url, {"reason": "Patient information"})

    post.refresh_from_db()
    assert post.hidden_reason == "Patient information"
    assert post.hidden_by == circle.proposed_by
    assert post.body == "Patient details!"
    member_page = client_as(member).get(week1(circle).get_absolute_url()).content.decode()
    assert "Patient details!" not in member_page
    assert "Hidden by a facilitator" in member_page
    facilitator_page = client_as(circle.proposed_by).get(week1(circle).get_absolute_url())
    assert b"Patient information" in facilitator_page.content


# --- mentions and digests -----------------------------------------------------------------------


def test_a_mention_emails_the_member_once_and_never_an_outsider(
    circle, django_capture_on_commit_callbacks
):
    author = member_of(circle)
    named = member_of(circle, email="alex.rivera@example.org")
    UserFactory(email="sam.outsider@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(
            thread=week1(circle), author=author, body="@alex.rivera and @sam.outsider, thoughts?"
        )
    tasks.send_mentions(post.pk, [named.pk])

    mentions = [m for m in mail.outbox if "mentioned you" in m.subject]
    assert [m.to for m in mentions] == [["alex.rivera@example.org"]]


def _yesterday_post(circle, author, body):
    post = services.post_create(thread=week1(circle), author=author, body=body)
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    return post


def test_the_daily_digest_goes_once_with_others_posts_and_respects_opt_outs(circle):
    author = member_of(circle)
    reader = member_of(circle)
    quiet = member_of(circle)
    muted = member_of(circle)
    services.digest_setting_update(circle=circle, user=quiet, frequency="off")
    EmailPreferenceFactory(user=muted, circle_digests=False)
    _yesterday_post(circle, author, "Yesterday's thought")
    services.post_create(thread=week1(circle), author=author, body="Today's thought")
    mail.outbox.clear()

    sent = tasks.send_circle_digests()
    assert tasks.send_circle_digests() == 0

    digests = {m.to[0]: m for m in mail.outbox if "new post" in m.subject}
    assert sent == len(digests)
    assert set(digests) == {reader.email, circle.proposed_by.email}
    assert "Yesterday's thought" in digests[reader.email].body
    assert "Today's thought" not in digests[reader.email].body


def test_a_weekly_digest_covers_the_last_iso_week(circle):
    author = member_of(circle)
    reader = member_of(circle)
    services.digest_setting_update(
        circle=circle, user=reader, frequency=DigestSetting.Frequency.WEEKLY
    )
    post = services.post_create(thread=week1(circle), author=author, body="Last week")
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=today.weekday() + 3)
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(last_week, dt.time(12)))
    )
    mail.outbox.clear()

    tasks.send_circle_digests()

    (digest,) = [m for m in mail.outbox if reader.email in m.to]
    assert "Last week" in digest.body


def test_the_digest_setting_is_saved_from_the_discussion_page(client_as, circle):
    member = member_of(circle)

    client_as(member).post(
        reverse("circles:discussion", args=[circle.slug]), {"frequency": "weekly"}
    )

    assert DigestSetting.objects.get(user=member).frequency == "weekly"
