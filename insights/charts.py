"""Server-rendered SVG charts: a line (with a target band), bars and a funnel.

Each chart is plain SVG markup built here, with no script and no inline style (the CSP
forbids both): the look comes from classes in insights/static/insights/insights.css, so
it prints and follows the page's colours. A chart carries what a person needs without the
picture: a `<title>` and `<desc>` for screen readers, a one-sentence summary, and the data
as a table (shown beside the chart) and as CSV (`Chart.csv_rows`).

Build a chart with `line_chart`, `bar_chart` or `funnel_chart` and render it with the
`insights/includes/chart.html` include.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    # "actual" (solid) or "projection" (dashed); also the CSS class of the line.
    kind: str = "actual"


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    summary: str
    columns: list[str]
    rows: list[list[str]]
    svg: SafeString = field(default=SafeString(""))

    @property
    def csv_rows(self) -> list[list[str]]:
        return self.rows


def _html(template: str, *args) -> SafeString:
    """format_html with coordinates rounded to one decimal (format_html escapes every
    argument to text first, so it cannot apply a number format itself)."""
    return format_html(template, *(f"{a:.1f}" if isinstance(a, float) else a for a in args))


def _html_join(template: str, rows) -> SafeString:
    return mark_safe("".join(_html(template, *row) for row in rows))


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value}"
    return f"{text}{unit}"


def _svg(slug: str, title: str, description: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        slug,
        slug,
        slug,
        title,
        slug,
        description,
        body,
    )


def _y_axis(y_max: float, unit: str) -> tuple[SafeString, callable]:
    plot_h = HEIGHT - TOP - BOTTOM
    # Round steps: a top of 5, 50 or 2.5 splits in five, 1, 2 or 10 in four.
    leading = y_max / 10 ** math.floor(math.log10(y_max)) if y_max > 0 else 1
    ticks = 5 if leading in (2.5, 5) else 4

    def y(value: float) -> float:
        return TOP + plot_h - (value / y_max) * plot_h if y_max else TOP + plot_h

    lines = []
    for i in range(ticks + 1):
        value = y_max * i / ticks
        lines.append(
            _html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y(value),
                y(value),
                LEFT - 6,
                y(value) + 4,
                _number(round(value, 1) if y_max < 10 else round(value), unit),
            )
        )
    return mark_safe("".join(lines)), y


def _nice_max(value: float) -> float:
    """A round axis top at or above the value (1, 2, 2.5, 5 × a power of ten)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def line_chart(
    *,
    slug: str,
    title: str,
    description: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    band: tuple[float, float] | None = None,
    band_label: str = "Target",
    unit: str = "",
    y_max: float | None = None,
) -> Chart:
    """A line per series over the labels (months), with an optional shaded target band.

    A None value leaves a gap (a month not reached yet, or hidden for privacy).
    """
    values = [v for s in series for v in s.values if v is not None]
    top = y_max or _nice_max(max([*values, *(band or ())], default=1) * 1.1)
    grid, y = _y_axis(top, unit)
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    parts = [grid]
    if band:
        parts.append(
            _html(
                '<rect class="chart-band" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="chart-band-label" x="{}" y="{}">{} {}–{}</text>',
                LEFT,
                y(band[1]),
                plot_w,
                y(band[0]) - y(band[1]),
                LEFT + 6,
                y(band[1]) - 4,
                band_label,
                _number(band[0], unit),
                _number(band[1], unit),
            )
        )
    for index, s in enumerate(series):
        segments, current = [], []
        for i, value in enumerate(s.values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x(i), y(value)))
        if current:
            segments.append(current)
        for points in segments:
            parts.append(
                _html(
                    '<polyline class="chart-line chart-{} chart-series-{}" points="{}"/>',
                    s.kind,
                    index,
                    " ".join(f"{px:.1f},{py:.1f}" for px, py in points),
                )
            )
            parts.append(
                _html_join(
                    '<circle class="chart-dot chart-series-{}" cx="{}" cy="{}" r="3"/>',
                    ((index, px, py) for px, py in points),
                )
            )
    every = max(1, len(labels) // 6 + (1 if len(labels) > 8 else 0))
    parts.append(
        _html_join(
            '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            (
                (x(i), HEIGHT - BOTTOM + 18, label)
                for i, label in enumerate(labels)
                if i % every == 0
            ),
        )
    )
    parts.append(_legend(series))
    # The band is the same every month: it is in the summary, not a column of the table.
    columns = ["Month", *(s.name for s in series)]
    rows = [
        [label, *(_number(s.values[i], unit) for s in series)] for i, label in enumerate(labels)
    ]
    svg = _svg(slug, title, description, mark_safe("".join(parts)))
    return Chart(slug, title, description, summary, columns, rows, svg)


