"""Pass 1 of the import: create and update the people, a batch or a row at a time."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from ..models import Department, Employee, Role, User
from .batches import BATCH_SIZE
from .feed import Person

ROW_NOT_SAVED = "could not be saved ({error})"


class PeopleUpserts:
    """FeedImporter's pass 1 (see importer.py, which holds the state it reads and fills)."""

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
