import threading

import pytest
from django.core import mail
from django.db import connection

from notifications.kinds import Kind
from notifications.models import EmailPreference, SentEmail
from notifications.services import email_preference_update, email_send_once
from tests.catalog.factories import OfferingFactory
from tests.notifications.factories import EmailPreferenceFactory
from tests.notifications.helpers import html_part, parsed
from tests.people.factories import UserFactory

TEMPLATE = "enrollment/email/session_opened"


@pytest.fixture
def context(db):
    offering = OfferingFactory(item__title="Falls prevention")
    return {
        "item": offering.item,
        "item_url": "https://learning.example.org/catalog/x/",
        "offering": offering,
        "when": "Monday",
    }


@pytest.fixture
def send(context):
    def send(user, key="k:1", kind=Kind.SESSION_OPENED, **extra):
        return email_send_once(
            key=key, user=user, template=TEMPLATE, context=context, kind=kind, **extra
        )

    return send


@pytest.mark.django_db
def test_same_key_sends_one_email(send):
    user = UserFactory()

    assert send(user) is True
    assert send(user) is False

    assert len(mail.outbox) == 1
    sent = SentEmail.objects.get()
    assert (sent.key, sent.user, sent.kind) == ("k:1", user, Kind.SESSION_OPENED)


@pytest.mark.django_db
def test_different_keys_send_separately(send):
    user = UserFactory()

    send(user, key="k:1")
    send(user, key="k:2")

    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_renders_subject_text_and_html_from_the_template_prefix(send):
    user = UserFactory(first_name="Ana")

    send(user)

    (message,) = mail.outbox
    assert message.subject == "New session open: Falls prevention"
    assert "Hello Ana" in message.body
    assert "<strong>Falls prevention</strong>" in html_part(message)
    assert parsed(message).get_content_type() == "multipart/alternative"


@pytest.mark.django_db
def test_optional_emails_carry_an_unsubscribe_header_and_all_suppress_auto_replies(send, settings):
    settings.PORTAL_BASE_URL = "https://learning.example.org"
    user = UserFactory()

    send(user, key="optional", kind=Kind.SESSION_OPENED)
    send(user, key="transactional", kind=Kind.ENROLLMENT_CONFIRMATION)

    optional, transactional = (parsed(message) for message in mail.outbox)
    assert optional["List-Unsubscribe"] == "<https://learning.example.org/me/notifications/>"
    assert transactional["List-Unsubscribe"] is None
    for message in (optional, transactional):
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"


@pytest.mark.django_db
def test_attachments_keep_their_content_type_parameters(send):
    user = UserFactory()

    send(
        user,
        attachments=[
            ("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=CANCEL"),
            ("notes.csv", "a,b\r\n", "text/csv"),
        ],
    )

    (message,) = mail.outbox
    parts = {part.get_filename(): part for part in parsed(message).walk() if part.get_filename()}
    assert parts["invite.ics"]["Content-Type"] == "text/calendar; method=CANCEL; charset=utf-8"
    assert parts["invite.ics"].get_payload(decode=True).startswith(b"BEGIN:VCALENDAR")
    assert parts["notes.csv"].get_content_type() == "text/csv"


@pytest.mark.django_db
def test_optional_kind_switched_off_sends_nothing_and_records_nothing(send):
    user = UserFactory()
    EmailPreferenceFactory(user=user, session_opened=False)

    assert send(user, kind=Kind.SESSION_OPENED) is False

    assert mail.outbox == []
    assert not SentEmail.objects.exists()


@pytest.mark.django_db
def test_transactional_kind_goes_even_with_everything_switched_off(send):
    user = UserFactory()
    EmailPreferenceFactory(
        user=user,
        session_reminders=False,
        session_opened=False,
        theme_announcements=False,
        manager_suggestions=False,
    )

    assert send(user, kind=Kind.SESSION_CANCELLED) is True


