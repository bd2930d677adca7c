"""The goal: managers (and everyone) engaged in elective learning this year, from rollups.

Reads only insights' own rollups (one query per table), so a dashboard request never counts
raw enrollments. Every figure goes through the privacy rules: a hidden group is not shown,
and a count that would single people out is shown as a band ("fewer than 5 of 40"); an
exact one is rounded to the nearest 5 (learning_portal.core.privacy, rule 2).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from learning_portal.core.privacy import band_partition, group_size_floor, rounded_people_count

from ..models import Dimension, GroupRollup, MonthlyKpis
from ..months import month_start, portal_zone

FILTER_DIMENSIONS = (Dimension.DEPARTMENT, Dimension.ROLE, Dimension.LOCATION, Dimension.MANAGER)


def target_band() -> tuple[float, float]:
    """The organization's target for managers engaged by year end, in percent."""
    return float(settings.INSIGHTS_TARGET_LOW), float(settings.INSIGHTS_TARGET_HIGH)


@dataclass(frozen=True)
class Figure:
    """A count over a group as it may be shown: exact, or as a band, or not at all."""

    count: int | None  # None when banded or hidden
    size: int | None
    text: str

    @property
    def percent(self) -> float | None:
        if self.count is None or not self.size:
            return None
        return 100 * self.count / self.size

    @property
    def shown(self) -> bool:
        return self.count is not None


HIDDEN = Figure(None, None, "Hidden for privacy")


def _figure(count: int, size: int, *, banded: bool, min_size: int) -> Figure:
    if not banded:
        # Rounded to the nearest 5 (core.privacy's rule 2): "engaged since 1 January" month
        # after month would otherwise tell "12 of 40" in March from "13 of 40" in April, the
        # one person who first engaged in April.
        shown = rounded_people_count(count)
        return Figure(shown, size, f"{shown:,} of {size:,}")
    if count < min_size:
        return Figure(None, size, f"fewer than {min_size} of {size:,}")
    if size - count < min_size:
        return Figure(None, size, f"more than {size - min_size:,} of {size:,}")
    # Banded only to protect another cell of the breakdown (complementary).
    return Figure(None, size, f"between {min_size} and {size - min_size:,} of {size:,}")


@dataclass(frozen=True)
class GroupOption:
    dimension: str
    value: str
    label: str


@dataclass
class MonthFigures:
    month: datetime.date
    managers: Figure
    everyone: Figure
    active_learners: Figure
    enrollments: int | None
    completions: int | None


@dataclass
class Goal:
    year: int
    dimension: str
    value: str
    label: str
    band: tuple[float, float]
    min_size: int
    months: list[MonthFigures] = field(default_factory=list)
    computed_at: datetime.datetime | None = None
    found: bool = True

    @property
    def latest(self) -> MonthFigures | None:
        return self.months[-1] if self.months else None

    def projection(self, attribute: str, *, now: datetime.datetime) -> float | None:
        """The year-end percentage if people keep engaging at the pace of the year so far.

        Pace: the share engaged now over the days gone since 1 January; so 10% after a
        quarter of the year projects to 40%, capped at 100%.
        """
        latest = self.latest
        if latest is None:
            return None
        figure: Figure = getattr(latest, attribute)
        if figure.percent is None:
            return None
        start = datetime.date(self.year, 1, 1)
        end = datetime.date(self.year + 1, 1, 1)
        today = min(timezone.localtime(now, portal_zone()).date(), end)
        elapsed = max((today - start).days, 1)
        return min(100.0, figure.percent * (end - start).days / elapsed)


def group_options(*, month: datetime.date | None = None) -> dict[str, list[GroupOption]]:
    """The groups that may be chosen as a filter (shown in the latest month), per dimension."""
    rows = GroupRollup.objects.filter(suppressed=False, dimension__in=FILTER_DIMENSIONS)
    month = month or rows.order_by("-month").values_list("month", flat=True).first()
    options: dict[str, list[GroupOption]] = {d: [] for d in FILTER_DIMENSIONS}
    if month is None:
        return options
    for dimension, value, label in (
        rows.filter(month=month).order_by("label").values_list("dimension", "value", "label")
    ):
        options[dimension].append(GroupOption(dimension, value, label))
    return options


# The people of a breakdown's hidden groups (and of no group), taken together: never shown,
# but a cell of the partition all the same, since Everyone minus the shown groups gives
# their count away.
REST = "__rest__"


def _bands_for(
    rows: list[GroupRollup], *, min_size: int, totals: dict[datetime.date, GroupRollup]
) -> dict[tuple, set]:
    """(month, metric) → the values of the partition whose count must be banded.

    `totals` holds each month's Everyone row: the shown groups' counts subtracted from it
    are the hidden groups' combined count, which band_partition treats as one more cell
    (REST), so that combination is protected like any shown group.
    """
    by_month: dict[datetime.date, list[GroupRollup]] = {}
    for row in rows:
        by_month.setdefault(row.month, []).append(row)
    metrics = {
        "everyone": (lambda c: c.engaged, lambda c: c.people, lambda c: not c.suppressed),
        "active": (lambda c: c.active_learners, lambda c: c.people, lambda c: not c.suppressed),
        "managers": (
            lambda c: c.managers_engaged,
            lambda c: c.managers,
            lambda c: not (c.suppressed or c.managers_suppressed),
        ),
    }
    banded = {}
    for month, cells in by_month.items():
        total = totals.get(month)
        for metric, (count_of, size_of, is_shown) in metrics.items():
            shown = [c for c in cells if is_shown(c)]
            partition = {c.value: (count_of(c), size_of(c)) for c in shown}
            if total is not None and not total.suppressed:
                partition[REST] = (
                    count_of(total) - sum(count_of(c) for c in shown),
                    size_of(total) - sum(size_of(c) for c in shown),
                )
            banded[(month, metric)] = band_partition(partition, min_size=min_size)
    return banded


