import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from circles import services as circles_services
from circles.models import Post
from integrations import services
from integrations.models import SlackPost
from integrations.services import slack_import
from tests.integrations.exports import export_zip, message, ts_at
from tests.integrations.helpers import member_of, running_circle
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    circle = running_circle()
    member_of(circle, "ada@example.org")
    member_of(circle, "grace@example.org")
    return circle


def history(circle):
    """Two days of a channel before the first meeting: a thread, a join, a bot, an outsider."""
    first = circle.meetings.get(week=1).starts_at
    day1, day2 = first - dt.timedelta(days=3), first - dt.timedelta(days=2)
    top = ts_at(day1, 1)
    return export_zip(
        {
            day1.date().isoformat(): [
                message("U0ADA", "What makes a *purple cow*?", top, thread_ts=top),
                message("U0GRACE", "Being worth talking about", ts_at(day1, 2), thread_ts=top),
                message("U0ADA", "joined", ts_at(day1, 3), subtype="channel_join"),
            ],
            day2.date().isoformat(): [
                message("U0OUT", "I am not on staff", ts_at(day2, 1)),
                {"type": "message", "bot_id": "B1", "text": "beep", "ts": ts_at(day2, 2)},
                message("U0GRACE", "Safe is risky", ts_at(day2, 3)),
            ],
        }
    )


def run(circle, data, *, dry_run=False, channel=""):
    return services.slack_export_import(
        circle=circle, actor=circle.proposed_by, data=data, dry_run=dry_run, channel=channel
    )


def test_a_preview_reports_what_would_be_imported_and_writes_nothing(circle):
    report = run(circle, history(circle), dry_run=True, channel="purple-cow")

    assert report.file_error is None
    assert (report.created, report.unchanged, report.error_count) == (3, 0, 1)
    assert report.summary.startswith("Preview only, nothing was changed: 3 to create")
    [problem] = report.rejected_rows
    assert "Out Sider is not in the HR feed" in str(problem)
    assert not Post.objects.exists()
    assert not SlackPost.objects.exists()


def test_applying_imports_threads_as_replies_in_the_week_they_led_up_to(circle):
    report = run(circle, history(circle), channel="purple-cow")

    assert report.applied
    assert report.created == 3
    top, reply, later = Post.objects.order_by("created_at")
    assert top.thread.week == later.thread.week == 1
    assert reply.parent == top
    assert top.body == "What makes a **purple cow**?"
    assert {p.source for p in (top, reply, later)} == {"slack"}
    # Each keeps its own time from Slack.
    assert (
        top.created_at < reply.created_at < later.created_at < circle.meetings.get(week=1).starts_at
    )


def test_applying_the_same_export_again_changes_nothing(circle, mailoutbox):
    data = history(circle)
    run(circle, data, channel="purple-cow")
    again = run(circle, data, channel="purple-cow")
    assert (again.created, again.unchanged, again.error_count) == (0, 3, 1)
    assert Post.objects.count() == 3


def test_imported_history_sends_no_mention_emails(circle, mailoutbox):
    first = circle.meetings.get(week=1).starts_at - dt.timedelta(days=1)
    data = export_zip(
        {first.date().isoformat(): [message("U0ADA", "@grace what do you think?", ts_at(first))]}
    )
    run(circle, data, channel="purple-cow")
    assert Post.objects.count() == 1
    assert mailoutbox == []


def test_the_circles_linked_channel_is_the_one_imported(circle, fake_slack):
    services.slack_link_save(circle=circle, actor=circle.proposed_by, channel_id="C0CIRCLE1")
    report = run(circle, history(circle))
    assert report.created == 3
    assert set(SlackPost.objects.values_list("channel_id", flat=True)) == {"C0CIRCLE1"}


def test_an_export_of_several_channels_needs_the_circles_channel_chosen(circle):
    report = run(circle, history(circle))
    assert report.file_error == slack_import.EXPORT_CHANNEL_MISSING.format(
        names="#purple-cow, #random"
    )
    assert report.summary.startswith("Nothing was imported.")


def test_only_facilitators_import(circle):
    member = EmployeeFactory().user
    with pytest.raises(ValidationError):
        services.slack_export_import(circle=circle, actor=member, data=b"", dry_run=True)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CHANNELS = json.dumps([{"id": "C0CIRCLE1", "name": "purple-cow"}])
USERS = json.dumps([{"id": "U0ADA", "profile": {"email": "ada@example.org"}}])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"PK\x03\x04 not really a zip", slack_import.EXPORT_NOT_ZIP),
        (b"", slack_import.EXPORT_NOT_ZIP),
        (_zip({"users.json": USERS}), "The ZIP has no channels.json"),
        (_zip({"channels.json": CHANNELS}), "The ZIP has no users.json"),
        (_zip({"channels.json": "{", "users.json": USERS}), "channels.json is not valid JSON"),
        (_zip({"channels.json": '{"a": 1}', "users.json": USERS}), "does not look like"),
        (
            _zip(
                {"channels.json": CHANNELS, "users.json": USERS, "purple-cow/2026-01-05.json": "["}
            ),
            "purple-cow/2026-01-05.json is not valid JSON",
        ),
        (
            _zip(
                {
                    "channels.json": CHANNELS,
                    "users.json": USERS,
                    "purple-cow/2026-01-05.json": '[{"text": "no ts"}]',
                }
            ),
            "a list of messages with ts",
        ),
        (_zip({"channels.json": CHANNELS, "users.json": USERS}), "no messages in #purple-cow"),
    ],
)
def test_a_malformed_export_is_refused_whole_with_a_clear_message(circle, data, expected):
    report = run(circle, data)
    assert expected in report.file_error
    assert report.rows == []
    assert not Post.objects.exists()
    assert not SlackPost.objects.exists()


def test_a_malformed_day_among_good_ones_writes_nothing(circle):
    good = history(circle)
    buffer = io.BytesIO(good)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("purple-cow/2030-01-01.json", "not json")
    report = run(circle, buffer.getvalue(), channel="purple-cow")
    assert "2030-01-01.json is not valid JSON" in report.file_error
    assert not Post.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_read(circle, monkeypatch):
    monkeypatch.setattr(slack_import, "MAX_UNCOMPRESSED_BYTES", 100)
    report = run(circle, history(circle), channel="purple-cow")
    assert report.file_error == slack_import.EXPORT_TOO_LARGE


def test_posts_their_authors_erased_are_not_imported_again(circle):
    # Ada asks for her posts to be erased; the facilitator later imports a newer export
    # of the same channel: what she erased must not come back under her name.
    data = history(circle)
    run(circle, data, channel="purple-cow")
    ada = Post.objects.get(body="What makes a **purple cow**?").author
    later = Post.objects.get(body="Safe is risky")
    circles_services.post_delete(post=later, user=later.author)
    circles_services.my_posts_delete(user=ada)

    again = run(circle, data, channel="purple-cow")

    assert (again.created, again.unchanged) == (0, 3)
    assert not Post.objects.filter(author=ada).exclude(body="").exists()
    assert not Post.objects.filter(body="Safe is risky").exists()
