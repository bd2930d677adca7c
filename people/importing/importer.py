"""Applying the HR feed: people first, then reporting lines, then deactivation."""

from __future__ import annotations

import secrets
from collections import defaultdict

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from learning_portal.core.csvfiles import RowAction, RowResult

from ..models import Department, Employee, Role, User
from .feed import Feed, Person, clean_row
from .report import ImportReport

# A feed that would deactivate more than this share of active employees is refused unless
# forced: a truncated export must not lock the hospital out of its learning.
DEACTIVATION_LIMIT = 0.20
BATCH_SIZE = 500

DEACTIVATION_OVER_LIMIT = (
    "Nothing was imported: this feed would deactivate {count} of {active} active employees "
    "({percent}%), more than the {limit}% safety limit. Check that the file is complete, or "
    "import it again with force to deactivate them anyway."
)


ROW_DUPLICATE_ID = "employee ID {employee_id} appears in rows {rows}: each person must appear once"
ROW_DUPLICATE_EMAIL = "email {email} appears in rows {rows}: each person needs their own email"
ROW_EMAIL_USED_BY_EMPLOYEE = "email {email} is already used by employee {other}"
ROW_EMAIL_FREED_LATER = (
    "email {email} is still used by employee {other}, whose row in this file changes it: "
    "import the file again to apply this row"
)
ROW_EMAIL_USED_BY_ACCOUNT = "email {email} is already used by another account"
ROW_NOT_SAVED = "could not be saved ({error})"
NOBODY_DEACTIVATED = (
    "Nobody was deactivated: row(s) {rows} could not be read, so this file cannot say who is "
    "missing from it. Fix those rows and import the full feed again."
)
OUTCOME_ACTIONS = {
    "created": RowAction.CREATE,
    "updated": RowAction.UPDATE,
    "unchanged": RowAction.UNCHANGED,
}


LINK_NOT_FOUND = "manager {manager} not found; the reporting line was left unchanged"
LINK_SELF = "an employee cannot be their own manager; the reporting line was left unchanged"
LINK_CYCLE = (
    "manager {manager} would create a reporting cycle ({cycle}; rows {rows}); "
    "the reporting line was left unchanged"
)


