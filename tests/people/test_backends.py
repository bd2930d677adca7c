"""The per-request user lookup (people.backends): one query, the profile with it."""

import pytest
from django.contrib.auth import get_user_model

from people.backends import AuthenticationBackend
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _values(instance):
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


@pytest.mark.parametrize("with_profile", [True, False])
def test_get_user_is_the_user_with_their_profile_in_one_query(
    django_assert_num_queries, with_profile
):
    user = EmployeeFactory(is_manager=True).user if with_profile else UserFactory()
    expected = get_user_model().objects.select_related("employee").get(pk=user.pk)

    with django_assert_num_queries(1):
        loaded = AuthenticationBackend().get_user(str(user.pk))
        employee = getattr(loaded, "employee", None)
        if employee is not None:
            assert employee.user is loaded

    assert _values(loaded) == _values(expected)
    assert loaded.get_session_auth_hash() == expected.get_session_auth_hash()
    if with_profile:
        assert _values(employee) == _values(expected.employee)
    else:
        assert employee is None


def test_get_user_refuses_unknown_and_inactive_accounts():
    inactive = UserFactory(is_active=False)
    backend = AuthenticationBackend()

    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None


def test_a_signed_in_page_still_knows_the_person_after_their_profile_changes(client_as, client):
    employee = EmployeeFactory(is_manager=False)
    client_as(employee)
    employee.is_manager = True
    employee.save()

    request_user = client.get("/").wsgi_request.user

    assert request_user.pk == employee.user.pk
    assert request_user.employee.is_manager
