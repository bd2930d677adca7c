"""The organization-wide KPIs (widget funnel, waitlists, circles, themes) from MonthlyKpis.

These are counts over the whole organization: there is no breakdown to protect, but a count
of people still shows as "fewer than 5" below the group floor, and a share of a group
("retained") follows the both-sides rule (`count_is_shareable`). Shown people counts are
rounded to the nearest 5 (core.privacy's rule 2): each month's running figure beside the
last one would otherwise tell the few people between them.
"""

from dataclasses import dataclass, field

from learning_portal.core.privacy import count_is_shareable, group_size_floor, rounded_people_count

from ..models import MonthlyKpis


def people_text(count: int, *, min_size: int) -> str:
    if count == 0:
        return "0"
    return f"{rounded_people_count(count):,}" if count >= min_size else f"fewer than {min_size}"


def share_text(count: int, size: int, *, min_size: int) -> str:
    if size < min_size:
        return "too few to show"
    if count_is_shareable(count=count, group_size=size, min_size=min_size):
        count, size = rounded_people_count(count), rounded_people_count(size)
        return f"{count:,} of {size:,} ({100 * count / size:.0f}%)"
    if count < min_size:
        return f"fewer than {min_size} of {size:,}"
    return f"more than {size - min_size:,} of {size:,}"


@dataclass
class ThemeUptake:
    title: str
    month: str
    people: str


@dataclass
class KpiFigures:
    month_label: str
    widget_month: dict
    widget_year: dict
    click_rate: str
    enroll_rate: str
    waitlist_joins: int
    waiting_people: str
    waiting_sessions: int
    suggestion_lead: str
    suggestion_note: str
    circle_participants: str
    circle_retained: str
    circle_repeat: str
    themes: list[ThemeUptake] = field(default_factory=list)


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def kpi_figures(rows: list[MonthlyKpis]) -> KpiFigures:
    """The KPIs of the last of `rows` (a year's months in order), with year-to-date sums."""
    min_size = group_size_floor()
    latest = rows[-1].data
    year = {
        key: sum(row.data["widget"][key] for row in rows)
        for key in ("impressions", "clicks", "enrollments")
    }
    lead = latest["suggestion_lead"]
    if lead["count"] >= min_size:
        suggestion_lead = f"{lead['median_days']:g} days"
        suggestion_note = f"median of {lead['count']:,} enrollments after a suggestion"
    else:
        suggestion_lead = "too few yet"
        suggestion_note = f"shown from {min_size} enrollments after a suggestion"
    circles = latest["circles"]
    participants = circles["participants"]
    return KpiFigures(
        month_label=f"{rows[-1].month:%B %Y}",
        widget_month=latest["widget"],
        widget_year=year,
        click_rate=_rate(year["clicks"], year["impressions"]),
        enroll_rate=_rate(year["enrollments"], year["clicks"]),
        waitlist_joins=latest["waitlist_joins"],
        waiting_people=people_text(latest["waitlist_now"]["people"], min_size=min_size),
        waiting_sessions=latest["waitlist_now"]["sessions"],
        suggestion_lead=suggestion_lead,
        suggestion_note=suggestion_note,
        circle_participants=people_text(participants, min_size=min_size),
        circle_retained=share_text(circles["retained"], participants, min_size=min_size),
        circle_repeat=share_text(circles["repeat"], participants, min_size=min_size),
        themes=[
            ThemeUptake(
                title=theme["title"],
                month=theme["month"],
                people=people_text(theme["people"], min_size=min_size),
            )
            for theme in latest["themes"]
        ],
    )
