"""Pass 2 of the import: reporting lines, once everyone in the file exists; a line that
would close a loop is refused and the old one kept."""

from __future__ import annotations

from collections import defaultdict

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..models import Employee
from .batches import BATCH_SIZE, join_rows
from .feed import Person
from .upserts import ROW_NOT_SAVED

LINK_NOT_FOUND = "manager {manager} not found; the reporting line was left unchanged"
LINK_SELF = "an employee cannot be their own manager; the reporting line was left unchanged"
LINK_CYCLE = (
    "manager {manager} would create a reporting cycle ({cycle}; rows {rows}); "
    "the reporting line was left unchanged"
)


class ReportingLines:
    """FeedImporter's pass 2 (see importer.py, which holds the state it reads)."""

    def _link_managers(self, people: list[Person]) -> None:
        known = {**self.employee_id_by_pk_all, **self.employee_id_by_pk}
        current = dict(self.chain)
        current.update((key, known.get(e.manager_id)) for key, e in self.employees.items())
        proposed = dict(current)
        for person in people:
            key, manager = person.employee_id, person.manager_employee_id
            if key not in self.outcome or manager is None:
                continue
            if manager == key:
                self._link_problem(person, LINK_SELF)
            elif manager and manager not in self.employees:
                self._link_problem(person, LINK_NOT_FOUND.format(manager=manager))
            else:
                proposed[key] = manager or None
        self._break_cycles(current, proposed)
        # One UPDATE per new manager rather than per person: a first import links 20,000
        # people with as many queries as there are managers.
        reports_by_manager: dict[str | None, list[str]] = defaultdict(list)
        for key, manager in proposed.items():
            if manager != current[key]:
                reports_by_manager[manager].append(key)
        for manager, keys in reports_by_manager.items():
            for start in range(0, len(keys), BATCH_SIZE):
                self._save_links(manager, keys[start : start + BATCH_SIZE], current)

    def _save_links(self, manager: str | None, keys: list[str], current: dict) -> None:
        """Point these people at one manager in a savepoint, or one by one if the database
        refuses the batch."""
        boss = self.employees[manager] if manager else None
        employees = [self.employees[key] for key in keys]
        try:
            with transaction.atomic():
                Employee.objects.filter(pk__in=[e.pk for e in employees]).update(
                    manager=boss, updated_at=timezone.now()
                )
            saved = keys
        except DatabaseError:
            saved = []
            for key, employee in zip(keys, employees, strict=True):
                employee.manager = boss
                try:
                    with transaction.atomic():
                        employee.save(update_fields=["manager", "updated_at"])
                except DatabaseError as error:
                    employee.manager_id = self._pk_of(current[key])
                    self._link_problem_for(key, ROW_NOT_SAVED.format(error=error))
                else:
                    saved.append(key)
        else:
            for employee in employees:
                employee.manager = boss
        for key in saved:
            if self.outcome.get(key) == "unchanged":
                self.outcome[key] = "updated"

    def _pk_of(self, key: str | None) -> int | None:
        if key is None:
            return None
        if key in self.employees:
            return self.employees[key].pk
        return next(pk for pk, known in self.employee_id_by_pk_all.items() if known == key)

    def _break_cycles(self, current: dict, proposed: dict) -> None:
        """Refuse the new links that close a loop (A→B→A, or longer), keeping the old ones.

        Each round reverts at least one new link, so this ends; reverting can expose a loop
        through older links, hence the rounds.
        """
        while True:
            reverted = False
            for cycle in _cycles(proposed):
                new_links = [key for key in cycle if proposed[key] != current[key]]
                if not new_links:
                    continue
                start = min(cycle, key=lambda key: self.rows_by_id.get(key, 10**9))
                ordered = _cycle_from(start, proposed)
                description = " → ".join([*ordered, start])
                rows = join_rows(sorted(self.rows_by_id[k] for k in cycle if k in self.rows_by_id))
                for key in new_links:
                    reason = LINK_CYCLE.format(manager=proposed[key], cycle=description, rows=rows)
                    self._link_problem_for(key, reason)
                for key in new_links:
                    proposed[key] = current[key]
                reverted = True
            if not reverted:
                return


def _cycles(links: dict[str, str | None]) -> list[list[str]]:
    """The loops in a graph where everyone has at most one manager."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for start in links:
        if start in state:
            continue
        path = []
        node = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = links.get(node)
        if node is not None and state[node] == 1:
            cycles.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return cycles


def _cycle_from(start: str, links: dict[str, str | None]) -> list[str]:
    ordered = [start]
    node = links[start]
    while node != start:
        ordered.append(node)
        node = links[node]
    return ordered
