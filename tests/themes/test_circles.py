"""A theme can feature learning circles: chosen in the admin, shown on the theme page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from circles import services
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.circles.factories import make_circle
from tests.people.factories import DepartmentFactory
from tests.themes.factories import ThemeFactory, first_of_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme():
    return ThemeFactory(title="Remarkable care", month=first_of_month(), released=True)


def test_a_learning_admin_adds_circles_to_a_theme_in_the_admin(client, admin_user, theme):
    circle = make_circle(state="open", subject=ItemFactory(title="Purple Cow", format="book"))
    client.force_login(admin_user)
    change_url = reverse("admin:themes_theme_change", args=[theme.pk])

    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "themes",
            "model_name": "theme",
            "field_name": "featured_circles",
            "term": "purple",
        },
    ).json()
    response = client.post(
        change_url,
        {
            "title": theme.title,
            "slug": theme.slug,
            "month": theme.month.isoformat(),
            "introduction": theme.introduction,
            "image_alt": "",
            "featured_circles": [circle.pk],
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0",
            "entries-MAX_NUM_FORMS": "1000",
        },
    )

    assert [row["id"] for row in found["results"]] == [str(circle.pk)]
    assert response.status_code == 302, response.content
    assert list(theme.featured_circles.all()) == [circle]


def test_the_theme_page_shows_featured_circles_with_their_start_and_a_join_link(
    client_as, employee, theme
):
    circle = make_circle(state="open", title="Purple Cow at lunch", seat_cap=8)
    draft = make_circle(title="Still a draft")
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    elsewhere = make_circle(state="open", title="Finance only", audiences=[finance])
    theme.featured_circles.add(circle, draft, elsewhere)

    page = client_as(employee).get(theme.get_absolute_url()).content.decode()

    assert "Learning circles" in page
    assert "Purple Cow at lunch" in page
    local_start = circle.offering.starts_at.astimezone(circle.tzinfo)
    assert f'Starts <time datetime="{circle.offering.starts_at.isoformat()}">' in page
    assert local_start.strftime("%A %-d %B, %H:%M") in page
    assert f'href="{circle.get_absolute_url()}#join-heading"' in page
    assert "8 seats left" in page
    assert "Still a draft" not in page
    assert "Finance only" not in page


def test_a_running_circle_shows_its_next_meeting_and_closed_sign_up(client_as, employee, theme):
    circle = make_circle(state="open", title="Purple Cow at lunch")
    theme.featured_circles.add(circle)
    second = circle.meetings.get(week=2)

    with time_machine.travel(circle.offering.starts_at + dt.timedelta(hours=2)):
        services.circle_states_advance()
        page = client_as(employee).get(theme.get_absolute_url()).content.decode()

    assert "Running · next meeting" in page
    assert second.starts_at.astimezone(circle.tzinfo).strftime("%A %-d %B, %H:%M") in page
    assert "Sign-up is closed." in page
