"""The insights app's tables, one module per job (each re-exported here for Django)."""

from .demand import Proposal, Vote
from .takeaways import WeeklyTakeaway

__all__ = ["Proposal", "Vote", "WeeklyTakeaway"]
