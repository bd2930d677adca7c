"""Admin roles cannot escalate: least-privilege groups, and only superusers touch access.

Reproduces issue 10 item 1 (a learning admin made themselves superuser and set the superuser's
password) and item 10 (changes to access are logged and shown to superusers only).
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from people.models import AccessChange, User
from people.roles import HR_INSIGHTS, LEARNING_ADMIN, ROLES, SUPPORT, role_group
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

ESCALATING = {
    "people.change_user",
    "people.add_user",
    "people.delete_user",
    "auth.add_group",
    "auth.change_group",
    "auth.delete_group",
    "auth.change_permission",
}


def perms_of(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def staff_in(role, **kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(role_group(role))
    return user


@pytest.fixture
def superuser():
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


def change_form_data(user: User, **overrides) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on" if user.is_active else "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# -- the roles ---------------------------------------------------------------------------------


def test_migrate_creates_every_role_as_a_group():
    assert {role.name for role in ROLES} <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_no_role_can_edit_accounts_groups_or_permissions_except_support(role):
    granted = perms_of(role_group(role))
    allowed = {"people.change_user"} if role is SUPPORT else set()

    assert granted & ESCALATING == allowed


def test_learning_admin_curates_the_catalog_themes_enrollments_and_placements():
    granted = perms_of(role_group(LEARNING_ADMIN))

    assert {
        "catalog.change_item",
        "catalog.add_offering",
        "themes.change_theme",
        "enrollment.change_enrollment",
        "widgets.change_placement",
        "people.change_employee",
    } <= granted
    assert "enrollment.change_transcriptevent" not in granted


def test_hr_insights_reads_aggregates_only():
    granted = perms_of(role_group(HR_INSIGHTS))

    assert granted
    assert all(perm.split(".")[1].startswith("view_") for perm in granted)
    assert "people.view_employee" not in granted
    assert "enrollment.view_enrollment" not in granted
    assert "enrollment.view_transcriptevent" not in granted


# -- the user admin ----------------------------------------------------------------------------


def test_learning_admin_cannot_open_or_change_accounts(client_as, superuser):
    admin_user = staff_in(LEARNING_ADMIN)
    client = client_as(admin_user)

    url = reverse("admin:people_user_change", args=[admin_user.pk])
    response = client.post(url, change_form_data(admin_user, is_superuser="on", is_staff="on"))

    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    response = client.post(password_url, {"password1": "Pwned!2026x", "password2": "Pwned!2026x"})
    assert response.status_code in (403, 404)
    superuser.refresh_from_db()
    assert superuser.check_password("learn-test")


def test_support_cannot_tick_superuser_staff_groups_or_permissions(client_as):
    support = staff_in(SUPPORT)
    group = role_group(LEARNING_ADMIN)
    permission = Permission.objects.get(codename="change_user")
    url = reverse("admin:people_user_change", args=[support.pk])

    client_as(support).post(
        url,
        change_form_data(
            support,
            is_superuser="on",
            is_staff="on",
            groups=[group.pk, role_group(SUPPORT).pk],
            user_permissions=[permission.pk],
        ),
    )

    support.refresh_from_db()
    assert not support.is_superuser
    assert set(support.groups.all()) == {role_group(SUPPORT)}
    assert not support.user_permissions.exists()


def test_support_cannot_change_a_staff_account_or_its_password(client_as, superuser):
    support = staff_in(SUPPORT)
    client = client_as(support)

    response = client.post(
        reverse("admin:people_user_change", args=[superuser.pk]),
        change_form_data(superuser, email="attacker@example.org"),
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": "Pwned!2026x", "password2": "Pwned!2026x"},
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email == "root@example.org"
    assert superuser.check_password("learn-test")


def test_support_helps_an_employee_with_their_account(client_as):
    support = staff_in(SUPPORT)
    person = EmployeeFactory(user__email="nurse@example.org").user
    client = client_as(support)

    response = client.post(
        reverse("admin:people_user_change", args=[person.pk]),
        change_form_data(person, first_name="Nia"),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "Fresh-start-2026", "password2": "Fresh-start-2026"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Nia"
    assert person.check_password("Fresh-start-2026")


def test_superuser_still_manages_access(client_as, superuser):
    person = UserFactory()
    group = role_group(LEARNING_ADMIN)

    response = client_as(superuser).post(
        reverse("admin:people_user_change", args=[person.pk]),
        change_form_data(person, is_staff="on", groups=[group.pk]),
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    assert list(person.groups.all()) == [group]


def test_only_superusers_edit_groups_even_with_group_permissions(client_as, superuser):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    group = role_group(SUPPORT)
    client = client_as(staff)

    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 403
    assert "people.delete_user" not in perms_of(group)
    assert client_as(superuser).get(reverse("admin:auth_group_changelist")).status_code == 200


def test_employee_account_link_is_fixed_for_non_superusers(client_as, superuser):
    admin_user = staff_in(LEARNING_ADMIN)
    employee = EmployeeFactory()
    client = client_as(admin_user)

    response = client.get(reverse("admin:people_employee_change", args=[employee.pk]))

    assert response.status_code == 200
    assert 'name="user"' not in response.content.decode()


# -- the access log (item 10) ------------------------------------------------------------------


def test_access_changes_are_logged_with_who_what_and_when(client_as, superuser):
    person = UserFactory(email="new-admin@example.org")
    group = role_group(LEARNING_ADMIN)

    client_as(superuser).post(
        reverse("admin:people_user_change", args=[person.pk]),
        change_form_data(person, is_staff="on", groups=[group.pk]),
    )

    changes = {(c.actor, c.target, c.change) for c in AccessChange.objects.all()}
    assert (superuser, "new-admin@example.org", "is_staff: False → True") in changes
    assert (superuser, "new-admin@example.org", f"groups: + {group.name}") in changes
    assert all(c.at is not None for c in AccessChange.objects.all())


def test_group_permission_changes_are_logged(client_as, superuser):
    group = role_group(SUPPORT)
    permission = Permission.objects.get(codename="delete_user")

    client_as(superuser).post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [*group.permissions.values_list("pk", flat=True),
                                             permission.pk]},
    )  # fmt: skip

    change = AccessChange.objects.get(kind=AccessChange.Kind.GROUP)
    assert change.actor == superuser
    assert change.target == group.name
    assert change.change == "permissions: + people.delete_user"


def test_access_log_is_visible_to_superusers_only(client_as, superuser):
    AccessChange.objects.create(
        actor=superuser, kind=AccessChange.Kind.USER, target="x@example.org", change="is_staff"
    )
    url = reverse("admin:people_accesschange_changelist")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_accesschange"))

    assert client_as(staff).get(url).status_code == 403
    response = client_as(superuser).get(url)
    assert response.status_code == 200
    assert "x@example.org" in response.content.decode()
