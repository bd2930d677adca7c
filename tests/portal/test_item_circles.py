"""The item page lists the circles on the item that one can join now (portal composes it)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.circles.factories import make_circle
from tests.people.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def item_page(client, item):
    return client.get(reverse("item_detail", args=[item.slug]))


def test_the_item_page_lists_open_circles_on_it_with_their_cadence_and_seats(client_as, employee):
    book = ItemFactory(title="Purple Cow", format="book")
    make_circle(state="open", subject=book, title="Purple Cow at lunch", seat_cap=8)
    make_circle(subject=book, title="A draft on it")
    make_circle(state="open", title="On another book")

    response = item_page(client_as(employee), book)

    assert [c.title for c in response.context["item_circles"]] == ["Purple Cow at lunch"]
    page = response.content.decode()
    assert "Read it with colleagues" in page
    assert "Tuesdays at 12:30" in page
    assert "8 seats left" in page
    assert "A draft on it" not in page


def test_circles_outside_the_audience_or_closed_for_sign_up_are_not_listed(client_as, employee):
    book = ItemFactory(format="book")
    make_circle(state="open", subject=book, title="Open to all")
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    make_circle(state="open", subject=book, title="Finance only", audiences=[finance])
    first_meeting = book.circles_on.get(title="Open to all").offering.starts_at

    listed = item_page(client_as(employee), book).context["item_circles"]
    with time_machine.travel(first_meeting + dt.timedelta(minutes=1)):
        closed = item_page(client_as(employee), book).context["item_circles"]

    assert [c.title for c in listed] == ["Open to all"]
    assert closed == []  # sign-up closes at the first meeting
