"""The demo data generator behind `manage.py seed_demo`.

Everything random comes from one `random.Random(seed)` and dates are anchored to today's
midnight UTC, so a seed gives the same people and catalog on every run of the same day. Rows
go in with `bulk_create` in batches (users share one precomputed password hash, many-to-many
rows go through their through models) and search is refreshed by one set-based call at the
end, which is what lets 100k items and 20k people load in a few minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Audience, Item, Offering, Topic
from catalog.services import item_search_refresh
from people.models import Department, Employee, Role, User
from widgets.models import Interest
from widgets.services import interests_set

from . import vocabulary as v
from .themes import seed_theme_year

# Published on purpose: it is the demo's login, printed by `make run`.
DEMO_PASSWORD = "learn-demo"
DEMO_ITEM_PREFIX = "demo-"
DEMO_EMPLOYEE_PREFIX = "H"
LEARNING_ADMINS_GROUP = "Learning admins"
BATCH_SIZE = 2000
PROGRESS_EVERY = 10 * BATCH_SIZE
# Enough people that every department has a head and the demo manager a full team.
MIN_EMPLOYEES = 50
MIN_ITEMS = 20
MANAGER_SHARE = 0.1
DEMO_MANAGER_TEAM_SIZE = 8  # direct reports, counting employee@example.com

TOO_SMALL = (
    "Use at least {min_employees} employees and {min_items} items "
    "(the demo manager needs a team and every audience needs items)."
)
ALREADY_SEEDED = (
    "Demo data is already loaded ({items} generated items, {employees} generated employees). "
    "Seed a fresh database (e.g. after `manage.py flush`), or pass --if-empty."
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    employee_id: str
    department: str
    role: str
    job_title: str
    is_manager: bool
    is_admin: bool
    interests: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount(
        "manager@example.com", "Jordan", "Hughes", "DEMO002", "Nursing", "Registered Nurse",
        "Ward Manager", is_manager=True, is_admin=False, interests=("Leadership", "Coaching"),
    ),
    DemoAccount(
        "employee@example.com", "Sam", "Taylor", "DEMO001", "Nursing", "Registered Nurse",
        "Staff Nurse", is_manager=False, is_admin=False,
        interests=("Patient safety", "Communication", "Wellbeing"),
    ),
    DemoAccount(
        "admin@example.com", "Robin", "Patel", "DEMO003", "HR", "Administrator",
        "Learning & Development Lead", is_manager=False, is_admin=True,
        interests=("Data literacy", "Quality improvement"),
    ),
)  # fmt: skip


@dataclass
class SeedResult:
    employees: int = 0
    managers: int = 0
    items: int = 0
    offerings: int = 0
    restricted_items: int = 0
    themes: int = 0
    seconds: float = 0.0


class Seeder:
    """One run of the generator: its random stream, today's date and the rows made so far."""

    def __init__(self, *, employees: int, items: int, seed: int, log: Callable[[str], None]):
        self.n_employees = employees
        self.n_items = items
        self.rng = random.Random(seed)
        self.log = log
        self.today = timezone.now().astimezone(dt.UTC).date()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.result = SeedResult()
        self.started = time.perf_counter()

    # -- helpers ---------------------------------------------------------------------------------

    def progress(self, message: str) -> None:
        self.log(f"[{time.perf_counter() - self.started:6.1f}s] {message}")

    @staticmethod
    def batches(rows: list, size: int = BATCH_SIZE) -> Iterator[list]:
        for start in range(0, len(rows), size):
            yield rows[start : start + size]

    def bulk(self, model, rows: list) -> list:
        created = []
        for batch in self.batches(rows):
            created.extend(model.objects.bulk_create(batch, batch_size=BATCH_SIZE))
        return created

    # -- reference data --------------------------------------------------------------------------

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
        group, _ = Group.objects.get_or_create(name=LEARNING_ADMINS_GROUP)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=v.LEARNING_ADMIN_APPS)
        )
        self.learning_admins = group
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

    # -- catalog ---------------------------------------------------------------------------------

    def catalog(self) -> None:
        formats = list(v.FORMATS)
        format_weights = [v.FORMATS[f][0] for f in formats]
        levels, level_weights = list(v.LEVELS), list(v.LEVELS.values())
        slug_counts: Counter[str] = Counter()
        topic_names = list(self.topics)
        # Every audience gets restricted items even at the smallest size.
        guaranteed = {i * 7: audience for i, audience in enumerate(self.audiences)}

        for start in range(0, self.n_items, BATCH_SIZE):
            specs = []
            for index in range(start, min(start + BATCH_SIZE, self.n_items)):
                audience = guaranteed.get(index)
                if audience is None and self.rng.random() < 0.015:
                    audience = self.rng.choice(self.audiences)
                specs.append(
                    self.item_spec(
                        index,
                        fmt=self.rng.choices(formats, format_weights)[0],
                        level=self.rng.choices(levels, level_weights)[0],
                        topic_names=topic_names,
                        audience=audience,
                        slug_counts=slug_counts,
                    )
                )
            items = self.bulk(Item, [spec["item"] for spec in specs])
            topic_rows, audience_rows, offerings = [], [], []
            for spec, item in zip(specs, items, strict=True):
                topic_rows += [
                    Item.topics.through(item_id=item.pk, topic_id=self.topics[name].pk)
                    for name in spec["topics"]
                ]
                if spec["audience"]:
                    audience_rows.append(
                        Item.audiences.through(item_id=item.pk, audience_id=spec["audience"].pk)
                    )
                if item.delivery == Item.Delivery.SCHEDULED:
                    offerings += self.offerings_for(item)
            self.bulk(Item.topics.through, topic_rows)
            self.bulk(Item.audiences.through, audience_rows)
            self.bulk(Offering, offerings)
            self.result.items += len(items)
            self.result.offerings += len(offerings)
            self.result.restricted_items += len(audience_rows)
            if self.result.items % PROGRESS_EVERY == 0 or self.result.items == self.n_items:
                self.progress(
                    f"items: {self.result.items}/{self.n_items} "
                    f"({self.result.offerings} sessions, {self.result.restricted_items} restricted)"
                )

        refreshed = item_search_refresh(
            item_ids=Item.objects.filter(external_id__startswith=DEMO_ITEM_PREFIX).values("pk")
        )
        self.progress(f"search refreshed for {refreshed} items")

    def themes(self) -> None:
        # After the catalog, so the monthly themes can pick its items and sessions.
        themes = seed_theme_year(rng=self.rng, now=timezone.now())
        self.result.themes = len(themes)
        self.progress(f"themes: {len(themes)} months planned")

    def item_spec(self, index, *, fmt, level, topic_names, audience, slug_counts: Counter) -> dict:
        rng = self.rng
        topics = rng.sample(topic_names, k=rng.choices([1, 2, 3], [50, 35, 15])[0])
        if audience is not None and audience.managers_only:
            # Manager-only learning is about managing.
            topics[0] = rng.choice(["Leadership", "Finance for non-finance managers", "Coaching"])
            topics = list(dict.fromkeys(topics))
        _, phrases, outcomes = v.TOPICS[topics[0]]
        phrase = rng.choice(phrases)
        low, high = v.FORMATS[fmt][1]
        duration = max(5, round(rng.randint(low, high) / 5) * 5)
        scheduled = rng.random() < v.FORMATS[fmt][2]
        language = "en" if rng.random() >= 0.04 else rng.choice(list(v.OTHER_LANGUAGES))
        # Most learning comes from the group's own team for the subject, the rest from vendors.
        if rng.random() < 0.6:
            provider = v.TOPIC_PROVIDERS[topics[0]]
        else:
            provider = rng.choice(v.PROVIDERS["external"])
        author = publisher = ""

        if fmt == "book":
            pattern = rng.choice(v.BOOK_PATTERNS)
            title = pattern.format(
                adjective=rng.choice(v.BOOK_ADJECTIVES),
                noun=rng.choice(v.BOOK_NOUNS),
                verb_ing=rng.choice(v.BOOK_VERBS_ING),
                object=rng.choice(v.BOOK_OBJECTS),
                art=rng.choice(v.BOOK_ARTS),
                plural=rng.choice(v.BOOK_PLURALS),
            )
            if rng.random() < 0.6:
                title = f"{title}: {phrase}"
            author = f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"
            publisher = provider = rng.choice(v.BOOK_PUBLISHERS)
            summary = f"A book by {author} on {phrase.lower()}. It will help you "
        elif fmt == "course":
            title = f"{phrase}: {rng.choice(v.QUALIFIERS)}"
            summary = "A course to help you "
        elif fmt == "elearning":
            title = rng.choice([f"{phrase} (e-learning)", f"{phrase}: Online Module"])
            summary = "A self-paced online module to help you "
        elif fmt == "video":
            title = f"{phrase} in {duration} Minutes" if duration <= 15 else f"Watch: {phrase}"
            summary = "A short video showing how to "
        elif fmt == "article":
            title = rng.choice([f"A Quick Guide to {phrase}", f"Five Things to Know: {phrase}"])
            summary = "A short read on how to "
        elif fmt == "podcast":
            provider = rng.choice(v.PROVIDERS["media"])
            title = f"{provider}, Episode {rng.randint(1, 180)}: {phrase}"
            summary = "A conversation with colleagues about how to "
        elif fmt == "live_session":
            title = rng.choice([f"{phrase} Workshop", f"Webinar: {phrase}"])
            summary = "A live, interactive session to help you "
        else:
            title = f"{phrase} Learning Circle"
            summary = "A small group meeting over several weeks to learn together how to "
        picked = rng.sample(outcomes, k=3)
        summary += picked[0] + "."

        if language != "en":
            native_titles, native_summary = v.OTHER_LANGUAGES[language]
            title, summary = rng.choice(native_titles), native_summary

        base_slug = slugify(title)[:200] or "item"
        slug_counts[base_slug] += 1
        slug = base_slug if slug_counts[base_slug] == 1 else f"{base_slug}-{slug_counts[base_slug]}"

        who = rng.choice(
            [
                "everyone, whatever their role",
                "ward and department teams",
                "new starters and anyone wanting a refresher",
                "team leaders and aspiring managers",
                "clinical and non-clinical staff",
            ]
        )
        label = Item.Format(fmt).label
        lines = []
        if author:
            lines.append(f"*{title}* by **{author}** ({publisher}, {rng.randint(2012, 2025)}).")
            lines.append("")
        lines += [
            f"{summary} Part of our **{topics[0]}** learning.",
            "",
            "### What you will learn",
            *[f"- How to {outcome}" for outcome in picked],
            "",
            f"**Who it is for:** {who}. **Format:** {label}, {self.duration_words(duration)}.",
        ]
        if scheduled:
            lines += ["", "Choose a session below; seats are limited for in-person sessions."]

        is_published, publish_start, publish_end = True, None, None
        roll = rng.random()
        if audience is None and roll < 0.02:
            is_published = False  # drafts a learning admin is still preparing
        elif audience is None and roll < 0.03:
            publish_start = self.midnight(rng.randint(3, 30))  # coming soon
        elif audience is None and roll < 0.04:
            publish_end = self.midnight(-rng.randint(1, 60))  # withdrawn, kept for history

        launch_url = ""
        if not scheduled and fmt != "book":
            launch_url = f"https://learning.example.com/launch/{DEMO_ITEM_PREFIX}{index + 1:06d}"

        item = Item(
            title=title[:200],
            slug=slug,
            summary=summary[:300],
            description="\n".join(lines),
            format=fmt,
            delivery=Item.Delivery.SCHEDULED if scheduled else Item.Delivery.SELF_PACED,
            provider=provider,
            duration_minutes=duration,
            level=level,
            language=language,
            launch_url=launch_url,
            is_published=is_published,
            publish_start=publish_start,
            publish_end=publish_end,
            external_id=f"{DEMO_ITEM_PREFIX}{index + 1:06d}",
            # A long tail: most items are rarely taken, a few are very popular.
            popularity=min(20_000, int((rng.paretovariate(1.2) - 1) * 8)),
        )
        return {"item": item, "topics": topics, "audience": audience}

    def offerings_for(self, item: Item) -> list[Offering]:
        rng = self.rng
        offerings = []
        for number in range(rng.choice([1, 1, 2, 2, 3, 4])):
            day = self.today + dt.timedelta(days=rng.randint(-90, 150))
            while day.weekday() >= 5:  # sessions run on weekdays
                day += dt.timedelta(days=1)
            hour, minute = rng.choice(v.SESSION_START_HOURS)
            zone = rng.choice(v.TIMEZONES)
            starts_at = dt.datetime.combine(
                day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
            )
            length = 90 if item.format == "learning_circle" else min(item.duration_minutes, 450)
            online = rng.random() < 0.4
            closes = starts_at - dt.timedelta(days=2) if rng.random() < 0.5 else None
            if item.format == "learning_circle":
                title = f"Cohort {number + 1}"
            elif hour >= 17:
                title = "Evening session"
            else:
                title = ""
            offerings.append(
                Offering(
                    item=item,
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=length),
                    timezone=zone,
                    location="Online" if online else rng.choice(v.VENUES),
                    online_url=(
                        f"https://meet.example.com/lp/{item.external_id}-{number + 1}"
                        if online
                        else ""
                    ),
                    capacity=(
                        rng.choice([None, 100, 250])
                        if online
                        else rng.choice([8, 10, 12, 16, 20, 24, 30])
                    ),
                    enrollment_closes_at=closes,
                    status=(
                        Offering.Status.CANCELLED
                        if rng.random() < 0.03
                        else Offering.Status.SCHEDULED
                    ),
                )
            )
        return offerings

    def midnight(self, days: int) -> dt.datetime:
        return dt.datetime.combine(self.today + dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)

    @staticmethod
    def duration_words(minutes: int) -> str:
        if minutes < 60:
            return f"about {minutes} minutes"
        hours = minutes / 60
        return f"about {hours:.0f} hour{'s' if round(hours) != 1 else ''}"


