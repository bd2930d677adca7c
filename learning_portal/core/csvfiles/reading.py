"""Reading the CSV files admins export from spreadsheets (the catalog files, the HR feed).

Every import reads its file here, so they all accept the same files and say the same things
about bad ones: UTF-8 only (with or without the BOM Excel writes), comma, semicolon or tab
separated, a header row whose names are matched loosely ("External ID" and "ExternalID" are
`external_id`), row numbers as a spreadsheet shows them (the header is row 1).

A file that cannot be a CSV export at all (empty, binary, not UTF-8, a bad header) raises
CsvFileError. Everything wrong with one row (a shifted or truncated row, broken quoting, a
control character, a quote left open that swallowed the rows after it) comes back as that
row's `error`, so the importer rejects it by number and keeps the others.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .writing import unescape_formula

DELIMITERS = (",", ";", "\t")
# The yes/no words every import understands, in any case.
YES_WORDS = frozenset({"true", "yes", "y", "1"})
NO_WORDS = frozenset({"false", "no", "n", "0"})
# Text has tabs and line breaks; other control characters mean a binary or damaged file.
# PostgreSQL refuses NUL in text, so a row holding one must never reach the database.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Workbooks (.xlsx is a zip, old .xls an OLE2 file) and other files people pick by mistake.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"%PDF", b"\xff\xd8\xff")

FILE_EMPTY = "The file is empty."
FILE_NO_ROWS = "The file has a header row but no data rows."
FILE_BINARY = (
    "The file is not CSV text (it looks like a spreadsheet or other binary file). "
    "Save it from your spreadsheet as “CSV UTF-8” and upload that."
)
FILE_NOT_UTF8 = (
    "The file is not UTF-8 text (undecodable byte 0x{byte:02X} on row {row}). "
    "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
)
FILE_UTF16 = (
    "The file is UTF-16 text (Excel's “Unicode text”), not UTF-8. "
    "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
)
HEADER_MISSING = (
    "Missing column(s): {missing}. The first row must name the columns; it has: {found}."
)
HEADER_UNKNOWN = "Unknown column(s): {unknown}. Allowed columns: {allowed}."
HEADER_DUPLICATE = "Column(s) named more than once: {duplicates}."
HEADER_BLANK = "The header row has a column without a name (column {position})."

ROW_WRONG_LENGTH = "The row has {count} cells but the header has {expected} columns."
ROW_WRONG_LENGTH_HINT = (
    " A value holding the separator (such as “Smith, Jr.”) must be in double quotes; "
    "nothing of this row was imported."
)
ROW_NOT_CSV = "The row is not valid CSV ({error}); nothing of it was imported."
ROW_UNCLOSED_QUOTE = (
    "A double quote opened on this row is never closed, so lines {first}–{last} of the file "
    "(this row and every row after it) were read as one value; none of them was imported. "
    "Close the quote and import the file again."
)
ROW_SPANS_LINES = (
    " The row runs over lines {first}–{last} of the file: a double quote left open on it "
    "swallowed the rows on the lines after it, which were not imported either."
)
ROW_LINE_BREAK = "{column}: the value holds a line break, which this column does not allow."
ROW_CONTROL_CHARACTER = (
    "{column}: the value holds the control character 0x{byte:02X} at character {position} "
    "(from a damaged or binary file); nothing of this row was imported."
)
HEADER_CONTROL_CHARACTER = FILE_BINARY


class CsvFileError(Exception):
    """The file as a whole cannot be imported; `message` says why, for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CsvRow:
    """One data row: its spreadsheet number, its cells by column, or why it cannot be read.

    `lines` are the first and last physical lines of the file it came from (a quoted value
    may hold line breaks). A row with an `error` has no values the importer may trust.
    """

    number: int
    values: dict[str, str]
    error: str | None = None
    lines: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]


def normalize_column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def decode_upload(data: bytes) -> str:
    """The uploaded bytes as text, or CsvFileError saying why the file is not CSV UTF-8.

    Control characters after the header are the rows' business (see `read_csv`): a stray
    NUL on row 5 rejects row 5, not the file. One in the header row means a binary file.
    """
    if not data.strip():
        raise CsvFileError(FILE_EMPTY)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError(FILE_UTF16)
    header_line = data.lstrip(b"\r\n\xef\xbb\xbf").split(b"\n", 1)[0]
    if data.startswith(BINARY_SIGNATURES) or CONTROL_CHARACTERS.search(
        header_line.decode("latin-1")
    ):
        raise CsvFileError(FILE_BINARY)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(FILE_NOT_UTF8.format(byte=data[exc.start], row=row)) from None


