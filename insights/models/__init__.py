"""The insights app's tables, one module per job (each re-exported here for Django)."""

from .demand import Proposal, Vote

__all__ = ["Proposal", "Vote"]
