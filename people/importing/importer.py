"""Applying the HR feed: people first, then reporting lines, then deactivation.

FeedImporter runs the steps, each written in its own module: `loading` (what the file names,
and the checks before any write), `upserts` (pass 1: the people), `reporting_lines` (pass 2).
"""

from __future__ import annotations

from collections import defaultdict

from learning_portal.core.csvfiles import RowAction, RowResult
from learning_portal.core.record_versions import record_versions_bump

from ..models import User
from .batches import join_rows
from .feed import Feed, Person
from .loading import LoadingAndChecks
from .report import ImportReport
from .reporting_lines import ReportingLines
from .upserts import PeopleUpserts

NOBODY_DEACTIVATED = (
    "Nobody was deactivated: row(s) {rows} could not be read, so this file cannot say who is "
    "missing from it. Fix those rows and import the full feed again."
)

OUTCOME_ACTIONS = {
    "created": RowAction.CREATE,
    "updated": RowAction.UPDATE,
    "unchanged": RowAction.UNCHANGED,
}


class FeedImporter(LoadingAndChecks, PeopleUpserts, ReportingLines):
    """Applies a parsed feed. The caller owns the transaction; each row is written in its
    own savepoint, so a row that fails in the database is rolled back alone."""

    def __init__(self, *, feed: Feed, report: ImportReport, deactivate_missing: bool, force: bool):
        self.feed = feed
        self.report = report
        self.deactivate_missing = deactivate_missing
        self.force = force
        self.outcome: dict[str, str] = {}  # employee ID -> created/updated/unchanged
        self.rows_by_id: dict[str, int] = {}

    def run(self) -> ImportReport:
        self.rejections: dict[int, tuple[str, str]] = {}  # row -> (employee ID, reason)
        self.link_problems: dict[int, list[str]] = defaultdict(list)
        self._load_existing()
        people = self._checked_people()
        deactivate = self.deactivate_missing
        if deactivate and self.feed.unreadable_rows:
            # Who an unreadable row names is unknown: they must not be taken for missing.
            deactivate = False
            rows = join_rows(self.feed.unreadable_rows)
            self.report.notices = [NOBODY_DEACTIVATED.format(rows=rows)]
        to_deactivate = self._missing_people() if deactivate else []
        self._check_deactivation_limit(to_deactivate)
        self._import_people(people)
        self._link_managers(people)
        if deactivate:
            self._deactivate(to_deactivate)
        self._fill_report()
        return self.report

    def _fill_report(self) -> None:
        for row in self.feed.rows:
            if row.number in self.rejections:
                key, reason = self.rejections[row.number]
                self.report.add(RowResult(row.number, key, RowAction.ERROR, errors=[reason]))
                continue
            key = row.values["employee_id"]
            self.report.add(
                RowResult(
                    row.number,
                    key,
                    OUTCOME_ACTIONS[self.outcome[key]],
                    warnings=self.link_problems.get(row.number, []),
                )
            )

    def _deactivate(self, to_deactivate: list[tuple[str, int]]) -> None:
        pks = [user_id for _key, user_id in to_deactivate]
        for start in range(0, len(pks), 1000):
            User.objects.filter(pk__in=pks[start : start + 1000]).update(is_active=False)
        # A bulk update sends no signal: caches that serve these people must still notice.
        record_versions_bump(user_ids=pks)
        self.report.deactivated = len(pks)

    def _reject(self, row: int, employee_id: str, reason: str) -> None:
        self.rejections[row] = (employee_id, reason)

    def _link_problem(self, person: Person, reason: str) -> None:
        self.link_problems[person.row].append(reason)

    def _link_problem_for(self, key: str, reason: str) -> None:
        self.link_problems[self.rows_by_id[key]].append(reason)
