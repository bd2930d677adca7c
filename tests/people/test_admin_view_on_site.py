import pytest
from django.contrib.admin.sites import site

from people.models import Employee
from tests.people.factories import EmployeeFactory


@pytest.mark.django_db
def test_an_employees_admin_page_offers_no_view_on_site(admin_client):
    employee = EmployeeFactory()

    response = admin_client.get(f"/admin/people/employee/{employee.pk}/change/")

    assert response.status_code == 200
    assert "View on site" not in response.content.decode()
    assert site._registry[Employee].get_view_on_site_url(employee) is None
