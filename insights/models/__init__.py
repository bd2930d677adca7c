from .rollups import Dimension, GroupRollup, MonthlyKpis, MonthlyReport

__all__ = ["Dimension", "GroupRollup", "MonthlyKpis", "MonthlyReport"]
