from django.db import transaction

from .models import Employee


@transaction.atomic
def employee_set_interests(*, employee: Employee, topics) -> None:
    """Replace the person's interests. Interests steer suggestions and nothing else."""
    employee.interests.set(topics)
