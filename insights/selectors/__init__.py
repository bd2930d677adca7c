from .goal import (
    FILTER_DIMENSIONS,
    Figure,
    Goal,
    current_year,
    goal_for,
    group_options,
    kpis_for_year,
    target_band,
)

__all__ = [
    "FILTER_DIMENSIONS",
    "Figure",
    "Goal",
    "current_year",
    "goal_for",
    "group_options",
    "kpis_for_year",
    "target_band",
]
