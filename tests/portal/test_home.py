import pytest

from tests.catalog.factories import ItemFactory
from tests.people.factories import EmployeeFactory


@pytest.mark.django_db
def test_home_shows_signed_in_people_their_suggestions_with_reasons(client_as):
    ItemFactory(title="Calm under pressure", popularity=10)
    body = client_as(EmployeeFactory()).get("/").content.decode()

    assert "Suggested for you" in body
    assert "Calm under pressure" in body
    assert "Popular with colleagues" in body or "New this week" in body


@pytest.mark.django_db
def test_home_shows_no_personal_suggestions_to_visitors(client):
    assert "Suggested for you" not in client.get("/").content.decode()
