"""A circle's archive as Markdown, for pasting or importing into Notion."""

from django.utils.formats import date_format

from notifications.services import absolute_url

from .models import Circle
from .selectors import ArchiveWeek, circle_archive_weeks


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def archive_markdown(*, circle: Circle) -> str:
    """The plan, published summaries and key insights per week, and consented quotes
    (without names). Nothing unpublished, nothing from the discussion itself."""
    facilitators = ", ".join(
        u.get_full_name() or u.email for u in circle.facilitators.order_by("last_name")
    )
    lines = [
        f"# {circle.title}",
        "",
        f"*{circle.reading}* — {circle.plan.count()} weeks from "
        f"{date_format(circle.start_date, 'j F Y')}, facilitated by {facilitators}.",
        "",
        f"Source: {absolute_url(circle.get_absolute_url())}",
        "",
    ]
    for entry in circle_archive_weeks(circle=circle):
        lines += [f"## Week {entry.week.week}: {entry.week.title}", "", week_markdown(entry), ""]
    return "\n".join(lines).rstrip() + "\n"


def week_markdown(entry: ArchiveWeek) -> str:
    """One week of the archive: its published summary, key insights and quotes (the body
    of the week's section above, and of the week's own page in Notion)."""
    lines: list[str] = []
    wrapup = entry.wrapup
    if wrapup and wrapup.summary:
        lines += [wrapup.summary, ""]
    if wrapup and wrapup.insight_list:
        lines += ["**Key insights**", ""]
        lines += [f"- {insight}" for insight in wrapup.insight_list]
        lines.append("")
    for quote in entry.quotes:
        lines += [_quote_block(quote.text), ""]
    if not wrapup and not entry.quotes:
        lines += ["*Nothing published for this week.*", ""]
    return "\n".join(lines).rstrip()
