"""The HR feed import as a learning admin uses it, in real Chromium."""

import pytest
from django.contrib.auth.models import Permission

from people.models import Employee, User
from tests.people.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_the_hr_feed_previews_it_then_imports_it(browser_login, tmp_path):
    admin_user = UserFactory(email="hr-admin@example.org", is_staff=True)
    admin_user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="people",
            codename__in=["view_employee", "add_employee", "change_employee"],
        )
    )
    feed = tmp_path / "hr-feed.csv"
    feed.write_text(
        "Employee ID,Email,First name,Last name,Department,Manager employee ID\n"
        "E1,ann@example.org,Ann,Archer,Nursing,\n"
        "E2,bob@example.org,Bob,Baker,Nursing,E1\n"
        "E3,cy@example.org,Cy,Cole,Pharmacy,E99\n"
        "E4,not-an-email,Dee,Dunn,Pharmacy,\n",
        encoding="utf-8",
    )
    page = browser_login(admin_user)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto("/admin/people/employee/")
    page.get_by_role("link", name="Import HR feed").click()
    page.get_by_label("HR feed (CSV)").set_input_files(str(feed))
    assert page.get_by_role("checkbox", name="Dry run").is_checked()
    page.get_by_role("button", name="Import").click()

    summary = page.get_by_role("status")
    assert summary.inner_text() == (
        "Dry run, nothing saved: 4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected."
    )
    assert not Employee.objects.exists()

    page.get_by_label("HR feed (CSV)").set_input_files(str(feed))
    page.get_by_role("checkbox", name="Dry run").uncheck()
    page.get_by_role("button", name="Import").click()

    assert page.get_by_role("status").inner_text() == (
        "4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected."
    )
    rejected = page.get_by_role("table", name="Rejected rows (not imported)")
    assert "email 'not-an-email' is not a valid email address" in rejected.inner_text()
    links = page.get_by_role("table", name="Manager links not applied (the people were imported)")
    assert "manager E99 not found" in links.inner_text()
    assert sorted(Employee.objects.values_list("employee_id", flat=True)) == ["E1", "E2", "E3"]
    assert not User.objects.get(email="bob@example.org").has_usable_password()
    assert errors == []
