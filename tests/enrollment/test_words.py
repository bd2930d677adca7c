"""Words that are right (issue 14, item 5): what the pages promise is what happens."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.catalog.factories import ItemFactory, OfferingFactory, TopicFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    return client.get(url, params).content.decode()


def test_self_paced_confirmation_promises_no_seat(client_as, employee):
    item = ItemFactory(title="Handover basics")

    html = page(client_as(employee), reverse("enrollment:enroll", args=[item.slug]))

    assert "Enroll in Handover basics" in html
    assert "seat" not in html.split('id="outcome-heading"')[1].split("</form>")[0]
    assert "start whenever it suits you" in html


def test_a_full_session_is_offered_as_the_waitlist_everywhere(client_as, employee):
    full = OfferingFactory(capacity=1, item__title="Ward rounds")
    enroll(EmployeeFactory().user, full)
    client = client_as(employee)

    item_page = page(client, full.item.get_absolute_url())
    confirm = page(client, reverse("enrollment:enroll", args=[full.item.slug]), session=full.pk)

    assert "Full — join the waitlist" in item_page
    assert "1 seat" not in item_page  # not its capacity
    assert "<title>Join the waitlist: Ward rounds" in confirm
    assert '<h1 id="confirm-heading">Join the waitlist for Ward rounds</h1>' in confirm
    assert "your seat" not in confirm  # a waitlist place is not a seat
    assert "You can leave the waitlist or switch sessions" in confirm

    waiting = enroll(employee.user, full)
    leave = page(client, reverse("enrollment:withdraw", args=[waiting.pk]))
    assert "Leave the waitlist for Ward rounds" in leave


def test_an_online_session_says_online_once(client_as, employee):
    online = OfferingFactory(location="Online", online_url="https://meet.example.org/x")
    both = OfferingFactory(
        item=online.item,
        starts_at=online.starts_at + dt.timedelta(days=1),
        ends_at=online.ends_at + dt.timedelta(days=1),
        location="Room 2",
        online_url="https://meet.example.org/y",
    )

    html = page(client_as(employee), online.item.get_absolute_url())

    choice = html.split(f'id="session-{online.pk}"')[-1].split("</li>")[0]
    assert choice.count("Online") == 1
    assert "Room 2 · Online" in html.split(f'id="session-{both.pk}"')[-1]
    assert online.places == ["Online"]
    assert both.places == ["Room 2", "Online"]


def test_switch_choices_show_date_time_place_and_seats(client_as, employee):
    current = OfferingFactory(capacity=10, location="Room 1")
    other = OfferingFactory(
        item=current.item,
        starts_at=dt.datetime(2031, 12, 9, 14, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 12, 9, 16, 0, tzinfo=dt.UTC),
        location="Lecture theatre",
        capacity=3,
    )
    enrollment = enroll(employee.user, current)

    html = page(client_as(employee), reverse("enrollment:switch", args=[enrollment.pk]))

    assert "Tue 9 Dec 2031, 14:00–16:00 London time · Lecture theatre · 3 seats left" in html, other


def test_filter_chips_name_what_was_chosen(client_as, employee):
    topic = TopicFactory(name="Patient safety", slug="patient-safety")
    ItemFactory(topics=[topic], language="fr")

    html = page(client_as(employee), reverse("catalog:list"), topic="patient-safety", language="fr")

    chips = html.split('aria-label="Active filters"')[1].split("</ul>")[0]
    assert "Topic: Patient safety" in chips
    assert "Language: French" in chips
    assert "patient-safety <" not in chips


def _enroll_post(client, offering):
    url = reverse("enrollment:enroll", args=[offering.item.slug]) + f"?session={offering.pk}"
    return client.post(url, {"source": "catalog"}, follow=True).content.decode()


def test_joining_the_waitlist_says_where_the_person_stands(client_as, employee):
    full = OfferingFactory(capacity=1, waitlist_enabled=True, item__title="Ward rounds")
    for _ in range(3):  # one seated, two waiting
        enroll(EmployeeFactory().user, full)
    client = client_as(employee)

    first = _enroll_post(client, full)
    again = _enroll_post(client, full)  # a double submit: the place already held

    assert "you are 3rd on the waitlist for Ward rounds" in first
    assert "you are 3rd on the waitlist for Ward rounds" in again


def test_the_waitlist_place_announced_is_the_one_held_after_others_leave(client_as, employee):
    from enrollment import services

    full = OfferingFactory(capacity=1, waitlist_enabled=True, item__title="Ward rounds")
    enroll(EmployeeFactory().user, full)
    ahead = enroll(EmployeeFactory().user, full)
    client = client_as(employee)
    _enroll_post(client, full)  # 2nd
    services.enrollment_withdraw(enrollment=ahead, actor=ahead.user)

    again = _enroll_post(client, full)

    assert "you are 1st on the waitlist for Ward rounds" in again
