import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Item
from enrollment import services
from enrollment.models import Enrollment, SavedItem, SessionInterest, Source, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def enroll_url(item, offering=None, source=None):
    url = reverse("enrollment:enroll", args=[item.slug])
    params = []
    if offering is not None:
        params.append(f"session={offering.pk}")
    if source is not None:
        params.append(f"source={source}")
    return url + ("?" + "&".join(params) if params else "")


def nothing_written():
    return not Enrollment.objects.exists() and not TranscriptEvent.objects.exists()


# --- the item page's call to action ---------------------------------------------------------


def test_item_page_offers_sign_in_to_anonymous_visitors(client):
    item = ItemFactory()

    response = client.get(item.get_absolute_url())

    assert "Sign in to enroll" in response.content.decode()


def test_item_page_links_enroll_with_the_attribution_it_arrived_with(client_as, employee):
    item = ItemFactory()
    client = client_as(employee)

    page = client.get(item.get_absolute_url() + "?source=widget_employee").content.decode()
    plain = client.get(item.get_absolute_url()).content.decode()
    tampered = client.get(item.get_absolute_url() + "?source=%3Cx%3E").content.decode()

    assert f"{enroll_url(item)}?source=widget_employee" in page
    assert f"{enroll_url(item)}?source=item_page" in plain
    assert f"{enroll_url(item)}?source=direct" in tampered


def test_item_page_shows_sessions_with_seats_and_my_waitlist_place(client_as, employee):
    offering = OfferingFactory(capacity=1)
    enroll(EmployeeFactory().user, offering)
    enroll(EmployeeFactory().user, offering)
    client = client_as(employee)

    before = client.get(offering.item.get_absolute_url()).content.decode()
    enroll(employee.user, offering)
    after = client.get(offering.item.get_absolute_url()).content.decode()

    assert "Join the waitlist" in before
    assert "You are 2nd on the waitlist" in after


# --- confirmation and enrolling -------------------------------------------------------------


def test_confirmation_page_explains_what_happens_and_writes_nothing(client_as, employee):
    offering = OfferingFactory(
        starts_at=dt.datetime(2031, 3, 4, 9, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 3, 4, 11, 0, tzinfo=dt.UTC),
        timezone="America/New_York",
        online_url="https://meet.example.org/abc",
    )

    response = client_as(employee).get(enroll_url(offering.item, offering, "theme_page"))

    html = response.content.decode()
    assert response.status_code == 200
    # In the viewer's zone (the organisation's), with the session's own beside it.
    assert '09:30–11:00</time> <span class="session-zone">London time' in html
    assert "(04:30–06:00 New York time, where it is held)" in html
    # The join link is for people with a seat, which the confirmation page does not give yet.
    assert "https://meet.example.org/abc" not in html
    assert "transcript" in html
    assert 'name="source" value="theme_page"' in html
    assert nothing_written()


def test_confirmation_page_for_a_full_session_announces_the_waitlist_place(client_as, employee):
    offering = OfferingFactory(capacity=1)
    enroll(EmployeeFactory().user, offering)
    enroll(EmployeeFactory().user, offering)

    html = client_as(employee).get(enroll_url(offering.item, offering)).content.decode()

    assert "2nd in line" in html
    assert "Join the waitlist" in html


def test_posting_the_confirmation_enrolls_with_the_carried_source(client_as, employee):
    item = ItemFactory()

    response = client_as(employee).post(enroll_url(item), {"source": "widget_manager"})

    enrollment = Enrollment.objects.get(user=employee.user)
    assert response.status_code == 302
    assert response.url.startswith(reverse("enrollment:my_learning"))
    assert enrollment.source == Source.WIDGET_MANAGER
    assert TranscriptEvent.objects.get().source == Source.WIDGET_MANAGER


@pytest.mark.parametrize("tampered", ["admin", "'; drop table", "", "WIDGET_MANAGER"])
def test_a_tampered_source_is_stored_as_direct(client_as, employee, tampered):
    item = ItemFactory()

    client_as(employee).post(enroll_url(item), {"source": tampered})

    assert Enrollment.objects.get().source == Source.DIRECT


