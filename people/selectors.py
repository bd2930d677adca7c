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


def employee_team(*, manager: Employee | int):
    """A manager's team: their direct reports whose accounts are active."""
    return Employee.objects.filter(manager=manager, user__is_active=True)


def employee_leads_team(*, employee: Employee | None, min_size: int = 1) -> bool:
    """Whether the person is a people leader (HR's manager flag) with an active team of at
    least `min_size` (MIN_GROUP_SIZE where the team is shown as a group)."""
    if employee is None or not employee.is_manager:
        return False
    team = employee_team(manager=employee)
    if min_size <= 1:
        return team.exists()
    return team.count() >= min_size
