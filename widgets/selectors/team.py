"""A manager's team suggestions and their uptake, as a count over the team."""

from dataclasses import dataclass

from django.utils import timezone

from enrollment.aggregates import people_enrolled_counts
from learning_portal.core.privacy import count_phrase, counted_group_size_floor
from people.models import Employee
from people.selectors import employee_leads_team, employee_team

from ..models import TeamSuggestion


@dataclass(frozen=True)
class TeamUptake:
    team_size: int
    # {"suggestion", "active", "uptake"}; uptake is a phrase ("5 of 12", "fewer than 5 of
    # 12") from core.privacy.count_phrase, or None where any figure would point at people.
    rows: list[dict]


def team_suggestions_with_uptake(*, manager: Employee, now=None) -> TeamUptake:
    """A manager's suggestions, with uptake over the team since each was first suggested,
    shown only in ways that cannot tell who enrolled (core.privacy.count_phrase)."""
    now = now or timezone.now()
    team_user_ids = list(employee_team(manager=manager).values_list("user_id", flat=True))
    suggestions = list(TeamSuggestion.objects.filter(manager=manager).select_related("item"))
    uptake: dict[int, int] | None = None
    if len(team_user_ids) >= counted_group_size_floor():
        uptake = people_enrolled_counts(
            user_ids=team_user_ids,
            since_by_item={s.item_id: s.created_at for s in suggestions},
        )
    rows = [
        {
            "suggestion": suggestion,
            "active": suggestion.expires_at > now,
            "uptake": None
            if uptake is None
            else count_phrase(
                count=uptake.get(suggestion.item_id, 0), group_size=len(team_user_ids)
            ),
        }
        for suggestion in suggestions
    ]
    return TeamUptake(team_size=len(team_user_ids), rows=rows)


def team_suggestion_offered(*, user) -> bool:
    """Whether "Suggest to my team" is offered to the person: a people leader with a team."""
    employee = getattr(user, "employee", None) if user.is_authenticated else None
    return employee_leads_team(employee=employee)


def team_suggestion_active_for(*, user, item, now=None) -> TeamSuggestion | None:
    """The person's suggestion of `item` to their team while it is showing, if any: the item
    page then says "Suggested until …" and offers to withdraw it."""
    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    return TeamSuggestion.objects.filter(
        manager__user=user, item=item, created_at__lte=now, expires_at__gt=now
    ).first()