class FeedImporter:
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
            rows = _join(self.feed.unreadable_rows)
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

    # Loading: a handful of queries up front instead of one per row, for the people the
    # file names only (a one-row feed among 100k employees reads one employee, not all).
    def _load_existing(self) -> None:
        rows = [row.values for row in self.feed.rows if not row.error]
        file_ids = {values.get("employee_id", "") for values in rows} - {""}
        manager_ids = {values.get("manager_employee_id", "") for values in rows} - {""}
        emails = {values.get("email", "").lower() for values in rows} - {""}
        employees = Employee.objects.select_related("user").order_by()
        self.employees: dict[str, Employee] = {
            employee.employee_id: employee
            for employee in _in_batches(employees, "employee_id", file_ids | manager_ids)
        }
        self.employee_id_by_pk = {e.pk: key for key, e in self.employees.items()}
        self.employee_id_by_user = {e.user_id: key for key, e in self.employees.items()}
        users = User.objects.annotate(email_lower=Lower("email"))
        self.account_by_email: dict[str, int] = {
            email.lower(): pk
            for pk, email in _in_batches(users, "email_lower", emails, ("pk", "email"))
        }
        addresses = EmailAddress.objects.filter(verified=True).annotate(email_lower=Lower("email"))
        for user_id, email in _in_batches(addresses, "email_lower", emails, ("user_id", "email")):
            self.account_by_email.setdefault(email.lower(), user_id)
        owners = set(self.account_by_email.values()) - set(self.employee_id_by_user)
        for user_id, key in _in_batches(
            Employee.objects.order_by(), "user_id", owners, ("user_id", "employee_id")
        ):
            self.employee_id_by_user[user_id] = key
        # Keyed by slug and by lower-cased name: "A&E" may be stored under any slug.
        self.departments = _by_slug_and_name(Department.objects.all())
        self.roles = _by_slug_and_name(Role.objects.all())
        self._load_reporting_chains()

    def _load_reporting_chains(self) -> None:
        """The managers above everyone loaded, up to the top (one query per level), so a new
        reporting line that would close a loop through people not in the file is seen."""
        self.chain: dict[str, str | None] = {}  # employee ID -> manager's, beyond the loaded
        known = dict(self.employee_id_by_pk)
        wanted = {e.manager_id for e in self.employees.values()} - set(known) - {None}
        while wanted:
            found = _in_batches(
                Employee.objects.order_by(), "pk", wanted, ("pk", "employee_id", "manager_id")
            )
            wanted = set()
            for pk, key, manager_pk in found:
                known[pk] = key
                self.chain[key] = manager_pk
            for key, manager_pk in list(self.chain.items()):
                if isinstance(manager_pk, int):
                    if manager_pk in known:
                        self.chain[key] = known[manager_pk]
                    else:
                        wanted.add(manager_pk)
        self.employee_id_by_pk_all = known

    def _checked_people(self) -> list[Person]:
        cleaned: list[Person] = []
        for row in self.feed.rows:
            person, problems = clean_row(row, self.feed.columns)
            if problems:
                self._reject(row.number, row.values.get("employee_id", ""), "; ".join(problems))
            else:
                cleaned.append(person)
        rows_by_id = defaultdict(list)
        rows_by_email = defaultdict(list)
        for row in self.feed.rows:
            if row.values.get("employee_id"):
                rows_by_id[row.values["employee_id"]].append(row.number)
        for person in cleaned:
            rows_by_email[person.email].append(person.row)
        self.file_ids = set(rows_by_id)
        new_email_by_id = {p.employee_id: p.email for p in cleaned}

        people = []
        for person in cleaned:
            rows = rows_by_id[person.employee_id]
            if len(rows) > 1:
                reason = ROW_DUPLICATE_ID.format(employee_id=person.employee_id, rows=_join(rows))
            elif len(rows_by_email[person.email]) > 1:
                reason = ROW_DUPLICATE_EMAIL.format(
                    email=person.email, rows=_join(rows_by_email[person.email])
                )
            else:
                reason = self._email_conflict(person, new_email_by_id)
            if reason:
                self._reject(person.row, person.employee_id, reason)
            else:
                self.rows_by_id[person.employee_id] = person.row
                people.append(person)
        return people

    def _email_conflict(self, person: Person, new_email_by_id: dict[str, str]) -> str | None:
        owner = self.account_by_email.get(person.email)
        existing = self.employees.get(person.employee_id)
        if owner is None or (existing is not None and owner == existing.user_id):
            return None
        other = self.employee_id_by_user.get(owner)
        if other is None:
            # An account made by hand (e.g. an admin) joins the feed: the new employee
            # attaches to it. An existing employee cannot take over someone else's account.
            return ROW_EMAIL_USED_BY_ACCOUNT.format(email=person.email) if existing else None
        if new_email_by_id.get(other, person.email) != person.email:
            return ROW_EMAIL_FREED_LATER.format(email=person.email, other=other)
        return ROW_EMAIL_USED_BY_EMPLOYEE.format(email=person.email, other=other)

    def _missing_people(self) -> list[tuple[str, int]]:
        """(employee ID, user pk) of active employees the file does not name.

        A superuser missing from the feed stays active: they are how a bad import is fixed.
        """
        active = Employee.objects.filter(user__is_active=True, user__is_superuser=False)
        return [
            (key, user_id)
            for key, user_id in active.order_by().values_list("employee_id", "user_id")
            if key not in self.file_ids
        ]

    def _check_deactivation_limit(self, to_deactivate: list) -> None:
        if self.force or not to_deactivate:
            return
        active = Employee.objects.filter(user__is_active=True).count()
        if not active or len(to_deactivate) <= active * DEACTIVATION_LIMIT:
            return
        raise ValidationError(
            DEACTIVATION_OVER_LIMIT.format(
                count=len(to_deactivate),
                active=active,
                percent=round(100 * len(to_deactivate) / active),
                limit=round(100 * DEACTIVATION_LIMIT),
            )
        )

    # Pass 1: the people.
    def _import_people(self, people: list[Person]) -> None:
        newcomers = []
        for person in people:
            if person.employee_id in self.employees or person.email in self.account_by_email:
                self._import_person(person)
            else:
                newcomers.append(person)
        for start in range(0, len(newcomers), BATCH_SIZE):
            self._create_batch(newcomers[start : start + BATCH_SIZE])

    def _create_batch(self, people: list[Person]) -> None:
        """Create new people a batch at a time: a 20,000-person first import is two bulk
        inserts per batch, not 20,000 round trips. If the database refuses the batch, each
        row is retried in its own savepoint, so only the bad row is rejected."""
        new_groups: dict[str, dict] = {"department": {}, "role": {}}
        try:
            with transaction.atomic():
                users = User.objects.bulk_create([_new_user(person) for person in people])
                employees = Employee.objects.bulk_create(
                    [
                        self._new_employee(person, user, new_groups)
                        for person, user in zip(people, users, strict=True)
                    ]
                )
        except DatabaseError:
            for person in people:
                self._import_person(person)
            return
        self._remember_groups(new_groups)
        for person, employee in zip(people, employees, strict=True):
            self._register(person, employee, "created", previous_email=None)

    def _import_person(self, person: Person) -> None:
        existing = self.employees.get(person.employee_id)
        if existing is not None and not self._differs(person, existing):
            # Most rows of a nightly feed: no savepoint, no query.
            self.outcome[person.employee_id] = "unchanged"
            return
        previous_email = existing.user.email.lower() if existing else None
        new_groups: dict[str, dict] = {"department": {}, "role": {}}
        try:
            with transaction.atomic():
                if existing is None:
                    employee = self._create(person, new_groups)
                    outcome = "created"
                else:
                    employee = existing
                    self._update(person, existing, new_groups)
                    outcome = "updated"
        except DatabaseError as error:
            if existing is not None:
                # The savepoint undid the row; undo what it changed on the cached objects too.
                existing.refresh_from_db()
                existing.user.refresh_from_db()
            self._reject(person.row, person.employee_id, ROW_NOT_SAVED.format(error=error))
            return
        self._remember_groups(new_groups)
        self._register(person, employee, outcome, previous_email=previous_email)

    def _remember_groups(self, new_groups: dict[str, dict]) -> None:
        # Only once their savepoint is released do new departments exist for later rows.
        self.departments.update(new_groups["department"])
        self.roles.update(new_groups["role"])

    def _register(
        self, person: Person, employee: Employee, outcome: str, *, previous_email: str | None
    ) -> None:
        self.employees[person.employee_id] = employee
        self.employee_id_by_pk[employee.pk] = person.employee_id
        self.employee_id_by_user[employee.user_id] = person.employee_id
        if previous_email and previous_email != person.email:
            self.account_by_email.pop(previous_email, None)
        self.account_by_email[person.email] = employee.user_id
        self.outcome[person.employee_id] = outcome

    def _differs(self, person: Person, employee: Employee) -> bool:
        user = employee.user
        wanted = [
            (user.email, person.email),
            (user.first_name, person.first_name),
            (user.last_name, person.last_name),
        ]
        if person.active is not None:
            wanted.append((user.is_active, person.active))
        for name in ("job_title", "location", "is_manager"):
            if getattr(person, name) is not None:
                wanted.append((getattr(employee, name), getattr(person, name)))
        for name, cache in (("department", self.departments), ("role", self.roles)):
            value = getattr(person, name)
            if value is None:
                continue
            found = self._known_group(cache, value) if value else None
            # A department not created yet cannot be the one stored: any marker differs.
            wanted_pk = found.pk if found else ("not created yet" if value else None)
            wanted.append((getattr(employee, f"{name}_id"), wanted_pk))
        return any(stored != value for stored, value in wanted)

    @staticmethod
    def _known_group(cache: dict, name: str):
        return cache.get(f"name:{name.lower()}") or cache.get(slugify(name)[:140])

    def _group(self, model, cache, name, new):
        if not name:
            return None
        slug = slugify(name)[:140]
        for known in (cache, new):
            found = self._known_group(known, name)
            if found is not None:
                return found
        group = model.objects.create(name=name, slug=slug)
        new.update({slug: group, f"name:{name.lower()}": group})
        return group

    def _groups(self, person: Person, new_groups: dict[str, dict]) -> dict:
        values = {}
        if person.department is not None:
            values["department"] = self._group(
                Department, self.departments, person.department, new_groups["department"]
            )
        if person.role is not None:
            values["role"] = self._group(Role, self.roles, person.role, new_groups["role"])
        return values

    def _create(self, person: Person, new_groups: dict[str, dict]) -> Employee:
        account_pk = self.account_by_email.get(person.email)
        if account_pk is not None:
            # Found by its login email or a verified address: either way the feed's email
            # becomes the login email. Flags and password stay as they are.
            user = User.objects.get(pk=account_pk)
            old_email = user.email
            user.email = person.email
            user.first_name, user.last_name = person.first_name, person.last_name
            if person.active is not None:
                user.is_active = person.active
            user.save(update_fields=["email", "first_name", "last_name", "is_active"])
            if old_email != person.email:
                _move_email_address(user, old_email, person.email)
        else:
            user = _new_user(person)
            user.save()
        employee = self._new_employee(person, user, new_groups)
        employee.save()
        return employee

    def _new_employee(self, person: Person, user: User, new_groups: dict[str, dict]) -> Employee:
        return Employee(
            user=user,
            employee_id=person.employee_id,
            job_title=person.job_title or "",
            location=person.location or "",
            is_manager=bool(person.is_manager),
            **self._groups(person, new_groups),
        )

    def _update(self, person: Person, employee: Employee, new_groups: dict) -> None:
        user = employee.user
        user_changes = {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
        }
        if person.active is not None:
            user_changes["is_active"] = person.active
        old_email = user.email
        user_fields = _apply(user, user_changes)
        employee_changes = {
            name: getattr(person, name)
            for name in ("job_title", "location", "is_manager")
            if getattr(person, name) is not None
        }
        employee_changes.update(self._groups(person, new_groups))
        employee_fields = _apply(employee, employee_changes)
        if user_fields:
            user.save(update_fields=user_fields)
        if "email" in user_fields:
            _move_email_address(user, old_email, person.email)
        if employee_fields:
            employee.save(update_fields=[*employee_fields, "updated_at"])

    # Pass 2: reporting lines, once everyone in the file exists.
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
                rows = _join(sorted(self.rows_by_id[k] for k in cycle if k in self.rows_by_id))
                for key in new_links:
                    reason = LINK_CYCLE.format(manager=proposed[key], cycle=description, rows=rows)
                    self._link_problem_for(key, reason)
                for key in new_links:
                    proposed[key] = current[key]
                reverted = True
            if not reverted:
                return

    def _deactivate(self, to_deactivate: list[tuple[str, int]]) -> None:
        pks = [user_id for _key, user_id in to_deactivate]
        for start in range(0, len(pks), 1000):
            User.objects.filter(pk__in=pks[start : start + 1000]).update(is_active=False)
        self.report.deactivated = len(pks)

    def _reject(self, row: int, employee_id: str, reason: str) -> None:
        self.rejections[row] = (employee_id, reason)

    def _link_problem(self, person: Person, reason: str) -> None:
        self.link_problems[person.row].append(reason)

    def _link_problem_for(self, key: str, reason: str) -> None:
        self.link_problems[self.rows_by_id[key]].append(reason)


