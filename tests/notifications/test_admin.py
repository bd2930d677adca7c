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
