import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import SentEmail
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_sent_emails_are_listed_read_only(staff_client):
    sent = SentEmail.objects.create(
        key="enrollment-confirmation:1", user=UserFactory(), kind=Kind.ENROLLMENT_CONFIRMATION
    )

    listing = staff_client.get(reverse("admin:notifications_sentemail_changelist"))
    add = staff_client.get(reverse("admin:notifications_sentemail_add"))
    delete_url = reverse("admin:notifications_sentemail_delete", args=[sent.pk])
    delete = staff_client.post(delete_url, {"post": "yes"})

    assert listing.status_code == 200
    assert "enrollment-confirmation:1" in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert SentEmail.objects.filter(pk=sent.pk).exists()


def test_email_preferences_are_listed(staff_client):
    response = staff_client.get(reverse("admin:notifications_emailpreference_changelist"))

    assert response.status_code == 200


def _unknown(user, payload, key="enrollment-confirmation:9"):
    from django.utils import timezone

    return SentEmail.objects.create(
        key=key,
        user=user,
        kind=Kind.ENROLLMENT_CONFIRMATION,
        status=SentEmail.Status.SENDING,
        claimed_at=timezone.now() - timezone.timedelta(minutes=30),
        message=payload,
    )


PAYLOAD = {
    "subject": "You're enrolled",
    "text": "See you there.",
    "html": "<p>See you there.</p>",
    "from": "Learning Portal <learning@example.com>",
    "to": ["nurse@example.org"],
    "headers": {"Auto-Submitted": "auto-generated"},
    "attachments": [],
}


def test_emails_of_unknown_fate_are_listed_with_a_one_click_resend(staff_client, mailoutbox):
    orphan = _unknown(UserFactory(email="nurse@example.org"), PAYLOAD)
    listing_url = reverse("admin:notifications_sentemail_changelist")

    listing = staff_client.get(listing_url + "?fate=unknown")
    page = listing.content.decode()
    resend_url = reverse("admin:notifications_sentemail_resend", args=[orphan.pk])
    assert "1 email may not have gone out" in page
    assert f'form="resend-{orphan.pk}"' in page
    assert f'action="{resend_url}"' in page

    response = staff_client.post(resend_url)
    again = staff_client.post(resend_url, follow=True)

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "You're enrolled"
    orphan.refresh_from_db()
    assert orphan.status == SentEmail.Status.SENT
    assert "this one is sent" in again.content.decode()


def test_resend_needs_the_permission(client):
    orphan = _unknown(UserFactory(), PAYLOAD)
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("admin:notifications_sentemail_resend", args=[orphan.pk]))

    assert response.status_code == 403
    orphan.refresh_from_db()
    assert orphan.status == SentEmail.Status.SENDING


def test_resend_is_a_post(staff_client):
    orphan = _unknown(UserFactory(), PAYLOAD)
    response = staff_client.get(reverse("admin:notifications_sentemail_resend", args=[orphan.pk]))
    assert response.status_code == 405


def test_outbox_lists_waiting_tasks_and_dispatches_them(staff_client):
    from notifications.models import OutboxMessage

    waiting = OutboxMessage.objects.create(task="enrollment.tasks.refresh_item_popularity")
    listing = staff_client.get(
        reverse("admin:notifications_outboxmessage_changelist") + "?dispatched=no"
    )
    assert "enrollment.tasks.refresh_item_popularity" in listing.content.decode()

    response = staff_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "dispatch_now", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert "Dispatched 1 of 1 waiting." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.dispatched_at is not None
