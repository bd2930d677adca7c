"""A manager's team suggestions and their uptake, as a count over the team."""

from dataclasses import dataclass

from django.utils import timezone

from enrollment.aggregates import people_enrolled_counts
from learning_portal.core.privacy import MIN_GROUP_SIZE
from people.models import Employee
from people.selectors import employee_leads_team, employee_team

from ..models import TeamSuggestion


@dataclass(frozen=True)
class TeamUptake:
    team_size: int
    # {"suggestion", "active", "uptake"}; uptake is None for teams under MIN_GROUP_SIZE.
    rows: list[dict]


def team_suggestions_with_uptake(*, manager: Employee, now=None) -> TeamUptake:
    """A manager's suggestions, with uptake as a count over the team (teams of ≥ 5 only)."""
    now = now or timezone.now()
    team_user_ids = list(employee_team(manager=manager).values_list("user_id", flat=True))
    suggestions = list(TeamSuggestion.objects.filter(manager=manager).select_related("item"))
    uptake: dict[int, int] | None = None
    if len(team_user_ids) >= MIN_GROUP_SIZE:
        uptake = people_enrolled_counts(
            user_ids=team_user_ids,
            since_by_item={s.item_id: s.created_at for s in suggestions},
        )
    rows = [
        {
            "suggestion": suggestion,
            "active": suggestion.expires_at > now,
            "uptake": None if uptake is None else uptake.get(suggestion.item_id, 0),
        }
        for suggestion in suggestions
    ]
    return TeamUptake(team_size=len(team_user_ids), rows=rows)


def team_suggestion_offered(*, user) -> bool:
    """Whether "Suggest to my team" is offered to the person: a people leader with a team."""
    employee = getattr(user, "employee", None) if user.is_authenticated else None
    return employee_leads_team(employee=employee)