def test_double_submit_shows_success_and_keeps_one_enrollment(client_as, employee):
    offering = OfferingFactory()
    client = client_as(employee)

    first = client.post(enroll_url(offering.item, offering), {"source": "catalog"})
    second = client.post(enroll_url(offering.item, offering), {"source": "catalog"})

    assert (first.status_code, second.status_code) == (302, 302)
    assert Enrollment.objects.count() == 1
    assert TranscriptEvent.objects.count() == 1


def test_enrolling_in_a_closed_session_shows_the_reason_and_changes_nothing(client_as, employee):
    offering = OfferingFactory(enrollment_closes_at=timezone.now() - dt.timedelta(hours=1))
    client = client_as(employee)

    page = client.get(enroll_url(offering.item, offering)).content.decode()
    response = client.post(enroll_url(offering.item, offering), {"source": "catalog"})

    assert "Enrollment for this session is closed" in page
    assert response.status_code == 400
    assert services.ENROLLMENT_CLOSED in response.content.decode()
    assert nothing_written()


def test_enrolling_in_a_full_session_without_waitlist_is_refused(client_as, employee):
    offering = OfferingFactory(capacity=1, waitlist_enabled=False)
    enroll(EmployeeFactory().user, offering)

    response = client_as(employee).post(enroll_url(offering.item, offering))

    assert response.status_code == 400
    assert services.OFFERING_FULL in response.content.decode()
    assert not Enrollment.objects.filter(user=employee.user).exists()


def test_invisible_unknown_or_mismatched_items_and_sessions_answer_404(client_as, employee):
    restricted = ItemFactory(
        audiences=[AudienceFactory(departments=[DepartmentFactory(name="Pharmacy")])]
    )
    offering = OfferingFactory()
    other = OfferingFactory()
    client = client_as(employee)

    assert client.get(enroll_url(restricted)).status_code == 404
    assert client.post(enroll_url(restricted)).status_code == 404
    assert client.post("/learning/no-such-item/enroll/").status_code == 404
    assert client.post(enroll_url(offering.item, other)).status_code == 404
    assert client.post(enroll_url(offering.item) + "?session=999999").status_code == 404
    assert client.post(enroll_url(offering.item) + "?session=abc").status_code == 404
    assert nothing_written()


def test_scheduled_item_without_a_session_sends_you_to_choose_one(client_as, employee):
    offering = OfferingFactory()

    response = client_as(employee).get(enroll_url(offering.item))

    assert response.status_code == 302
    assert response.url.startswith(offering.item.get_absolute_url())


def test_enrolling_needs_a_signed_in_person(client):
    item = ItemFactory()

    response = client.post(enroll_url(item))

    assert response.status_code == 302
    assert reverse("account_login") in response.url
    assert nothing_written()


def test_post_without_csrf_token_is_forbidden(employee):
    item = ItemFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)

    assert client.post(enroll_url(item), {"source": "catalog"}).status_code == 403
    enrollment = enroll(employee.user, item=ItemFactory())
    withdraw = reverse("enrollment:withdraw", args=[enrollment.pk])
    assert client.post(withdraw).status_code == 403
    assert Enrollment.objects.get().status == Enrollment.Status.ENROLLED


# --- withdraw, switch, complete -------------------------------------------------------------


