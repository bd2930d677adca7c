"""Takeaway pages: who may see drafts, published ones and HR's themes."""

import pytest

from insights.takeaways import services
from tests.insights.demand_helpers import hr_user, learning_admin
from tests.insights.takeaways_helpers import circle_with_discussion
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_employees_and_managers_get_403_on_hrs_themes(employee, manager, client_as):
    for person in (employee, manager):
        assert client_as(person).get("/insights/takeaways/").status_code == 403
    assert client_as(hr_user()).get("/insights/takeaways/").status_code == 200


def test_drafts_are_for_the_circles_facilitators_only_not_hr_or_learning_admins(client_as):
    circle, facilitator, member = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)
    secret = takeaway.key_phrases[0]
    url = f"/insights/takeaways/review/{circle.slug}/"

    for person in (member, hr_user(), learning_admin(), EmployeeFactory().user):
        assert client_as(person).get(url).status_code == 404
    assert secret in client_as(facilitator).get(url).content.decode()
    assert secret not in client_as(hr_user()).get("/insights/takeaways/").content.decode()
    published_page = f"/insights/takeaways/circles/{circle.slug}/"
    assert secret not in client_as(member).get(published_page).content.decode()


def test_the_facilitator_edits_and_publishes_through_the_page(client_as):
    circle, facilitator, member = circle_with_discussion()
    services.takeaway_propose(circle=circle, week=1)
    client = client_as(facilitator)

    response = client.post(
        f"/insights/takeaways/review/{circle.slug}/weeks/1/",
        {
            "action": "publish",
            "week1-themes": "Discharge is our remarkable moment\n",
            "week1-key_phrases": "- purple cow\n- otaku",
            "week1-summary": "",
            "week1-demand_phrases": "conflict resolution",
        },
    )

    assert response.status_code == 302
    page = client_as(member).get(f"/insights/takeaways/circles/{circle.slug}/").content.decode()
    assert "Discharge is our remarkable moment" in page
    assert "otaku" in page
    hr = client_as(hr_user()).get("/insights/takeaways/").content.decode()
    # HR counts the week, but shows a line only once a second circle published it too.
    assert "1 week from 1 circle" in hr
    assert "purple cow" not in hr


def test_non_members_cannot_read_a_circles_published_takeaways(client_as):
    circle, _, _ = circle_with_discussion()
    url = f"/insights/takeaways/circles/{circle.slug}/"
    assert client_as(EmployeeFactory()).get(url).status_code == 404


def test_the_circle_page_tells_members_once_takeaways_are_on(client_as):
    circle, facilitator, member = circle_with_discussion(enabled=False)
    page = client_as(member).get(circle.get_absolute_url()).content.decode()
    assert "Discussion takeaways are on" not in page

    client_as(facilitator).post(
        f"/insights/takeaways/review/{circle.slug}/consent/", {"enabled": "on"}
    )
    for url in (circle.get_absolute_url(), f"/circles/{circle.slug}/discussion/"):
        assert "Discussion takeaways are on" in client_as(member).get(url).content.decode()


def test_only_facilitators_may_turn_takeaways_on(client_as):
    circle, _, member = circle_with_discussion(enabled=False)
    response = client_as(member).post(
        f"/insights/takeaways/review/{circle.slug}/consent/", {"enabled": "on"}
    )
    assert response.status_code == 404
    circle.refresh_from_db()
    assert circle.takeaways_enabled_at is None


def test_saving_a_published_week_says_it_is_published_and_changes_nothing(client_as):
    circle, facilitator, _ = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)
    services.takeaway_publish(takeaway=takeaway, actor=facilitator)
    themes = takeaway.themes

    response = client_as(facilitator).post(
        f"/insights/takeaways/review/{circle.slug}/weeks/1/",
        {
            "action": "save",
            "week1-themes": "An edit made in a tab opened before publishing",
            "week1-key_phrases": "",
            "week1-summary": "",
            "week1-demand_phrases": "",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert services.ALREADY_PUBLISHED.replace(":", "") in page.replace(":", "")
    assert "saved as a draft" not in page
    takeaway.refresh_from_db()
    assert takeaway.themes == themes


def test_the_circles_pages_link_to_the_takeaways_through_the_site_wide_hooks(client_as):
    circle, facilitator, member = circle_with_discussion()

    page = client_as(member).get(circle.get_absolute_url()).content.decode()
    assert f'href="/insights/takeaways/circles/{circle.slug}/"' in page
    assert "a patient" in page  # the notice says which names are not removed
    manage = client_as(facilitator).get(f"/circles/{circle.slug}/manage/").content.decode()
    assert f'href="/insights/takeaways/review/{circle.slug}/"' in manage
