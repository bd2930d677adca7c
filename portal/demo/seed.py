"""The demo data generator behind `manage.py seed_demo`.

Everything random comes from one `random.Random(seed)` and dates are anchored to today's
midnight UTC, so a seed gives the same people and catalog on every run of the same day. Rows
go in with `bulk_create` in batches (users share one precomputed password hash, many-to-many
rows go through their through models) and search is refreshed by one set-based call at the
end, which is what lets 100k items and 20k people load in a few minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from catalog.models import Item
from insights.services import rollups_refresh
from people.models import Employee
from recognition.demo import seed_recognition

from .activity import ActivitySeeding
from .base import (
    ALREADY_SEEDED,
    DEMO_EMPLOYEE_PREFIX,
    DEMO_ITEM_PREFIX,
    MIN_EMPLOYEES,
    MIN_ITEMS,
    TOO_SMALL,
    SeedResult,
)
from .catalog import CatalogSeeding
from .circles import seed_circles
from .covers import PALETTE, cover_paths
from .people import PeopleSeeding
from .themes import seed_theme_year

DEMO_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Seeder(PeopleSeeding, CatalogSeeding, ActivitySeeding):
    """The whole run: reference data, people, catalog and its covers, then the themes and
    circles built on them, and what people did (activity)."""

    def covers(self) -> None:
        # Shared covers (portal.demo.covers): each item gets its format's, in one of the
        # palette's colours by its id.
        paths = cover_paths({fmt: label for fmt, label in Item.Format.choices})
        demo_items = Item.objects.filter(external_id__startswith=DEMO_ITEM_PREFIX)
        for (fmt, number), path in paths.items():
            demo_items.filter(format=fmt).alias(colour=F("pk") % len(PALETTE)).filter(
                colour=number
            ).update(image=path)
        self.progress(f"covers: {len(paths)} drawn")

    def themes(self) -> None:
        # After the catalog, so the monthly themes can pick its items and sessions.
        themes = seed_theme_year(rng=self.rng, now=timezone.now())
        self.result.themes = len(themes)
        self.progress(f"themes: {len(themes)} months planned")

    def circles(self) -> None:
        # Last: circles are run by their members, on books of the catalog.
        circles = seed_circles(rng=self.rng)
        self.result.circles = len(circles)
        self.progress(f"learning circles: {len(circles)}, one in each state")

    def insights(self) -> None:
        # The beat rolls the figures up hourly; `make run` has no beat, so the demo's HR
        # dashboard would say "no figures yet" until someone ran the task by hand.
        months = rollups_refresh()
        self.progress(f"insights: {len(months)} months rolled up")

    def recognition(self) -> None:
        # After the activity: badges are awarded from the enrollments and the circles' records.
        awards, kudos = seed_recognition()
        self.progress(f"badges: {awards} awards; kudos: {kudos}")


def demo_data_exists() -> tuple[int, int]:
    """Counts of previously generated items and employees (not the demo accounts)."""
    return (
        Item.objects.filter(external_id__startswith=DEMO_ITEM_PREFIX).count(),
        Employee.objects.filter(employee_id__startswith=DEMO_EMPLOYEE_PREFIX).count(),
    )


def demo_data_seed(
    *, employees: int, items: int, seed: int, log: Callable[[str], None] = print
) -> SeedResult:
    """Generate the demo hospital group: people, reporting lines, catalog, sessions, logins,
    monthly themes and learning circles.

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
    # The circles are made through their services, which send invites and notices when the
    # transaction commits: in a demo they would only flood the console.
    with override_settings(EMAIL_BACKEND=DEMO_EMAIL_BACKEND), transaction.atomic():
        seeder = Seeder(employees=employees, items=items, seed=seed, log=log)
        seeder.reference_data()
        seeder.people()
        seeder.catalog()
        seeder.covers()
        seeder.themes()
        seeder.circles()
        # Last: popularity is computed from every enrollment, the circles' included.
        seeder.activity()
        seeder.recognition()
        seeder.insights()
    seeder.result.seconds = time.perf_counter() - seeder.started
    return seeder.result
