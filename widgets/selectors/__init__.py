"""'Suggested for you': which items the widget shows a person, and why.

The widget renders on every intranet page view, so the work is split by how widely it can be
shared:
- a candidate pool for everyone (published items that can be taken now, with the facts the
  rules need), cached for a few minutes;
- per department, what is popular there (only for departments of at least 5 people);
- per manager, what their team is exploring (only for teams of at least 5 people);
- per person, one query: what they already enrolled in, completed or dismissed, what their
  manager suggested, their groups, interests and catalog audiences (which restricted pool
  items they may see follows from those by the catalog's own rule).
Everything cached is rebuilt from the database when the cache is cold or down.
"""

from .cache import (
    CACHE_VERSION,
    POOL_TTL_SECONDS,
    TEAM_TTL_SECONDS,
    pool_key,
    time_bucket,
)
from .pool import (
    NEW_DAYS,
    PER_TOPIC_POOL_SIZE,
    POPULAR_POOL_SIZE,
    Candidate,
    Pool,
    candidates_visible,
    department_popularity,
    pool_build,
    team_exploring,
    teams_exploring,
)
from .ranking import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_MANAGER_SUGGESTION_SLOTS,
    MAX_THEME_SLOTS,
    MIN_LIMIT,
    REASON_CIRCLE,
    REASON_DEPARTMENT,
    REASON_INTEREST,
    REASON_LEADERS,
    REASON_MANAGER_SUGGESTED,
    REASON_NEW,
    REASON_POPULAR,
    REASON_TEAM,
    REASON_THEME,
    WEIGHTS,
    Suggestion,
    Tier,
    Weights,
    clamp_limit,
    rank_suggestions,
)
from .suggestions import WidgetResult, department_popularity_shared, suggestions_for
from .team import (
    TeamUptake,
    team_suggestion_active_for,
    team_suggestion_offered,
    team_suggestions_with_uptake,
)
from .viewer import Viewer, interest_topic_list, variant_for, viewer_for

__all__ = [
    "CACHE_VERSION",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_MANAGER_SUGGESTION_SLOTS",
    "MAX_THEME_SLOTS",
    "MIN_LIMIT",
    "NEW_DAYS",
    "PER_TOPIC_POOL_SIZE",
    "POOL_TTL_SECONDS",
    "POPULAR_POOL_SIZE",
    "REASON_CIRCLE",
    "REASON_DEPARTMENT",
    "REASON_INTEREST",
    "REASON_LEADERS",
    "REASON_MANAGER_SUGGESTED",
    "REASON_NEW",
    "REASON_POPULAR",
    "REASON_TEAM",
    "REASON_THEME",
    "TEAM_TTL_SECONDS",
    "Candidate",
    "Pool",
    "Suggestion",
    "TeamUptake",
    "Viewer",
    "WidgetResult",
    "WEIGHTS",
    "Tier",
    "Weights",
    "clamp_limit",
    "rank_suggestions",
    "department_popularity",
    "department_popularity_shared",
    "candidates_visible",
    "interest_topic_list",
    "pool_build",
    "pool_key",
    "time_bucket",
    "suggestions_for",
    "team_exploring",
    "team_suggestion_active_for",
    "teams_exploring",
    "team_suggestion_offered",
    "team_suggestions_with_uptake",
    "variant_for",
    "viewer_for",
]
