"""People the circles' tests share."""

from django.contrib.auth.models import Permission

from tests.people.factories import EmployeeFactory


def learning_admin():
    user = EmployeeFactory().user
    user.user_permissions.add(Permission.objects.get(codename="change_circle"))
    return user
