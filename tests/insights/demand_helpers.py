"""Helpers for the demand tests: people in the roles that see insights or moderate."""

from django.contrib.auth.models import Group

from people.roles import HR_INSIGHTS, LEARNING_ADMIN
from tests.people.factories import EmployeeFactory


def person_in(role) -> object:
    user = EmployeeFactory().user
    group, _ = Group.objects.get_or_create(name=role.name)
    user.groups.add(group)
    return user


def learning_admin():
    return person_in(LEARNING_ADMIN)


def hr_user():
    return person_in(HR_INSIGHTS)
