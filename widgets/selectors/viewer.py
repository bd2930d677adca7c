"""Who the widget is for, and which variant they get."""

import functools
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from catalog.models import Topic
from enrollment.selectors import engaged_item_ids_sql
from people.models import Department, Employee

from ..models import Dismissal, Interest, TeamSuggestion, Variant


@dataclass
class Viewer:
    """Who the widget is for. Built from an already-loaded user (with employee)."""

    user_id: int | None = None
    employee_pk: int | None = None
    department_id: int | None = None
    department_name: str = ""
    role_id: int | None = None
    is_manager: bool = False
    group_ids: tuple[int, ...] = ()
    interest_ids: frozenset[int] = frozenset()
    excluded_item_ids: frozenset[int] = frozenset()
    manager_suggested_ids: frozenset[int] = frozenset()
    # The language they prefer to learn in (people.User.learning_language); empty for a
    # visitor, who is offered the organisation's.
    language: str = ""
    user: object = field(default=None, repr=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


@functools.cache
def _personal_sql() -> str:
    """The personal UNION as one static statement, assembled once per process.

    It runs on every widget view, where compiling five ORM querysets cost more than the
    query itself, so it is built from the models' tables and reused with parameters. What
    the person is engaged with is the enrollment app's read (`engaged_item_ids_sql`).
    """
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    engaged, _ = engaged_item_ids_sql(user_id=0)
    return " UNION ALL ".join(
        [
            f"SELECT item_id, 'x', NULL FROM ({engaged}) AS engaged",
            f"SELECT item_id, 'x', NULL FROM {table(Dismissal)} WHERE user_id = %s",
            f"SELECT group_id, 'g', NULL FROM {table(get_user_model().groups.through)} "
            "WHERE user_id = %s",
            f"SELECT topic_id, 'i', NULL FROM {table(Interest)} WHERE employee_id = %s",
            f"SELECT item_id, 's', NULL FROM {table(TeamSuggestion)} "
            "WHERE manager_id = %s AND expires_at > %s",
            # The department's name ("Popular in …"): the user was loaded with the profile
            # only, and fetching the department on its own was a third query.
            f"SELECT id, 'd', name FROM {table(Department)} WHERE id = %s",
        ]
    )


def viewer_for(*, user, now: datetime | None = None) -> Viewer:
    """Everything personal the rules need, in one query (a UNION of small indexed reads):
    what the person enrolled in, completed or dismissed, their groups and interests, and
    what their manager suggested."""
    if user is None or not user.is_authenticated:
        return Viewer()
    now = now or timezone.now()
    employee = getattr(user, "employee", None)
    _, engaged_params = engaged_item_ids_sql(user_id=user.pk)
    params = [
        *engaged_params,
        user.pk,
        user.pk,
        employee.pk if employee else None,
        employee.manager_id if employee else None,
        now,
        employee.department_id if employee else None,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_personal_sql(), params)
        rows = cursor.fetchall()
    excluded, groups, interests, suggested = set(), set(), set(), set()
    buckets = {"x": excluded, "g": groups, "i": interests, "s": suggested}
    department_name = ""
    for value, kind, name in rows:
        if kind == "d":
            department_name = name
        else:
            buckets[kind].add(value)
    return Viewer(
        user_id=user.pk,
        employee_pk=employee.pk if employee else None,
        department_id=employee.department_id if employee else None,
        department_name=department_name,
        role_id=employee.role_id if employee else None,
        is_manager=bool(employee and employee.is_manager),
        group_ids=tuple(sorted(groups)),
        interest_ids=frozenset(interests),
        excluded_item_ids=frozenset(excluded),
        manager_suggested_ids=frozenset(suggested - excluded),
        language=user.learning_language,
        user=user,
    )


def variant_for(*, viewer: Viewer, requested: str | None) -> str:
    """The variant a viewer gets: the manager variant only for people with the manager flag."""
    if viewer.is_anonymous:
        return Variant.GENERIC
    if requested == Variant.EMPLOYEE:
        return Variant.EMPLOYEE
    if viewer.is_manager and requested in (None, "", Variant.MANAGER):
        return Variant.MANAGER
    return Variant.EMPLOYEE


def interest_topic_list(*, employee: Employee):
    """The topics a person chose as their interests, by name."""
    return Topic.objects.filter(
        pk__in=Interest.objects.filter(employee=employee).values("topic_id")
    ).order_by("name")