def _legend(series: Sequence[Series]) -> SafeString:
    if len(series) < 2:
        return SafeString("")
    return _html_join(
        '<line class="chart-line chart-{} chart-series-{}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-legend" x="{}" y="{}">{}</text>',
        (
            (
                s.kind,
                i,
                LEFT + i * 190,
                LEFT + i * 190 + 24,
                HEIGHT - 8,
                HEIGHT - 8,
                LEFT + i * 190 + 30,
                HEIGHT - 4,
                s.name,
            )
            for i, s in enumerate(series)
        ),
    )


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    value_name: str,
    label_name: str = "Month",
    unit: str = "",
) -> Chart:
    """Vertical bars, one per label; None is a gap (hidden or not reached)."""
    top = _nice_max(max([v for v in values if v is not None], default=1) * 1.1)
    if not unit:
        top = max(top, 4)  # counts: whole-number ticks even when they are all small
    grid, y = _y_axis(top, unit)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.64
    parts = [grid]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        cx = LEFT + slot * i + slot / 2
        if value is not None:
            parts.append(
                _html(
                    '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    cx - bar_w / 2,
                    y(value),
                    bar_w,
                    y(0) - y(value),
                    label,
                    _number(value, unit),
                )
            )
        parts.append(
            _html(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                cx,
                HEIGHT - BOTTOM + 18,
                label if len(labels) <= 12 else label[:3],
            )
        )
    rows = [[label, _number(value, unit)] for label, value in zip(labels, values, strict=True)]
    svg = _svg(slug, title, description, mark_safe("".join(parts)))
    return Chart(slug, title, description, summary, [label_name, value_name], rows, svg)


def hbar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    value_name: str,
    label_name: str,
    unit: str = "",
) -> Chart:
    """Horizontal bars, one row per label (for categories with long names); None shows
    "not shown" instead of a bar. The picture grows with the rows."""
    row_h, label_w = 26, 200
    height = TOP + row_h * max(len(labels), 1) + 8
    top = _nice_max(max([v for v in values if v is not None], default=1) * 1.1)
    plot_w = WIDTH - label_w - 70
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * row_h
        text = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            _html(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                label_w - 8,
                y + 17,
                text,
            )
        )
        if value is None:
            parts.append(
                _html(
                    '<text class="chart-tick" x="{}" y="{}">not shown (a range)</text>',
                    label_w,
                    y + 17,
                )
            )
            continue
        width = max(plot_w * value / top, 1.0)
        parts.append(
            _html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="chart-tick" x="{}" y="{}">{}</text>',
                label_w,
                y + 4,
                width,
                row_h - 8,
                label_w + width + 6,
                y + 17,
                _number(value, unit),
            )
        )
    rows = [[label, _number(value, unit)] for label, value in zip(labels, values, strict=True)]
    svg = _html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH, height, slug, slug, slug, title, slug, description, mark_safe("".join(parts)),
    )  # fmt: skip
    return Chart(slug, title, description, summary, [label_name, value_name], rows, svg)


def funnel_chart(
    *,
    slug: str,
    title: str,
    description: str,
    summary: str,
    stages: Sequence[tuple[str, int]],
) -> Chart:
    """Horizontal bars narrowing stage by stage, each with its share of the first stage."""
    first = stages[0][1] if stages else 0
    band_h = (HEIGHT - TOP - 8) / max(len(stages), 1)
    parts = []
    rows = []
    for i, (label, value) in enumerate(stages):
        share = value / first if first else 0
        width = max((WIDTH - 2 * LEFT) * share, 2)
        top = TOP + i * band_h
        percent = f"{share * 100:.1f}%" if first else "—"
        parts.append(
            _html(
                '<rect class="chart-funnel chart-series-{}" x="{}" y="{}" width="{}" '
                'height="{}"/><text class="chart-funnel-label" x="{}" y="{}" '
                'text-anchor="middle">{}: {} ({})</text>',
                i,
                (WIDTH - width) / 2,
                top,
                width,
                band_h * 0.7,
                WIDTH // 2,
                top + band_h * 0.7 + 14,
                label,
                f"{value:,}",
                percent,
            )
        )
        rows.append([label, f"{value:,}", percent])
    svg = _svg(slug, title, description, mark_safe("".join(parts)))
    return Chart(
        slug, title, description, summary, ["Stage", "Count", "Of the first stage"], rows, svg
    )