def _with_totals(rows: list[GroupRollup], dimension: str):
    """Split rows read with the Everyone rows (one query) into (dimension's rows, totals)."""
    totals = {row.month: row for row in rows if row.dimension == Dimension.ALL}
    return [row for row in rows if row.dimension == dimension], totals


def goal_for(*, year: int, dimension: str = Dimension.ALL, value: str = "") -> Goal:
    """The year's monthly figures for one group (everyone by default), privacy applied.

    The breakdown's other groups of the same dimension are read too: whether a count is
    banded depends on the whole breakdown (complementary banding), not the group alone.
    """
    min_size = group_size_floor()
    goal = Goal(year, dimension, value, "Everyone", target_band(), min_size)
    rows, totals = _with_totals(
        list(
            GroupRollup.objects.filter(
                month__gte=datetime.date(year, 1, 1),
                month__lt=datetime.date(year + 1, 1, 1),
                dimension__in={dimension, Dimension.ALL},
            ).order_by("month")
        ),
        dimension,
    )
    own = [row for row in rows if row.value == value]
    if not own or own[-1].suppressed:
        goal.found = False
        return goal
    goal.label = own[-1].label
    goal.computed_at = max(row.computed_at for row in own)
    bands = _bands_for(rows, min_size=min_size, totals=totals)
    for row in own:
        if row.suppressed:
            continue
        month = row.month
        if row.managers_suppressed:
            managers = HIDDEN
        else:
            managers = _figure(
                row.managers_engaged,
                row.managers,
                banded=value in bands[(month, "managers")],
                min_size=min_size,
            )
        everyone = _figure(
            row.engaged, row.people, banded=value in bands[(month, "everyone")], min_size=min_size
        )
        active = _figure(
            row.active_learners,
            row.people,
            banded=value in bands[(month, "active")],
            min_size=min_size,
        )
        goal.months.append(
            MonthFigures(
                month=month,
                managers=managers,
                everyone=everyone,
                active_learners=active,
                # Event counts follow the active learners: exact only where they are.
                enrollments=row.enrollments if active.shown else None,
                completions=row.completions if active.shown else None,
            )
        )
    return goal


def kpis_for_year(*, year: int) -> list[MonthlyKpis]:
    return list(
        MonthlyKpis.objects.filter(
            month__gte=datetime.date(year, 1, 1), month__lt=datetime.date(year + 1, 1, 1)
        ).order_by("month")
    )


def current_year(now: datetime.datetime | None = None) -> int:
    return month_start(now or timezone.now()).year


@dataclass
class BreakdownRow:
    label: str
    people: int
    everyone: Figure
    managers: Figure
    active_learners: Figure


@dataclass
class Breakdown:
    dimension: str
    label: str
    month: datetime.date | None
    rows: list[BreakdownRow] = field(default_factory=list)
    hidden: int = 0


def breakdown_for(*, year: int, dimension: str) -> Breakdown:
    """The latest month's figures of every shown group of one dimension, alphabetically.

    Hidden groups are counted (how many), never named with figures. Bands follow the
    whole breakdown (complementary banding), as on the goal.
    """
    min_size = group_size_floor()
    breakdown = Breakdown(dimension, Dimension(dimension).label, None)
    month = (
        GroupRollup.objects.filter(
            dimension=dimension,
            month__gte=datetime.date(year, 1, 1),
            month__lt=datetime.date(year + 1, 1, 1),
        )
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if month is None:
        return breakdown
    breakdown.month = month
    cells, totals = _with_totals(
        list(
            GroupRollup.objects.filter(
                dimension__in={dimension, Dimension.ALL}, month=month
            ).order_by("label")
        ),
        dimension,
    )
    bands = _bands_for(cells, min_size=min_size, totals=totals)
    for cell in cells:
        if cell.suppressed:
            breakdown.hidden += 1
            continue
        breakdown.rows.append(
            BreakdownRow(
                label=cell.label,
                people=cell.people,
                everyone=_figure(
                    cell.engaged,
                    cell.people,
                    banded=cell.value in bands[(month, "everyone")],
                    min_size=min_size,
                ),
                managers=HIDDEN
                if cell.managers_suppressed
                else _figure(
                    cell.managers_engaged,
                    cell.managers,
                    banded=cell.value in bands[(month, "managers")],
                    min_size=min_size,
                ),
                active_learners=_figure(
                    cell.active_learners,
                    cell.people,
                    banded=cell.value in bands[(month, "active")],
                    min_size=min_size,
                ),
            )
        )
    return breakdown
