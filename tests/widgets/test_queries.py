"""How many SQL queries a widget view costs: the widget is on every intranet page view.

A person's first view (nothing of theirs cached yet; the shared caches built by colleagues'
views) and a warm view (their fragment cached) each run at most 2 queries.
"""

import pytest

from tests.people.factories import DepartmentFactory, EmployeeFactory
from tests.widgets.factories import PlacementFactory
from widgets.tasks import prewarm_team_topics
from widgets.tokens import token_mint

pytestmark = pytest.mark.django_db
WIDGET = "/widgets/suggested/"
INTRANET = "https://intranet.example.org"


def token_get(client, placement, employee):
    token = token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee_id,
        ttl=600,
    )
    return client.get(WIDGET, {"token": token}, headers={"Referer": f"{INTRANET}/"})


def test_first_view_of_an_employee_runs_at_most_two_queries(
    client, client_as, catalog_mix, django_assert_max_num_queries
):
    department = DepartmentFactory(name="Pharmacy")
    colleague, person = EmployeeFactory.create_batch(2, department=department)
    client_as(colleague).get(WIDGET)  # the shared caches: pool, segment, department
    client.logout()
    client_as(person)
    with django_assert_max_num_queries(2):
        response = client.get(WIDGET)
    assert response.status_code == 200
    assert response.content.decode().count("lpw-card") >= 3


def test_first_view_with_a_token_runs_at_most_two_queries(
    client, catalog_mix, django_assert_max_num_queries
):
    department = DepartmentFactory(name="Pharmacy")
    colleague, person = EmployeeFactory.create_batch(2, department=department)
    placement = PlacementFactory()
    token_get(client, placement, colleague)
    client.cookies.clear()
    with django_assert_max_num_queries(2):
        response = token_get(client, placement, person)
    assert 'data-variant="employee"' in response.content.decode()


def test_first_view_of_a_manager_runs_at_most_two_queries_once_teams_are_prewarmed(
    client, client_as, catalog_mix, make_team, django_assert_max_num_queries
):
    colleague, _ = make_team(5)
    manager, _ = make_team(6, department=colleague.department)
    client_as(colleague).get(WIDGET)  # the shared caches: pool, segment, department
    client.logout()
    prewarm_team_topics()  # beat, every 20 minutes
    client_as(manager)
    with django_assert_max_num_queries(2):
        response = client.get(WIDGET)
    assert 'data-variant="manager"' in response.content.decode()