def test_withdraw_confirms_then_withdraws(client_as, employee):
    offering = OfferingFactory()
    enrollment = enroll(employee.user, offering)
    client = client_as(employee)
    url = reverse("enrollment:withdraw", args=[enrollment.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert "first person on the waitlist" in page
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_someone_elses_enrollment_answers_404_and_is_untouched(client_as, employee):
    theirs = enroll(EmployeeFactory().user, OfferingFactory())
    client = client_as(employee)

    for name in ("withdraw", "switch", "complete"):
        url = reverse(f"enrollment:{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Enrollment.Status.ENROLLED
    assert TranscriptEvent.objects.count() == 1


def test_switch_moves_to_the_chosen_session(client_as, employee):
    old = OfferingFactory()
    new = OfferingFactory(item=old.item, starts_at=old.starts_at + dt.timedelta(days=7))
    enrollment = enroll(employee.user, old)
    client = client_as(employee)
    url = reverse("enrollment:switch", args=[enrollment.pk])

    assert f'value="{new.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"offering": new.pk})

    assert response.status_code == 302
    assert Enrollment.objects.get(user=employee.user, status="enrolled").offering == new


def test_switch_to_a_full_session_keeps_the_seat_and_says_why(client_as, employee):
    old = OfferingFactory()
    full = OfferingFactory(item=old.item, capacity=1)
    enroll(EmployeeFactory().user, full)
    enrollment = enroll(employee.user, old)

    response = client_as(employee).post(
        reverse("enrollment:switch", args=[enrollment.pk]), {"offering": full.pk}
    )

    assert response.status_code == 400
    assert "your current seat was kept" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_complete_records_the_reflection(client_as, employee):
    enrollment = enroll(employee.user, item=ItemFactory(format=Item.Format.ARTICLE))

    response = client_as(employee).post(
        reverse("enrollment:complete", args=[enrollment.pk]), {"reflection": "Great read"}
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.reflection) == ("completed", "Great read")


# --- My learning ----------------------------------------------------------------------------


def test_my_learning_is_in_the_navigation(client_as, employee):
    html = client_as(employee).get("/").content.decode()

    assert f'href="{reverse("enrollment:my_learning")}"' in html
    assert "My learning" in html


def test_my_learning_has_a_helpful_empty_state(client_as, employee):
    html = client_as(employee).get(reverse("enrollment:my_learning")).content.decode()

    assert "Nothing here yet" in html
    assert "Browse the catalog" in html


def test_my_learning_shows_each_kind_of_place(client_as, employee):
    user = employee.user
    upcoming = OfferingFactory(online_url="https://meet.example.org/join-me")
    full = OfferingFactory(capacity=1)
    enroll(EmployeeFactory().user, full)
    enroll(EmployeeFactory().user, full)
    enroll(user, upcoming)
    enroll(user, full)
    book = enroll(user, item=ItemFactory(title="A good book"))
    services.enrollment_complete(enrollment=book, actor=user, reflection="Loved it")
    enroll(user, item=ItemFactory(title="Self-paced video"))
    services.saved_item_toggle(user=user, item=ItemFactory(title="Saved for later item"))
    scheduled = ItemFactory(title="Waiting for sessions", delivery=Item.Delivery.SCHEDULED)
    services.session_interest_register(user=user, item=scheduled)
    someone_else = EmployeeFactory().user
    enroll(someone_else, item=ItemFactory(title="Not mine"))

    html = client_as(employee).get(reverse("enrollment:my_learning")).content.decode()

    assert "https://meet.example.org/join-me" in html
    assert "2nd on the waitlist" in html
    assert "A good book" in html
    assert "Loved it" in html
    assert "Self-paced video" in html
    assert "Saved for later item" in html
    assert "Waiting for sessions" in html
    assert "Not mine" not in html


def test_saving_asking_viewing_and_browsing_create_no_transcript_event(client_as, employee):
    self_paced = ItemFactory()
    scheduled = OfferingFactory().item
    client = client_as(employee)

    client.get(reverse("catalog:list"))
    client.get(self_paced.get_absolute_url())
    client.get(enroll_url(self_paced))
    client.post(reverse("enrollment:save_toggle", args=[self_paced.slug]))
    client.post(reverse("enrollment:session_interest", args=[scheduled.slug]))
    client.get(reverse("enrollment:my_learning"))
    client.get(reverse("enrollment:transcript"))

    assert SavedItem.objects.filter(user=employee.user).exists()
    assert SessionInterest.objects.filter(user=employee.user).exists()
    assert nothing_written()


def test_save_and_notify_me_need_post_and_go_back_to_the_item(client_as, employee):
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    client = client_as(employee)
    save = reverse("enrollment:save_toggle", args=[item.slug])
    notify = reverse("enrollment:session_interest", args=[item.slug])

    assert client.get(save).status_code == 405
    response = client.post(save, {"next": "https://evil.example.com/"})
    client.post(notify)
    client.post(notify, {"action": "cancel"})

    assert response.url == item.get_absolute_url()
    assert SavedItem.objects.filter(user=employee.user, item=item).exists()
    assert not SessionInterest.objects.filter(user=employee.user).exists()


def test_my_learning_shows_the_end_date_of_a_session_over_several_days(client_as, employee):
    starts_at = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)
    two_days = OfferingFactory(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(days=1, hours=8), timezone="UTC"
    )
    enroll(employee.user, two_days)

    html = client_as(employee).get(reverse("enrollment:my_learning")).content.decode()

    assert "Mon 4 Mar, 09:00 – Tue 5 Mar 2030, 17:00 (2 days)" in html
