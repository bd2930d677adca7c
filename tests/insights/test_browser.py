"""An HR person follows the goal on the dashboard as managers enroll."""

import pytest
from django.utils import timezone

from enrollment.models import Source
from enrollment.services import enrollment_create
from insights.tasks import refresh_rollups
from tests.catalog.factories import ItemFactory
from tests.insights.factories import at, enroll, hr_user, people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hr_sees_the_managers_figure_move_after_a_manager_enrolls_and_filters_by_department(
    browser_login,
):
    year = timezone.localdate().year
    nursing_managers = people(20, department="Nursing", is_manager=True)
    people(20, department="Nursing")
    estates = people(20, department="Estates", role="Engineer")
    for person in nursing_managers[:5] + estates[:6]:
        enroll(person, at(year, 1, 1, 0, 1))
    refresh_rollups()
    hr = hr_user()

    page = browser_login(hr)
    page.goto("/insights/")
    figure = page.locator("#managers-figure")
    assert figure.inner_text() == "25.0%"
    assert page.get_by_text("5 of 20 managers").is_visible()
    assert page.get_by_role("img", name="Managers engaged in elective learning").is_visible()

    # Three managers enroll in an elective course; the hourly rollup runs. (One would not
    # move the figure: people counts are shown rounded to the nearest 5, 6 reads as 5.)
    course = ItemFactory(title="Leading through change")
    for manager in nursing_managers[7:10]:
        enrollment_create(user=manager.user, item=course, source=Source.CATALOG)
    page.reload()
    assert figure.inner_text() == "25.0%"  # the dashboard reads the rollups, not raw rows
    refresh_rollups()
    page.reload()
    assert page.locator("#managers-figure").inner_text() == "50.0%"
    assert page.get_by_text("10 of 20 managers").is_visible()

    # Filter by department: Nursing's own figures, and the page says whose they are.
    page.get_by_label("Show figures for").select_option(label="Nursing")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**group=department%3Anursing**")
    assert "group=department%3Anursing" in page.url
    assert page.get_by_role(
        "heading", name="managers engaged in elective learning — Nursing"
    ).is_visible()
    assert page.locator("#managers-figure").inner_text() == "50.0%"
    assert page.get_by_text("10 of 40 people").is_visible()  # 8, rounded

    # The chart's data downloads as CSV.
    with page.expect_download() as download:
        page.locator("#chart-goal").get_by_role("link", name="Download the data (CSV)").click()
    assert download.value.suggested_filename == f"insights-goal-{year}-department-nursing.csv"

    # The breakdown by role: one row per role shown, no names anywhere.
    page.get_by_label("Break down by").select_option(label="Role")
    page.get_by_role("button", name="Break down").click()
    page.wait_for_url("**breakdown=role**")
    table = page.locator("#chart-breakdown table")
    assert table.get_by_role("rowheader", name="Engineer").is_visible()
    assert table.get_by_role("rowheader", name="Registered Nurse").is_visible()
    assert nursing_managers[0].user.email not in page.content()

    # On to topic demand (demand's page), whose CSV goes to budget planning.
    page.get_by_role("navigation", name="Insights").get_by_role("link", name="Topic demand").click()
    page.wait_for_url("**/insights/demand/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("topic-demand-90d-")
