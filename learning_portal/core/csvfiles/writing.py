"""Writing CSV files that spreadsheets open safely (every export of the portal).

A cell that starts with `= + - @`, a tab or a carriage return is run as a formula by
spreadsheet programs (OWASP's "CSV injection"). The file is written with commas, but a
spreadsheet set to split on `;`, tabs or `|` cuts a cell such as `a;=HYPERLINK(...)` in two
and runs the second half. So every *segment* that starts a formula, after the start of the
cell or after any character a spreadsheet may split on, gets an apostrophe in front. The
import (`read_csv`) removes exactly one such apostrophe again, so a round trip is lossless;
a segment that already starts with apostrophes before a formula character gets one more, so
text typed as `'=x` survives too.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet may split cells or rows on, whatever separator it guesses.
SEPARATORS = (",", ";", "\t", "|", "\r", "\n")

_SEPARATOR_CLASS = "".join(re.escape(character) for character in SEPARATORS)
_TRIGGER_CLASS = "".join(re.escape(character) for character in FORMULA_TRIGGERS)
# A segment starts at the start of the cell or after a separator and any spaces.
_SEGMENT_START = rf"(^|[{_SEPARATOR_CLASS}] *)"
_ESCAPE = re.compile(rf"{_SEGMENT_START}(?='*[{_TRIGGER_CLASS}])")
_UNESCAPE = re.compile(rf"{_SEGMENT_START}'(?='*[{_TRIGGER_CLASS}])")


def escape_formula(value: str) -> str:
    """The cell with an apostrophe before every segment that would start a formula."""
    return _ESCAPE.sub(r"\1'", value)


def unescape_formula(value: str) -> str:
    """`escape_formula` undone: one apostrophe less before each formula segment."""
    if "'" not in value:
        return value
    return _UNESCAPE.sub(r"\1", value)


def cell_text(value) -> str:
    """Any value as the text of a cell: None is empty, everything else its str()."""
    return "" if value is None else str(value)


class _Echo:
    """A file-like object whose write() hands the line back, so rows can be yielded."""

    def write(self, value: str) -> str:
        return value


def iter_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header and rows as CSV lines (CRLF), formula-escaping every cell.

    Lazy, so a streaming response sends a large export without holding it in memory. Values
    are written as given (callers format dates and numbers; None is empty), so the output
    reads back with `read_csv` unchanged.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([escape_formula(cell_text(column)) for column in columns])
    for row in rows:
        yield writer.writerow([escape_formula(cell_text(value)) for value in row])


def write_csv(out, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write `iter_csv` to a text stream; returns the number of data rows written."""
    lines = iter_csv(columns, rows)
    out.write(next(lines))
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file as one string (small exports: one person's transcript, a roster)."""
    return "".join(iter_csv(columns, rows))


def csv_response(
    *, filename: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A download of the rows as `filename`, never stored by a cache on the way."""
    response = HttpResponse(csv_text(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
