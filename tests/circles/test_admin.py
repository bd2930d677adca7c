import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from circles import services
from circles.models import Circle
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin():
    user = EmployeeFactory().user
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="circles"),
    )
    return user


def test_the_admin_lists_circles_and_approves_submitted_ones(client_as, staff_admin, settings):
    settings.CIRCLES_REQUIRE_APPROVAL = True
    circle = make_circle(title="Awaiting")
    services.circle_submit(circle=circle, actor=circle.proposed_by)
    client = client_as(staff_admin)

    changelist = client.get(reverse("admin:circles_circle_changelist"))
    assert b"Awaiting" in changelist.content
    assert client.get(reverse("admin:circles_circle_change", args=[circle.pk])).status_code == 200
    client.post(
        reverse("admin:circles_circle_changelist"),
        {"action": "approve", "_selected_action": [circle.pk]},
    )

    circle.refresh_from_db()
    assert circle.state == Circle.State.OPEN
    assert circle.approved_by == staff_admin


def test_circles_are_not_added_in_the_admin(client_as, staff_admin):
    response = client_as(staff_admin).get(reverse("admin:circles_circle_add"))

    assert response.status_code == 403
