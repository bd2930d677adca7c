"""Before anything is written: loading what the file names, and checking its rows
against each other and the database (duplicates, emails in use, the deactivation limit)."""

from __future__ import annotations

from collections import defaultdict

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from ..models import Department, Employee, Role, User
from .batches import in_batches, join_rows
from .feed import Person, clean_row

# A feed that would deactivate more than this share of active employees is refused unless
# forced: a truncated export must not lock the hospital out of its learning.
DEACTIVATION_LIMIT = 0.20

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


class LoadingAndChecks:
    """FeedImporter's first step (see importer.py, which holds the state it fills)."""

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
            for employee in in_batches(employees, "employee_id", file_ids | manager_ids)
        }
        self.employee_id_by_pk = {e.pk: key for key, e in self.employees.items()}
        self.employee_id_by_user = {e.user_id: key for key, e in self.employees.items()}
        users = User.objects.annotate(email_lower=Lower("email"))
        self.account_by_email: dict[str, int] = {
            email.lower(): pk
            for pk, email in in_batches(users, "email_lower", emails, ("pk", "email"))
        }
        addresses = EmailAddress.objects.filter(verified=True).annotate(email_lower=Lower("email"))
        for user_id, email in in_batches(addresses, "email_lower", emails, ("user_id", "email")):
            self.account_by_email.setdefault(email.lower(), user_id)
        owners = set(self.account_by_email.values()) - set(self.employee_id_by_user)
        for user_id, key in in_batches(
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
            found = in_batches(
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
                reason = ROW_DUPLICATE_ID.format(
                    employee_id=person.employee_id, rows=join_rows(rows)
                )
            elif len(rows_by_email[person.email]) > 1:
                reason = ROW_DUPLICATE_EMAIL.format(
                    email=person.email, rows=join_rows(rows_by_email[person.email])
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


def _by_slug_and_name(groups) -> dict:
    keyed = {}
    for group in groups:
        keyed[group.slug] = group
        keyed[f"name:{group.name.lower()}"] = group
    return keyed
