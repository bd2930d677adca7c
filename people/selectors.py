from allauth.socialaccount.models import SocialAccount
from django.db.models import Count

from .models import Employee


def employee_get_for_user(*, user) -> Employee | None:
    if not user.is_authenticated:
        return None
    return (
        Employee.objects.select_related("department", "role", "manager__user")
        .filter(user=user)
        .first()
    )


def employee_match_for_sso(*, employee_id: str | None, emails: list[str]) -> Employee | None:
    """The imported employee an SSO identity belongs to: by employee ID, else by email.

    An employee ID the identity provider sends decides alone: when it is not imported (yet),
    whoever holds the same email has another ID and is someone else (mailboxes are reused),
    and linking would hand this person their account for good.
    """
    queryset = Employee.objects.select_related("user")
    if employee_id:
        return queryset.filter(employee_id=employee_id).first()
    for email in emails:
        if email:
            employee = queryset.filter(user__email__iexact=email.strip()).first()
            if employee is not None:
                return employee
    return None


def employee_linked_to_other_identity(*, user, provider: str) -> bool:
    """Whether another identity of this provider (issuer) is already linked to the account."""
    return SocialAccount.objects.filter(user=user, provider=provider).exists()


def employee_team(*, manager: Employee | int):
    """A manager's team: their direct reports whose accounts are active."""
    return Employee.objects.filter(manager=manager, user__is_active=True)


def team_sizes() -> dict[int, int]:
    """Manager (employee id) → the size of their team (`employee_team`), for every team."""
    rows = (
        Employee.objects.filter(manager__isnull=False, user__is_active=True)
        .values("manager_id")
        .annotate(size=Count("pk"))
    )
    return {row["manager_id"]: row["size"] for row in rows}


def employee_leads_team(*, employee: Employee | None, min_size: int = 1) -> bool:
    """Whether the person is a people leader (HR's manager flag) with an active team of at
    least `min_size` (MIN_GROUP_SIZE where the team is shown as a group)."""
    if employee is None or not employee.is_manager:
        return False
    team = employee_team(manager=employee)
    if min_size <= 1:
        return team.exists()
    return team.count() >= min_size


def employee_population() -> list[dict]:
    """Everyone with an active account, as the attributes reports group people by.

    One dict per person: `user_id`, `is_manager` (HR's flag as it is now), `department`
    and `role` (slug and name, or None) and `location` (text, may be blank). For
    aggregate reports (insights), which never show a row of it.
    """
    rows = Employee.objects.filter(user__is_active=True).values_list(
        "user_id",
        "is_manager",
        "department__slug",
        "department__name",
        "role__slug",
        "role__name",
        "location",
    )
    return [
        {
            "user_id": user_id,
            "is_manager": is_manager,
            "department": (dept_slug, dept_name) if dept_slug else None,
            "role": (role_slug, role_name) if role_slug else None,
            "location": location.strip(),
        }
        for user_id, is_manager, dept_slug, dept_name, role_slug, role_name, location in rows
    ]