def demo_data_exists() -> tuple[int, int]:
    """Counts of previously generated items and employees (not the demo accounts)."""
    return (
        Item.objects.filter(external_id__startswith=DEMO_ITEM_PREFIX).count(),
        Employee.objects.filter(employee_id__startswith=DEMO_EMPLOYEE_PREFIX).count(),
    )


@transaction.atomic
def demo_data_seed(
    *, employees: int, items: int, seed: int, log: Callable[[str], None] = print
) -> SeedResult:
    """Generate the demo hospital group: people, reporting lines, catalog, sessions, logins.

    Deterministic for a given seed (and day, since sessions are dated relative to today).
    Runs in one transaction: it either loads everything or nothing. Raises ValidationError
    (TOO_SMALL) below the minimum sizes, and (ALREADY_SEEDED) when generated demo data is
    already present, so a second run never mixes two data sets.
    """
    if employees < MIN_EMPLOYEES or items < MIN_ITEMS:
        raise ValidationError(
            TOO_SMALL.format(min_employees=MIN_EMPLOYEES, min_items=MIN_ITEMS), code="too_small"
        )
    existing_items, existing_employees = demo_data_exists()
    if existing_items or existing_employees:
        raise ValidationError(
            ALREADY_SEEDED.format(items=existing_items, employees=existing_employees),
            code="already_seeded",
        )
    seeder = Seeder(employees=employees, items=items, seed=seed, log=log)
    seeder.reference_data()
    seeder.people()
    seeder.catalog()
    seeder.themes()
    seeder.result.seconds = time.perf_counter() - seeder.started
    return seeder.result
