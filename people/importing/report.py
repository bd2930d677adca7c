"""What an import did: counts and the problems, each with its CSV row number."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowProblem:
    row: int
    employee_id: str
    reason: str

    def __str__(self):
        who = f" ({self.employee_id})" if self.employee_id else ""
        return f"row {self.row}{who}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run. Every data row is counted exactly once
    as created, updated, unchanged or rejected; `deactivated` counts people missing from the
    feed. A manager-link problem does not reject the row: the person is imported and their
    reporting line is left as it was."""

    dry_run: bool = False
    deactivate_missing: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected_rows: list[RowProblem] = field(default_factory=list)
    manager_link_problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

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
        return f"{prefix}{self.rows} rows: " + ", ".join(parts) + "."

    def lines(self) -> list[str]:
        lines = [self.summary()]
        if self.rejected_rows:
            lines.append("Rejected rows (not imported):")
            lines += [f"  {problem}" for problem in self.rejected_rows]
        if self.manager_link_problems:
            lines.append("Manager links not applied (the people were imported):")
            lines += [f"  {problem}" for problem in self.manager_link_problems]
        return lines

    def problems_as_data(self) -> list[dict]:
        return [
            {"kind": kind, "row": p.row, "employee_id": p.employee_id, "reason": p.reason}
            for kind, problems in (
                ("rejected", self.rejected_rows),
                ("manager_link", self.manager_link_problems),
            )
            for p in problems
        ]
