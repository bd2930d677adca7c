"""The demo's people: departments, roles, topics and audiences, employees with their
reporting lines, and the demo accounts."""

from __future__ import annotations

from collections import Counter

from django.utils.text import slugify

from catalog.models import Audience, Topic
from people.models import Department, Employee, Role, User
from people.roles import LEARNING_ADMIN, role_group
from people.services import roles_sync
from widgets.models import Interest
from widgets.services import interests_set

from . import vocabulary as v
from .base import (
    DEMO_ACCOUNTS,
    DEMO_EMPLOYEE_PREFIX,
    DEMO_MANAGER_TEAM_SIZE,
    MANAGER_SHARE,
    SeederBase,
)


class PeopleSeeding(SeederBase):
    """Reference data first, then the people (see seed.Seeder for the order)."""

    def reference_data(self) -> None:
        self.departments = {
            name: Department.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
            for name in v.DEPARTMENTS
        }
        role_names = sorted({role for _, roles in v.DEPARTMENTS.values() for role in roles})
        self.roles = {
            name: Role.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
            for name in role_names
        }
        self.topics = {}
        for name, (description, _, _) in v.TOPICS.items():
            self.topics[name] = Topic.objects.get_or_create(
                name=name, defaults={"slug": slugify(name), "description": description}
            )[0]
        self.audiences = []
        for name, (departments, managers_only) in v.AUDIENCES.items():
            audience, _ = Audience.objects.update_or_create(
                name=name,
                defaults={
                    "managers_only": managers_only,
                    "description": "Demo audience: " + name.lower() + ".",
                },
            )
            audience.departments.set([self.departments[d] for d in departments])
            self.audiences.append(audience)
        # The roles exist after migrate; synced again in case the database was flushed.
        roles_sync()
        self.learning_admins = role_group(LEARNING_ADMIN)
        self.progress(
            f"reference data: {len(self.departments)} departments, {len(self.roles)} roles, "
            f"{len(self.topics)} topics, {len(self.audiences)} audiences"
        )

    # -- people ----------------------------------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        names = list(v.DEPARTMENTS)
        weights = [v.DEPARTMENTS[name][0] for name in names]
        email_counts: Counter[str] = Counter()
        people = []
        for index in range(self.n_employees):
            department = rng.choices(names, weights)[0]
            roles = v.DEPARTMENTS[department][1]
            first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
            local = f"{slugify(first)}.{slugify(last).replace('-', '')}"
            email_counts[local] += 1
            suffix = email_counts[local] if email_counts[local] > 1 else ""
            people.append(
                {
                    "index": index,
                    "first": first,
                    "last": last,
                    "email": f"{local}{suffix}@example.com",
                    "department": department,
                    # The first role of a department is the most common one.
                    "role": roles[0] if rng.random() < 0.5 else rng.choice(roles),
                    "prefix": rng.choice(v.JOB_TITLE_PREFIXES),
                    "location": rng.choice(v.LOCATIONS),
                    "interests": rng.sample(list(self.topics), k=rng.choice([0, 1, 1, 2, 3])),
                }
            )

        # Per department: one head (top of the line), ~10% managers reporting to the head,
        # everyone else reporting to one of them.
        by_department: dict[str, list[dict]] = {}
        for person in people:
            by_department.setdefault(person["department"], []).append(person)
        heads, managers, staff = [], [], []
        for department, members in by_department.items():
            n_managers = max(1, round(len(members) * MANAGER_SHARE))
            members[0]["level"] = "head"
            members[0]["job_title"] = f"Head of {department}"
            heads.append(members[0])
            for person in members[1:n_managers]:
                person["level"] = "manager"
                person["job_title"] = v.MANAGER_TITLES[department]
                person["boss"] = members[0]
                managers.append(person)
            team_leads = members[:n_managers]
            for person in members[n_managers:]:
                person["level"] = "staff"
                person["job_title"] = (person["prefix"] + person["role"]).strip()
                person["boss"] = rng.choice(team_leads)
                staff.append(person)

        users = self.bulk(
            User,
            [
                User(
                    email=p["email"],
                    first_name=p["first"],
                    last_name=p["last"],
                    password=self.password_hash,
                )
                for p in people
            ],
        )
        for person, user in zip(people, users, strict=True):
            person["user_id"] = user.pk
        self.progress(f"users: {len(users)}")

        self.insert_employees(heads)
        self.insert_employees(managers)
        accounts = self.demo_accounts(nursing_head=by_department.get("Nursing", [{}])[0])
        demo_manager = accounts["manager@example.com"]
        # The demo manager leads a real team: Nursing staff first, then others if Nursing is
        # too small at this size.
        team = [p for p in staff if p["department"] == "Nursing"][: DEMO_MANAGER_TEAM_SIZE - 1]
        if len(team) < DEMO_MANAGER_TEAM_SIZE - 1:
            others = [p for p in staff if p["department"] != "Nursing"]
            team += others[: DEMO_MANAGER_TEAM_SIZE - 1 - len(team)]
        for person in team:
            person["boss"] = {"employee_id": demo_manager.pk}
        self.insert_employees(staff)

        interest_rows = [
            Interest(employee_id=p["employee_id"], topic_id=self.topics[t].pk)
            for p in people
            for t in p["interests"]
        ]
        self.bulk(Interest, interest_rows)
        self.result.employees = len(people) + len(accounts)
        self.result.managers = len(heads) + len(managers) + 1
        self.progress(
            f"employees: {len(people)} generated ({len(heads) + len(managers)} managers) "
            f"+ {len(accounts)} demo accounts, {len(interest_rows)} interests"
        )

    def insert_employees(self, people: list[dict]) -> None:
        rows = [
            Employee(
                user_id=p["user_id"],
                employee_id=f"{DEMO_EMPLOYEE_PREFIX}{p['index'] + 1:06d}",
                department=self.departments[p["department"]],
                role=self.roles[p["role"]],
                job_title=p["job_title"],
                location=p["location"],
                is_manager=p["level"] != "staff",
                manager_id=p["boss"]["employee_id"] if "boss" in p else None,
            )
            for p in people
        ]
        for person, employee in zip(people, self.bulk(Employee, rows), strict=True):
            person["employee_id"] = employee.pk

    def demo_accounts(self, *, nursing_head: dict) -> dict[str, Employee]:
        """Create or update the three published demo logins (always, on every run)."""
        employees: dict[str, Employee] = {}
        for account in DEMO_ACCOUNTS:
            user, _ = User.objects.update_or_create(
                email=account.email,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "password": self.password_hash,
                    "is_active": True,
                    "is_staff": account.is_admin,
                    "is_superuser": account.is_admin,
                },
            )
            if account.is_admin:
                user.groups.add(self.learning_admins)
            if account.is_manager:
                manager_id = nursing_head.get("employee_id")
            elif account.email == "employee@example.com":
                manager_id = employees["manager@example.com"].pk
            else:
                manager_id = None
            profile = {
                "department": self.departments[account.department],
                "role": self.roles[account.role],
                "job_title": account.job_title,
                "location": v.LOCATIONS[0],
                "is_manager": account.is_manager,
                "manager_id": manager_id,
            }
            # The employee ID is set only on creation: an existing demo login keeps its own.
            employee, _ = Employee.objects.update_or_create(
                user=user,
                defaults=profile,
                create_defaults={**profile, "employee_id": account.employee_id},
            )
            interests_set(employee=employee, topics=[self.topics[n] for n in account.interests])
            employees[account.email] = employee
        return employees
