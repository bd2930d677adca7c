import contextlib
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from catalog.models import Item
from learning_portal.core.privacy import group_size_floor
from learning_portal.core.record_versions import record_version_bump
from people.models import AccessChange, Department, Employee
from people.selectors import employee_leads_team
from people.services import access_change_record

from . import counters
from .identity import PLACEMENTS_CACHE_KEY, placements_memo_forget
from .models import (
    Dismissal,
    EmbedTokenRejection,
    Interest,
    Placement,
    TeamSuggestion,
    WidgetDailyCount,
    generate_placement_secret,
)

NOT_A_MANAGER = "Only people leaders with direct reports can suggest learning to their team."
NO_DIRECT_REPORTS = "You have no direct reports to suggest this to."
TEAM_SUGGESTION_DAYS = 28


@transaction.atomic
def interests_set(*, employee: Employee, topics) -> None:
    """Replace the person's interests with `topics`: they steer suggestions and nothing else."""
    wanted = {topic.pk for topic in topics}
    Interest.objects.filter(employee=employee).exclude(topic_id__in=wanted).delete()
    kept = set(Interest.objects.filter(employee=employee).values_list("topic_id", flat=True))
    Interest.objects.bulk_create(
        [Interest(employee=employee, topic_id=topic_id) for topic_id in sorted(wanted - kept)]
    )


@transaction.atomic
def dismissal_create(*, user, item: Item) -> Dismissal:
    """'Not interested': stop suggesting the item to this person. Idempotent; no transcript."""
    dismissal, created = Dismissal.objects.get_or_create(user=user, item=item)
    if created:
        record_version_bump(user_id=user.pk)
    return dismissal


@transaction.atomic
def team_suggestion_create(*, manager: Employee, item: Item, now=None) -> TeamSuggestion:
    """Suggest an item to the manager's direct reports for TEAM_SUGGESTION_DAYS.

    Suggesting again (also after withdrawing) renews the period but keeps the first
    suggestion's date: uptake is counted from then, so a manager cannot restart the count
    and watch one person's enrollment arrive. Nobody is enrolled and no transcript is
    written; each report sees the item in their widget only if they may see it themselves.
    Raises ValidationError when the person has no manager flag or no direct reports.
    """
    if not manager.is_manager:
        raise ValidationError(NOT_A_MANAGER)
    if not employee_leads_team(employee=manager):
        raise ValidationError(NO_DIRECT_REPORTS)
    now = now or timezone.now()
    suggestion, created = TeamSuggestion.objects.select_for_update().get_or_create(
        manager=manager,
        item=item,
        defaults={"created_at": now, "expires_at": now + timedelta(days=TEAM_SUGGESTION_DAYS)},
    )
    if not created:
        suggestion.expires_at = now + timedelta(days=TEAM_SUGGESTION_DAYS)
        suggestion.save(update_fields=["expires_at"])
    return suggestion


@transaction.atomic
def team_suggestion_withdraw(*, manager: Employee, suggestion_id: int, now=None) -> None:
    """Stop showing a suggestion to the team. The row stays (ended), so suggesting the item
    again keeps counting uptake from the first suggestion."""
    now = now or timezone.now()
    TeamSuggestion.objects.filter(
        manager=manager, pk=suggestion_id, expires_at__gt=now, created_at__lt=now
    ).update(expires_at=now)


@transaction.atomic
def placement_rotate_secret(*, placement: Placement, actor=None) -> Placement:
    """A new secret: tokens signed with the old one stop working at once. Logged as an
    access change (the secret itself never is)."""
    placement.secret = generate_placement_secret()
    placement.save(update_fields=["secret"])
    access_change_record(
        actor=actor,
        kind=AccessChange.Kind.PLACEMENT,
        target=placement.key,
        changes=["secret rotated"],
    )
    transaction.on_commit(placements_cache_clear)
    return placement


def placements_cache_clear() -> None:
    # If the cache is down, the entry expires on its own within minutes.
    with contextlib.suppress(Exception):
        cache.delete(PLACEMENTS_CACHE_KEY)
    placements_memo_forget()


@transaction.atomic
def widget_counts_flush() -> int:
    """Fold pending counter events into WidgetDailyCount / EmbedTokenRejection rows.

    Department breakdowns are kept only for departments of at least group_size_floor() active
    people; smaller ones are folded into the all-departments row. Idempotent per drained batch:
    the store hands each event out once. Returns the number of events written.

    One transaction, rows written in one order (day, then item, variant and department), so
    two flushers running at once wait for each other instead of deadlocking.
    """
    drained = counters.get_store().drain()
    if not drained:
        return 0
    big_departments = set(
        Department.objects.annotate(
            people=Count("employees", filter=Q(employees__user__is_active=True))
        )
        .filter(people__gte=group_size_floor())
        .values_list("pk", flat=True)
    )
    known_items = None
    written = 0
    for day, counter in sorted(drained.items()):
        rows: dict[tuple, dict[str, int]] = {}
        rejections: dict[str, int] = {}
        for field, value in counter.items():
            parsed = counters.parse_field(field)
            if parsed[0] == "t":
                rejections[parsed[1]] = rejections.get(parsed[1], 0) + value
                continue
            _, item_id, variant, department_id, metric = parsed
            if department_id not in big_departments:
                department_id = None
            metrics = rows.setdefault((item_id, variant, department_id), {})
            metrics[metric] = metrics.get(metric, 0) + value
            written += value
        if rows and known_items is None:
            known_items = set(
                Item.objects.filter(pk__in={key[0] for key in rows}).values_list("pk", flat=True)
            )
        for (item_id, variant, department_id), metrics in sorted(
            rows.items(), key=lambda row: (row[0][0], row[0][1], row[0][2] or 0)
        ):
            if item_id in known_items:
                _add_daily_count(day, item_id, variant, department_id, metrics)
        for reason, value in sorted(rejections.items()):
            _add_rejection(day, reason, value)
            written += value
    return written


def _add_daily_count(day, item_id, variant, department_id, metrics) -> None:
    increments = {name: F(name) + metrics.get(name, 0) for name in counters.METRICS}
    lookup = {"day": day, "item_id": item_id, "variant": variant, "department_id": department_id}
    if WidgetDailyCount.objects.filter(**lookup).update(**increments):
        return
    try:
        with transaction.atomic():
            WidgetDailyCount.objects.create(
                **lookup, **{name: metrics.get(name, 0) for name in counters.METRICS}
            )
    except IntegrityError:
        # Another flusher created the row between our UPDATE and INSERT.
        WidgetDailyCount.objects.filter(**lookup).update(**increments)


def _add_rejection(day, reason, value) -> None:
    lookup = {"day": day, "reason": reason}
    if EmbedTokenRejection.objects.filter(**lookup).update(count=F("count") + value):
        return
    try:
        with transaction.atomic():
            EmbedTokenRejection.objects.create(**lookup, count=value)
    except IntegrityError:
        EmbedTokenRejection.objects.filter(**lookup).update(count=F("count") + value)
