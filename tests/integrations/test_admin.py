import pytest
from django.urls import reverse

from integrations.models import SlackChannelLink, SlackMessage
from tests.integrations.helpers import running_circle
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def failed_message(circle):
    SlackChannelLink.objects.create(circle=circle, channel_id="C0CIRCLE1")
    return SlackMessage.objects.create(
        key="prompt:1",
        circle=circle,
        kind="prompt",
        week=1,
        channel_id="C0CIRCLE1",
        text="Week 1",
        status="failed",
        attempts=11,
        last_error="Slack answered 500: internal_error",
    )


def test_the_outbox_lists_each_message_with_its_last_error_read_only(staff_client):
    message = failed_message(running_circle())
    listing = staff_client.get(reverse("admin:integrations_slackmessage_changelist"))
    assert listing.status_code == 200
    assert "Slack answered 500: internal_error" in listing.content.decode()
    change = staff_client.post(
        reverse("admin:integrations_slackmessage_change", args=[message.pk]), {"text": "x"}
    )
    assert change.status_code == 403
    delete = reverse("admin:integrations_slackmessage_delete", args=[message.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403


def test_send_again_posts_a_failed_message_once(
    staff_client, fake_slack, django_capture_on_commit_callbacks
):
    message = failed_message(running_circle())
    url = reverse("admin:integrations_slackmessage_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "send_again", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("sent", "")
    assert len(fake_slack.posts) == 1

    response = staff_client.post(
        url, {"action": "send_again", "_selected_action": [message.pk]}, follow=True
    )
    assert "this one is sent" in response.content.decode()
    assert len(fake_slack.posts) == 1


@pytest.mark.parametrize(
    "name",
    ["slackchannellink", "slackevent", "slackpost", "notionlink", "notionpage"],
)
def test_every_connector_table_has_an_admin_list(staff_client, name):
    assert staff_client.get(reverse(f"admin:integrations_{name}_changelist")).status_code == 200
