"""What every part of the demo generator shares: its sizes, the demo accounts, the result,
and the seeder's state and helpers."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from people.roles import LEARNING_ADMIN

# Published on purpose: it is the demo's login, printed by `make run`.
DEMO_PASSWORD = "learn-demo"
DEMO_ITEM_PREFIX = "demo-"
DEMO_EMPLOYEE_PREFIX = "H"
LEARNING_ADMINS_GROUP = LEARNING_ADMIN.name
BATCH_SIZE = 2000
PROGRESS_EVERY = 10 * BATCH_SIZE
# Enough people that every department has a head and the demo manager a full team.
MIN_EMPLOYEES = 50
MIN_ITEMS = 20
MANAGER_SHARE = 0.1
# Direct reports, counting employee@example.com: large enough that the team page shows uptake
# (core.privacy.MIN_COUNTED_GROUP_SIZE).
DEMO_MANAGER_TEAM_SIZE = 12

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
    enrollments: int = 0
    team_suggestions: int = 0
    circles: int = 0
    seconds: float = 0.0


class SeederBase:
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

    def midnight(self, days: int) -> dt.datetime:
        return dt.datetime.combine(self.today + dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
