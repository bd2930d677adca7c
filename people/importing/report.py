"""The HR feed's report: the kernel's import report with the feed's deactivation count.

Every data row is one RowResult (created, updated, unchanged or rejected); a manager link
that was not applied is a warning on an imported row; `deactivated` counts people missing
from the feed.
"""

from dataclasses import dataclass

from learning_portal.core.csvfiles import ImportReport as BaseImportReport
from learning_portal.core.csvfiles import RowProblem

__all__ = ["ImportReport", "RowProblem"]


@dataclass
class ImportReport(BaseImportReport):
    """What an import did, or would do in a dry run. Every data row is counted exactly once
    as created, updated, unchanged or rejected; `deactivated` counts people missing from the
    feed. A manager-link problem does not reject the row: the person is imported and their
    reporting line is left as it was (`manager_link_problems`)."""

    kind: str = "people"
    deactivate_missing: bool = False
    deactivated: int = 0
    # Said about the file as a whole (e.g. why nobody was deactivated).
    notices: list[str] | None = None

    @property
    def manager_link_problems(self) -> list[RowProblem]:
        return self.warning_rows

    @property
    def summary(self) -> str:
        parts = [
            f"{self.created} created",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
            f"{self.rejected} rejected",
        ]
        if self.deactivate_missing:
            parts.append(f"{self.deactivated} deactivated")
        prefix = "Dry run, nothing saved: " if self.dry_run else ""
        return f"{prefix}{self.row_count} rows: " + ", ".join(parts) + "."

    def lines(self) -> list[str]:
        lines = [self.summary, *(self.notices or [])]
        if self.rejected:
            lines.append("Rejected rows (not imported):")
            lines += [f"  {problem}" for problem in self.rejected_rows]
        if self.warning_rows:
            lines.append("Manager links not applied (the people were imported):")
            lines += [f"  {problem}" for problem in self.warning_rows]
        return lines

    def problems_as_data(self) -> list[dict]:
        # The import log's stored shape (People → HR feed imports reads it).
        return [
            {"kind": kind, "row": p.row, "employee_id": p.key, "reason": p.reason}
            for kind, problems in (
                ("rejected", self.rejected_rows),
                ("manager_link", self.warning_rows),
            )
            for p in problems
        ]
