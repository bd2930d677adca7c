"""The dashboard and its exports: who may see them, and what they show."""

import pytest
from django.utils import timezone

from tests.insights.factories import at, enroll, hr_user, learning_admin, people, refresh
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/insights/",
    "/insights/?breakdown=role",
    "/insights/charts/breakdown.csv?breakdown=location",
    "/insights/?group=department:nursing",
    "/insights/charts/goal.csv",
    "/insights/charts/active.csv",
    "/insights/charts/enrollments.csv",
    "/insights/charts/funnel.csv",
    "/insights/charts/waitlist.csv",
]


@pytest.fixture
def figures():
    """This year's figures (the dashboard shows the current year): 6 of 20 managers and 11
    of 60 people engaged in January."""
    year = timezone.localdate().year
    managers = people(20, department="Nursing", is_manager=True)
    people(20, department="Nursing")
    estates = people(20, department="Estates", role="Engineer")
    for person in managers[:6] + estates[:5]:
        enroll(person, at(year, 1, 1, 0, 1))
    refresh(timezone.now())
    return managers


@pytest.mark.parametrize("url", URLS)
def test_employees_and_managers_get_403_on_every_insights_url(client, figures, url):
    employee = EmployeeFactory(is_manager=False)
    manager = EmployeeFactory(is_manager=True)
    for person in (employee, manager):
        client.force_login(person.user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_visitors_are_sent_to_sign_in(client, figures, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", URLS)
def test_hr_and_learning_admins_see_every_insights_url(client, figures, url):
    for user in (hr_user(), learning_admin()):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_dashboard_shows_the_goal_against_the_band(client, figures, settings):
    settings.INSIGHTS_TARGET_LOW, settings.INSIGHTS_TARGET_HIGH = 30, 35
    client.force_login(hr_user())
    response = client.get("/insights/")
    html = response.content.decode()
    # 6 of 20 managers engaged, shown rounded to the nearest 5 (core.privacy's rule 2).
    assert 'id="managers-figure">25.0%' in html
    assert "5 of 20 managers" in html
    assert "Target by 31 December: 30–35%" in html
    assert "How this is counted" in html
    # No drill-down: nobody's name or address appears.
    for manager in figures:
        assert manager.user.email not in html
        assert manager.user.last_name not in html or len(manager.user.last_name) < 4


def test_a_count_banded_to_protect_another_department_is_not_exact(client, figures):
    """With Estates at 0 engaged ("fewer than 5"), Nursing's exact count would give Estates
    away (everyone minus Nursing): both become bands."""
    from enrollment.models import Enrollment

    Enrollment.objects.filter(user__employee__department__slug="estates").delete()
    refresh(timezone.now())
    client.force_login(hr_user())
    html = client.get("/insights/", {"group": "department:nursing"}).content.decode()
    assert "between 5 and 35 of 40" in html
    assert "6 of 40" not in html


def test_filter_by_department_shows_its_figures(client, figures):
    client.force_login(hr_user())
    html = client.get("/insights/", {"group": "department:nursing"}).content.decode()
    assert "— Nursing" in html
    assert "5 of 20 managers" in html  # 6, rounded
    assert "5 of 40 people" in html


def test_unknown_or_malformed_group_is_404(client, figures):
    client.force_login(hr_user())
    for group in ("department:nowhere", "nonsense", "all:", "department:"):
        assert client.get("/insights/", {"group": group}).status_code == 404


def test_chart_csv_is_the_chart_data(client, figures):
    client.force_login(hr_user())
    response = client.get("/insights/charts/goal.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Month,Managers engaged,All employees engaged")
    assert lines[1].startswith("Jan,25%,16.7%")  # 6 of 20 and 11 of 60, rounded
    assert client.get("/insights/charts/nope.csv").status_code == 404


def test_no_figures_yet_says_so(client):
    client.force_login(hr_user())
    response = client.get("/insights/")
    assert response.status_code == 200
    assert "No figures yet" in response.content.decode()


def test_dashboard_reads_rollups_in_few_queries(client, figures, django_assert_max_num_queries):
    client.force_login(hr_user())
    with django_assert_max_num_queries(12):
        client.get("/insights/")


def test_breakdown_lists_each_shown_group_with_its_figures(client, figures):
    client.force_login(hr_user())
    response = client.get("/insights/", {"breakdown": "department"})
    chart = response.context["dashboard"].charts["breakdown"]
    assert chart.columns == [
        "Department",
        "People",
        "Engaged",
        "Managers engaged",
        "Active this month",
    ]
    estates, nursing = chart.rows
    assert estates[:3] == ["Estates", "20", "5 of 20"]
    assert estates[3] == "Hidden for privacy"  # Estates has no managers
    assert nursing[:4] == ["Nursing", "40", "5 of 40", "5 of 20"]  # 6s, rounded


def test_breakdown_csv_and_unknown_breakdown_falls_back_to_department(client, figures):
    client.force_login(hr_user())
    response = client.get("/insights/charts/breakdown.csv", {"breakdown": "nonsense"})
    lines = response.content.decode().splitlines()
    assert lines[0] == "Department,People,Engaged,Managers engaged,Active this month"
    assert 'filename="insights-breakdown-' in response["Content-Disposition"]
    assert "-by-department.csv" in response["Content-Disposition"]


def test_kpi_section_says_who_is_counted(client, figures):
    client.force_login(hr_user())
    html = client.get("/insights/").content.decode()
    for heading in (
        "Widget funnel",
        "suggestion to enrollment",
        "Stayed with their circle",
        "Came back for another circle",
        "Waitlist pressure",
        "Theme uptake per release",
    ):
        assert heading in html


def test_organisation_wide_charts_keep_no_group_in_their_csv_name(client, figures):
    client.force_login(hr_user())
    for slug in ("funnel", "waitlist"):
        response = client.get(f"/insights/charts/{slug}.csv", {"group": "department:nursing"})
        assert response.status_code == 200
        assert "nursing" not in response["Content-Disposition"]
    goal = client.get("/insights/charts/goal.csv", {"group": "department:nursing"})
    assert "department-nursing" in goal["Content-Disposition"]