@pytest.mark.django_db
def test_deactivated_account_gets_nothing(send):
    user = UserFactory(is_active=False)

    assert send(user, kind=Kind.ENROLLMENT_CONFIRMATION) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_send_records_nothing_so_a_retry_sends(send, settings):
    user = UserFactory()
    # A real SMTP connection to a port nothing listens on: the send raises.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 2

    with pytest.raises(ConnectionRefusedError):
        send(user)
    assert not SentEmail.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(user) is True
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_with_one_key_send_one_email(context):
    user = UserFactory()
    barrier = threading.Barrier(6)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(
                email_send_once(
                    key="race:1",
                    user=user,
                    template=TEMPLATE,
                    context=context,
                    kind=Kind.SESSION_OPENED,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True]
    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(key="race:1").count() == 1


@pytest.mark.django_db
def test_preference_update_creates_the_row_lazily_and_saves_switches():
    user = UserFactory()
    assert not EmailPreference.objects.filter(user=user).exists()

    email_preference_update(user=user, session_reminders=False, theme_announcements=False)

    preference = EmailPreference.objects.get(user=user)
    assert preference.session_reminders is False
    assert preference.theme_announcements is False
    assert preference.session_opened is True
    assert preference.manager_suggestions is True


@pytest.mark.django_db
def test_preference_update_refuses_unknown_switches():
    user = UserFactory()

    with pytest.raises(TypeError, match="is_staff"):
        email_preference_update(user=user, is_staff=True)

    assert not EmailPreference.objects.exists()


def _orphaned_claim(user, *, key="k:orphan", minutes_ago=11, message=None):
    """A claim left by a worker killed between claiming and confirming the send."""
    from django.utils import timezone

    return SentEmail.objects.create(
        key=key,
        user=user,
        kind=Kind.ENROLLMENT_CONFIRMATION,
        status=SentEmail.Status.SENDING,
        claimed_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
        message=message,
    )


@pytest.mark.django_db
def test_a_send_is_claimed_before_it_goes_out_and_confirmed_after(send, watched_rows):
    user = UserFactory()

    assert send(user) is True

    sent = SentEmail.objects.get(key="k:1")
    assert [(row["key"], row["status"]) for row in watched_rows] == [
        ("k:1", SentEmail.Status.SENDING)
    ]
    assert len(mail.outbox) == 1
    assert sent.status == SentEmail.Status.SENT
    assert sent.sent_at is not None
    # Once sent, the row keeps no copy of the message.
    assert sent.message is None


@pytest.mark.django_db
def test_a_claim_left_by_a_killed_worker_is_never_sent_again_automatically(send):
    user = UserFactory()
    _orphaned_claim(user, key="k:1")

    assert send(user) is False
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_fate_unknown_lists_old_unconfirmed_claims_only():
    from notifications.selectors import email_list_fate_unknown

    user = UserFactory()
    old = _orphaned_claim(user, key="old", minutes_ago=11)
    _orphaned_claim(user, key="young", minutes_ago=1)
    SentEmail.objects.create(key="sent", user=user, kind=Kind.PROMOTION)

    assert list(email_list_fate_unknown()) == [old]


@pytest.mark.django_db
def test_resend_sends_the_stored_message_once(send, watched_rows):
    from django.core.exceptions import ValidationError

    from notifications import services

    user = UserFactory(email="nurse@example.org")
    # The message a worker rendered before it was killed: as the row kept it while it was sent.
    invite = ("invite.ics", b"BEGIN:VCALENDAR", "text/calendar; method=REQUEST; charset=utf-8")
    send(UserFactory(), key="k:template", attachments=[invite])
    (sending,) = watched_rows
    stored = dict(sending["message"])
    mail.outbox.clear()
    stored["to"] = [user.email]
    orphan = _orphaned_claim(user, message=stored)
    admin = UserFactory(is_staff=True)

    services.email_resend(sent_email=orphan, actor=admin)
    with pytest.raises(ValidationError, match="this one is sent"):
        services.email_resend(sent_email=orphan, actor=admin)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nurse@example.org"]
    assert mail.outbox[0].subject == stored["subject"]
    parts = [part.get_content_type() for part in parsed(mail.outbox[0]).walk()]
    assert parts[-1] == "text/calendar"
    orphan.refresh_from_db()
    assert (orphan.status, orphan.resent_by, orphan.message) == (SentEmail.Status.SENT, admin, None)


@pytest.mark.django_db
def test_resend_refuses_a_claim_that_may_still_be_sending():
    from django.core.exceptions import ValidationError

    from notifications import services

    young = _orphaned_claim(UserFactory(), minutes_ago=1, message={"subject": "x"})
    with pytest.raises(ValidationError, match="still being sent"):
        services.email_resend(sent_email=young, actor=None)
    assert len(mail.outbox) == 0
