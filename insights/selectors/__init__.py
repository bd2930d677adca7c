from .goal import (
    FILTER_DIMENSIONS,
    Breakdown,
    Figure,
    Goal,
    breakdown_for,
    current_year,
    goal_for,
    group_options,
    kpis_for_year,
    target_band,
)

__all__ = [
    "FILTER_DIMENSIONS",
    "Breakdown",
    "breakdown_for",
    "Figure",
    "Goal",
    "current_year",
    "goal_for",
    "group_options",
    "kpis_for_year",
    "target_band",
]