def detect_delimiter(first_line: str) -> str:
    # The header holds only column names, so the separator is simply its most common one.
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(
    data: bytes,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    unknown_columns: Literal["refuse", "ignore"] = "refuse",
    multiline: Sequence[str] = (),
) -> CsvTable:
    """Parse an uploaded CSV file into rows keyed by normalized column name.

    Raises CsvFileError for a file that cannot be imported at all: empty, binary, not
    UTF-8, a header with missing, blank or repeated columns (or unknown ones, unless
    `unknown_columns="ignore"`, which drops them), or no data rows. A row that cannot be
    trusted comes back with `error` set rather than failing the file: a cell count that
    differs from the header's, broken quoting, a control character, a line break in a column
    not listed in `multiline`, or a quote left open that swallowed the rest of the file.
    Entirely blank rows (spreadsheets leave them at the end) are skipped but keep their
    number; cell values are stripped and formula-unescaped (see `escape_formula`).
    """
    text = decode_upload(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    records = _records(text, delimiter=detect_delimiter(first_line))
    if not records:
        raise CsvFileError(FILE_EMPTY)
    header = records[0]
    if header.error:
        raise CsvFileError(FILE_BINARY)
    known = [*required, *optional]
    columns = _header(header.cells, known=known, ignore_unknown=unknown_columns == "ignore")
    found = [name for name in map(normalize_column, header.cells) if name]
    _check_header(columns, found=found, required=required, known=known)
    rows = [
        _row(record, columns, width=len(header.cells), multiline=frozenset(multiline))
        for record in records[1:]
    ]
    if not rows:
        raise CsvFileError(FILE_NO_ROWS)
    return CsvTable(columns=[column for column in columns if column], rows=rows)


@dataclass
class _Record:
    number: int
    cells: list[str]
    lines: tuple[int, int]
    error: str | None = None


def _records(text: str, *, delimiter: str) -> list[_Record]:
    """Every non-blank record, numbered as a spreadsheet numbers rows.

    Strict quoting: a stray quote is that record's error and reading goes on with the next
    line, so one bad row cannot hide the good ones after it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = []
    number = 0
    last_line = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines = (last_line + 1, reader.line_num)
            last_line = reader.line_num
            if str(exc) == "unexpected end of data":
                error = ROW_UNCLOSED_QUOTE.format(first=lines[0], last=lines[1])
            else:
                error = ROW_NOT_CSV.format(error=exc) + _span_note(lines)
            records.append(_Record(number, [], lines, error))
            continue
        lines = (last_line + 1, reader.line_num)
        last_line = reader.line_num
        if any(cell.strip() for cell in cells):
            records.append(_Record(number, cells, lines))
    return records


def _span_note(lines: tuple[int, int]) -> str:
    return ROW_SPANS_LINES.format(first=lines[0], last=lines[1]) if lines[1] > lines[0] else ""


def _letters(name: str) -> str:
    return name.replace("_", "")


def _header(cells: list[str], *, known: Sequence[str], ignore_unknown: bool) -> list[str | None]:
    """Each header cell's column name; None for a column whose values are dropped."""
    by_letters = {_letters(column): column for column in known}
    names = [normalize_column(cell) for cell in cells]
    # Spreadsheets often leave empty cells after the last named column; `_row` drops the
    # matching empty cells of the data rows.
    while names and not names[-1]:
        names.pop()
    columns: list[str | None] = []
    for name in names:
        name = by_letters.get(_letters(name), name)
        if ignore_unknown and name not in known:
            columns.append(None)
        else:
            columns.append(name)
    return columns


def _check_header(columns: list[str | None], *, found: list[str], required, known) -> None:
    # Missing columns first: for a file that is not the expected one at all, that is the
    # message that explains it.
    missing = [column for column in required if column not in columns]
    if missing:
        names = ", ".join(found) or "no column names"
        if len(names) > 200:
            # A text file that is not the expected one can have a "header" of any length.
            names = names[:200].rstrip() + "…"
        raise CsvFileError(HEADER_MISSING.format(missing=", ".join(missing), found=names))
    for position, column in enumerate(columns, start=1):
        if column == "":
            raise CsvFileError(HEADER_BLANK.format(position=position))
    named = [column for column in columns if column]
    duplicates = sorted({column for column in named if named.count(column) > 1})
    if duplicates:
        raise CsvFileError(HEADER_DUPLICATE.format(duplicates=", ".join(duplicates)))
    unknown = [column for column in named if column not in known]
    if unknown:
        raise CsvFileError(
            HEADER_UNKNOWN.format(unknown=", ".join(unknown), allowed=", ".join(known))
        )


def _row(
    record: _Record, columns: list[str | None], *, width: int, multiline: frozenset[str]
) -> CsvRow:
    """The record's cells by column, or the reason it cannot be trusted.

    `width` is the header's cell count before its trailing blank cells were dropped: a
    spreadsheet's ragged edge gives rows that many cells, the extra ones empty. A row with
    more cells than that, even empty ones, is a shifted row ("Smith, Jr." with a blank last
    column) whose values would land in the wrong columns.
    """

    def refused(message: str) -> CsvRow:
        return CsvRow(record.number, {}, error=message, lines=record.lines)

    if record.error:
        return refused(record.error)
    cells = record.cells
    if len(cells) != len(columns):
        ragged_edge = len(columns) < len(cells) <= width and not any(
            cell.strip() for cell in cells[len(columns) :]
        )
        if not ragged_edge:
            message = ROW_WRONG_LENGTH.format(count=len(cells), expected=len(columns))
            return refused(message + (_span_note(record.lines) or ROW_WRONG_LENGTH_HINT))
        cells = cells[: len(columns)]
    values = {}
    for column, cell in zip(columns, cells, strict=True):
        if column is None:
            continue
        control = CONTROL_CHARACTERS.search(cell)
        if control:
            byte = ord(control.group())
            return refused(
                ROW_CONTROL_CHARACTER.format(column=column, byte=byte, position=control.start() + 1)
            )
        value = cell.strip()
        if column not in multiline and ("\n" in value or "\r" in value):
            return refused(ROW_LINE_BREAK.format(column=column) + _span_note(record.lines))
        values[column] = unescape_formula(value)
    return CsvRow(record.number, values, lines=record.lines)


def yes_no(value: str) -> bool | None:
    """True or False for a yes/no word (any case, spaces trimmed); None for anything else.

    A blank cell is None too: what it means (no, or "unchanged") is the importer's choice.
    """
    word = value.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None
