"""The one place that decides who may see which catalog item.

Every list, count, facet, search, suggestion and detail page goes through
`visible_items_q(user)`, so a restricted item can never leak through a second code path.
"""

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from .models import Audience, Item


def _criterion(through, fk_name: str, value) -> Q:
    """An audience criterion holds when the audience sets none, or sets the person's value.

    `value` is an id, None (the person has none), or a queryset of ids.
    """
    sets_any = Exists(through.objects.filter(audience_id=OuterRef("pk")))
    if value is None:
        return ~sets_any
    lookup = f"{fk_name}__in" if hasattr(value, "query") else fk_name
    matches = Exists(through.objects.filter(audience_id=OuterRef("pk"), **{lookup: value}))
    return ~sets_any | matches


def audiences_of(user):
    """A queryset of the audiences the person belongs to (evaluated lazily, as a subquery)."""
    if not user.is_authenticated:
        return Audience.objects.none()
    employee = getattr(user, "employee", None)
    department_id = employee.department_id if employee else None
    role_id = employee.role_id if employee else None
    is_manager = bool(employee and employee.is_manager)
    group_subquery = user.groups.through.objects.filter(user_id=user.pk).values("group_id")
    criteria = (
        _criterion(Audience.departments.through, "department_id", department_id)
        & _criterion(Audience.roles.through, "role_id", role_id)
        & _criterion(Audience.groups.through, "group_id", group_subquery)
    )
    if not is_manager:
        criteria &= Q(managers_only=False)
    return Audience.objects.filter(criteria)


# audience_ids_of: the query of audiences_of, compiled once per shape of person (with or
# without a department and a role, manager or not) with stand-in values where the person's go.
_SENTINELS = {"user": -918_273_645, "department": -918_273_646, "role": -918_273_647}
_compiled_audiences: dict[tuple[bool, bool, bool], tuple[str, list]] = {}


def _compiled_audience_query(*, has_department: bool, has_role: bool, is_manager: bool):
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    shape = (has_department, has_role, is_manager)
    compiled = _compiled_audiences.get(shape)
    if compiled is None:
        stand_in = SimpleNamespace(
            is_authenticated=True,
            pk=_SENTINELS["user"],
            groups=SimpleNamespace(through=get_user_model().groups.through),
            employee=SimpleNamespace(
                department_id=_SENTINELS["department"] if has_department else None,
                role_id=_SENTINELS["role"] if has_role else None,
                is_manager=is_manager,
            ),
        )
        query = audiences_of(stand_in).values_list("pk", flat=True).query
        sql, params = query.sql_with_params()
        names = {value: name for name, value in _SENTINELS.items()}
        compiled = (sql, [names.get(param, (None, param)) for param in params])
        _compiled_audiences[shape] = compiled
    return compiled


def audience_ids_sql(user) -> tuple[str, list]:
    """`audiences_of(user)` as SQL and parameters (one column, the audience id), compiled
    once per shape of person: for a caller that answers several small reads in one
    statement (the widget's personal UNION, on every intranet page view)."""
    employee = getattr(user, "employee", None)
    values = {
        "user": user.pk,
        "department": employee.department_id if employee else None,
        "role": employee.role_id if employee else None,
    }
    sql, params = _compiled_audience_query(
        has_department=values["department"] is not None,
        has_role=values["role"] is not None,
        is_manager=bool(employee and employee.is_manager),
    )
    return sql, [values[param] if isinstance(param, str) else param[1] for param in params]


def audience_ids_of(user) -> list[int]:
    """The ids of `audiences_of(user)`: the same query, compiled once per process.

    The catalog page needs them on every request, and building that query of nested
    subqueries cost more than running it (a fifth of the page's time for people seen for the
    first time).
    """
    from django.db import connection

    if not user.is_authenticated:
        return []
    sql, bound = audience_ids_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        return [row[0] for row in cursor.fetchall()]


def restricted_item_visible(*, item_audience_ids, audience_ids) -> bool:
    """`visible_items_q` for one restricted item whose audiences are already known: the
    person sees it when they belong to one of them (`audience_ids`, from `audiences_of`).

    For a reader that holds many items' audiences in memory (the widget's candidate pool)
    and must not run a query per person to check them.
    """
    return not audience_ids.isdisjoint(item_audience_ids)


def restricted_item() -> Exists:
    """An item with an audience: only that audience (and previewing admins) may see it."""
    return Exists(Item.audiences.through.objects.filter(item_id=OuterRef("pk")))


def visible_items_q(user, *, audience_ids: list[int] | None = None) -> Q:
    """Items open to everyone, or restricted to an audience the person belongs to.

    Anonymous visitors see only open items. The check is one SQL expression (no query of its
    own), so it composes into any other query. `audience_ids` is what `audiences_of(user)`
    gave earlier in the same request, when the caller has it: the same rule, read once.
    """
    restricted = restricted_item()
    if not user.is_authenticated:
        return ~restricted
    if audience_ids is None:
        audience_ids = audiences_of(user).values("pk")
    member = Exists(
        Item.audiences.through.objects.filter(item_id=OuterRef("pk"), audience_id__in=audience_ids)
    )
    return ~restricted | member


def published_q(now=None) -> Q:
    """Published, inside its publish window."""
    now = now or timezone.now()
    return (
        Q(is_published=True)
        & (Q(publish_start__isnull=True) | Q(publish_start__lte=now))
        & (Q(publish_end__isnull=True) | Q(publish_end__gt=now))
    )


def can_preview_unpublished(user) -> bool:
    """Learning admins preview items before release and regardless of audience."""
    return user.is_authenticated and user.is_active and user.has_perm("catalog.change_item")


def next_publication_change(*, now):
    """The next moment an item's publish window opens or closes (None if none is set).

    Caches of what is visible (the widget's pool) must not outlive it: the visibility of an
    item changes then with no write to send a signal.
    """
    moments = Item.objects.aggregate(
        opens=Min("publish_start", filter=Q(publish_start__gt=now)),
        closes=Min("publish_end", filter=Q(publish_end__gt=now)),
    )
    return min((m for m in moments.values() if m is not None), default=None)
