"""The insights app's tables, one module per job (each re-exported here for Django)."""

from .demand import Proposal, Vote
from .rollups import Dimension, GroupRollup, MonthlyKpis, MonthlyReport
from .takeaways import WeeklyTakeaway

__all__ = [
    "Dimension",
    "GroupRollup",
    "MonthlyKpis",
    "MonthlyReport",
    "Proposal",
    "Vote",
    "WeeklyTakeaway",
]
