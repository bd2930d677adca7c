"""How many SQL queries a widget view costs: the widget is on every intranet page view.

A person's first view (nothing of theirs cached yet; the shared caches built by colleagues'
views) and a warm view (their fragment cached) each run at most 2 queries.
"""

import pytest
from django.contrib.auth.models import Group

from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory, RoleFactory
from tests.widgets.factories import PlacementFactory
from tests.widgets.helpers import WIDGET, mint, token_get
from widgets.models import Dismissal
from widgets.tasks import prewarm_team_topics

pytestmark = pytest.mark.django_db


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


def test_first_view_of_a_new_audience_segment_runs_at_most_two_queries(
    client, client_as, catalog_mix, django_assert_max_num_queries
):
    # Nobody of this role and group has viewed the widget: which restricted
    # items they may see follows from their audiences, read with the rest of their record.
    pharmacy = DepartmentFactory(name="Pharmacy")
    wardens = Group.objects.create(name="Fire wardens")
    ItemFactory(
        title="Medicines reconciliation deep dive",
        popularity=99,
        audiences=[AudienceFactory(departments=[pharmacy])],
    )
    ItemFactory(
        title="Evacuation drill for wardens",
        popularity=98,
        audiences=[AudienceFactory(groups=[wardens])],
    )
    # The shared caches (pool, department), from a colleague of another role, in no group.
    client_as(EmployeeFactory(department=pharmacy)).get(WIDGET)
    client.logout()
    person = EmployeeFactory(department=pharmacy, role=RoleFactory(name="Pharmacist"))
    person.user.groups.add(wardens)
    # Room for both whatever the day's rotation: what is open to everyone is dismissed.
    for key in ("course", "video", "book", "podcast"):
        Dismissal.objects.create(user=person.user, item=catalog_mix[key])
    client_as(person)
    with django_assert_max_num_queries(2):
        body = client.get(WIDGET).content.decode()
    assert "Medicines reconciliation deep dive" in body
    assert "Evacuation drill for wardens" in body


def test_first_view_with_a_token_runs_at_most_two_queries(
    client, catalog_mix, django_assert_max_num_queries
):
    department = DepartmentFactory(name="Pharmacy")
    colleague, person = EmployeeFactory.create_batch(2, department=department)
    placement = PlacementFactory()
    token_get(client, mint(placement, colleague))
    client.cookies.clear()
    with django_assert_max_num_queries(2):
        response = token_get(client, mint(placement, person))
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


@pytest.mark.parametrize("is_manager", [False, True])
def test_warm_widget_request_runs_at_most_two_queries(
    client_as, catalog_mix, make_team, django_assert_max_num_queries, is_manager
):
    if is_manager:
        person, _ = make_team(5)
    else:
        person = EmployeeFactory()
    client = client_as(person)
    client.get(WIDGET)  # warms the shared caches
    with django_assert_max_num_queries(2):
        response = client.get(WIDGET)
    assert response.status_code == 200
    assert response.content.decode().count("lpw-card") >= 3


def test_warm_token_widget_request_runs_at_most_two_queries(
    client, catalog_mix, django_assert_max_num_queries
):
    placement = PlacementFactory()
    token = mint(placement, EmployeeFactory())
    token_get(client, token)
    with django_assert_max_num_queries(2):
        response = token_get(client, token)
    assert 'data-variant="employee"' in response.content.decode()


def test_warm_request_is_served_from_the_persons_fragment_without_sql(
    client_as, client, catalog_mix, django_assert_num_queries
):
    placement = PlacementFactory()
    person = EmployeeFactory()
    session_client = client_as(person)
    session_client.get(WIDGET)
    token = mint(placement, EmployeeFactory())
    token_get(client, token)

    with django_assert_num_queries(0):
        session_body = session_client.get(WIDGET).content.decode()
        token_body = token_get(client, token).content.decode()

    assert 'data-variant="employee"' in session_body
    assert 'data-variant="employee"' in token_body


def test_a_managers_team_not_prewarmed_yet_has_every_team_prewarmed_for_the_next_manager(
    client, client_as, catalog_mix, make_team, django_assert_max_num_queries
):
    # The worker just started (or the day just turned): beat's next run is up to 20 minutes
    # away, so the first manager to miss asks the worker for every team at once.
    colleague, _ = make_team(5)
    first, _ = make_team(6, department=colleague.department)
    second, _ = make_team(6, department=colleague.department)
    client_as(colleague).get(WIDGET)  # the shared caches: pool, department
    client.logout()
    client_as(first).get(WIDGET)  # computes its own team, asks for the rest (eager here)
    client.logout()
    client_as(second)
    with django_assert_max_num_queries(2):
        response = client.get(WIDGET)
    assert 'data-variant="manager"' in response.content.decode()
