from .report import monthly_report_queue, monthly_report_send
from .rollups import rollups_refresh

__all__ = ["monthly_report_queue", "monthly_report_send", "rollups_refresh"]
