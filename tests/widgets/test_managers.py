"""Managers (issue 14, item 7): their team page in the menu, the state of "Suggest to my
team" on the item page, and a proper page for anyone else."""

import pytest
from django.urls import reverse

from tests.people.factories import EmployeeFactory
from widgets.models import TeamSuggestion

pytestmark = pytest.mark.django_db

TEAM_URL = reverse("widgets:team")


def test_the_menu_offers_my_team_to_people_leaders_only(client_as, catalog_mix, make_team):
    manager, _ = make_team(2)
    lonely_manager = EmployeeFactory(is_manager=True)  # the HR flag, but nobody reports

    leader_page = client_as(manager).get(reverse("home")).content.decode()
    assert f'href="{TEAM_URL}"' in leader_page
    assert ">My team</a>" in leader_page
    for person in (EmployeeFactory(), lonely_manager):
        assert "My team" not in client_as(person).get(reverse("home")).content.decode()


def test_item_page_shows_a_suggestion_until_when_and_withdraws_it_there(
    client_as, catalog_mix, make_team
):
    manager, _ = make_team(2)
    client = client_as(manager)
    item = catalog_mix["book"]
    client.post(reverse("widgets:suggest", args=[item.pk]), {"from": "portal"})
    suggestion = TeamSuggestion.objects.get(manager=manager, item=item)

    page = client.get(item.get_absolute_url()).content.decode()
    until = suggestion.expires_at.strftime("%-d %b %Y")
    assert f"<strong>Suggested to your team</strong> until {until}." in page
    assert "Withdraw the suggestion" in page
    assert ">Suggest to my team</button>" not in page

    response = client.post(
        TEAM_URL, {"suggestion": suggestion.pk, "next": item.get_absolute_url()}, follow=True
    )

    assert response.redirect_chain[-1][0] == item.get_absolute_url()
    page = response.content.decode()
    assert "The suggestion was withdrawn" in page
    assert ">Suggest to my team</button>" in page


def test_withdrawing_never_redirects_to_another_site(client_as, catalog_mix, make_team):
    manager, _ = make_team(2)
    response = client_as(manager).post(
        TEAM_URL, {"suggestion": "1", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == TEAM_URL


def test_an_employee_on_the_team_page_gets_the_portals_not_found_page_even_in_debug(
    client_as, settings
):
    settings.DEBUG = True

    response = client_as(EmployeeFactory()).get(TEAM_URL)

    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "DEBUG = True" not in page
