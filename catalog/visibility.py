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
