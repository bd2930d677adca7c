"""Shared helpers of the people tests: HR feeds to import."""

from people.models import Employee
from people.services import people_import
from tests.people.factories import EmployeeFactory

HEADER = (
    "employee_id,email,first_name,last_name,department,role,job_title,is_manager,"
    "manager_employee_id"
)


def feed(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(data: bytes, **options):
    return people_import(file=data, **options)


def snapshot():
    return sorted(
        Employee.objects.values_list(
            "employee_id",
            "user__email",
            "user__first_name",
            "user__is_active",
            "department__name",
            "job_title",
            "is_manager",
            "manager__employee_id",
        )
    )


def staff_of(count: int) -> list[Employee]:
    return [
        EmployeeFactory(employee_id=f"S{n}", user__email=f"s{n}@example.org") for n in range(count)
    ]


def rows_for(employees: list[Employee]) -> list[str]:
    return [f"{e.employee_id},{e.user.email},{e.user.first_name},X,,,,," for e in employees]
