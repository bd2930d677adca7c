"""The item page lists the circles on the item that one can join now (portal composes it)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_an_item_with_no_circle_on_it_asks_one_small_question_only(client_as, employee):
    """Nearly every item has no circle: the page asks whether one exists and stops there,
    rather than building the audience-checked circle list (half of the page's CPU)."""
    client = client_as(employee)
    lone = ItemFactory(title="No circle here")
    make_circle(state="open", title="On another book")
    item_page(client, lone)  # warm: the session and per-process caches

    with CaptureQueriesContext(connection) as queries:
        response = item_page(client, lone)

    assert response.context["item_circles"] == []
    circle_queries = [q["sql"] for q in queries if '"circles_circle"' in q["sql"]]
    assert len(circle_queries) == 1
    assert "EXISTS" in circle_queries[0].upper() or "LIMIT 1" in circle_queries[0].upper()
    assert '"catalog_item"' not in circle_queries[0]