def _in_batches(queryset, field: str, values, fields: tuple[str, ...] = ()) -> list:
    """`queryset.filter(<field>__in=values)` in slices every database accepts."""
    values = sorted(values)
    found = []
    for start in range(0, len(values), BATCH_SIZE):
        batch = queryset.filter(**{f"{field}__in": values[start : start + BATCH_SIZE]})
        found.extend(batch.values_list(*fields) if fields else batch)
    return found


def _new_user(person: Person) -> User:
    user = User(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        is_active=person.active is not False,
    )
    # People sign in with SSO, or set a password through a reset link. What
    # set_unusable_password() stores, with one call to the OS's randomness instead of 40.
    user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
    return user


def _by_slug_and_name(groups) -> dict:
    keyed = {}
    for group in groups:
        keyed[group.slug] = group
        keyed[f"name:{group.name.lower()}"] = group
    return keyed


def _apply(instance, changes: dict) -> list[str]:
    changed = []
    for name, value in changes.items():
        attribute = f"{name}_id" if name in ("department", "role") else name
        stored = getattr(instance, attribute)
        wanted = value.pk if attribute.endswith("_id") and value is not None else value
        if stored != wanted:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _move_email_address(user: User, old_email: str, new_email: str) -> None:
    """Keep allauth's addresses in step with the login email: the old one goes, since a
    mailbox HR frees may later belong to someone else."""
    addresses = EmailAddress.objects.filter(user=user)
    if old_email.lower() == new_email.lower():
        addresses.filter(email__iexact=old_email).update(email=new_email)
        return
    kept = addresses.filter(email__iexact=new_email).first()
    old = addresses.filter(email__iexact=old_email)
    if kept is None:
        # The person has not shown they can read the new mailbox, so it starts unverified.
        old.update(email=new_email, verified=False)
        return
    was_primary = old.filter(primary=True).exists()
    old.delete()
    if was_primary and not kept.primary:
        kept.primary = True
        kept.save(update_fields=["primary"])


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


def _join(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers)
