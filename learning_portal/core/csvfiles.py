"""Reading and writing the CSV files admins exchange with spreadsheets.

Shared by every import and export (catalog, HR) so they all accept the same files and say
the same things about bad ones: UTF-8 only (with or without the BOM Excel writes), comma,
semicolon or tab separated, a header row whose names are matched loosely ("External ID" is
`external_id`), row numbers as a spreadsheet shows them (the header is row 1).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# Cells starting with one of these are run as formulas by spreadsheet programs; exports
# prefix them with an apostrophe so a title like "=HYPERLINK(...)" stays text (OWASP's
# "CSV injection" advice). Imports remove that prefix again so a round trip is lossless.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")
# The yes/no words every import understands, in any case.
YES_WORDS = frozenset({"true", "yes", "y", "1"})
NO_WORDS = frozenset({"false", "no", "n", "0"})

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
FILE_UNREADABLE = "The file could not be read as CSV: {error}."
HEADER_MISSING = "Missing column(s): {missing}. The first row must name the columns."
HEADER_UNKNOWN = "Unknown column(s): {unknown}. Allowed columns: {allowed}."
HEADER_DUPLICATE = "Column(s) named more than once: {duplicates}."
HEADER_BLANK = "The header row has a column without a name (column {position})."
ROW_WRONG_LENGTH = "The row has {count} cells but the header has {expected} columns."


class CsvFileError(Exception):
    """The file as a whole cannot be imported; `message` says why, for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CsvRow:
    number: int
    values: dict[str, str]
    error: str | None = None


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]


def normalize_column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def escape_formula(value: str) -> str:
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def decode_upload(data: bytes) -> str:
    """The uploaded bytes as text, or CsvFileError saying why the file is not CSV UTF-8."""
    if not data.strip():
        raise CsvFileError(FILE_EMPTY)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError(FILE_UTF16)
    # NUL never occurs in UTF-8 text; an .xlsx is a zip ("PK"), an old .xls an OLE2 file.
    if b"\x00" in data[:8192] or data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
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


def read_csv(data: bytes, *, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Parse an uploaded CSV file into rows keyed by normalized column name.

    Raises CsvFileError for a file that cannot be imported at all: empty, binary, not
    UTF-8, unparseable, a header with missing, unknown, blank or repeated columns, or no
    data rows. A row whose cell count differs from the header's comes back with `error`
    set rather than failing the file. Entirely blank rows (spreadsheets leave them at the
    end) are skipped; cell values are stripped and unescaped (see `escape_formula`).
    """
    text = decode_upload(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))
    try:
        # Row numbers count records, as a spreadsheet does (a quoted cell may span lines);
        # blank records keep their number so later rows match what the admin sees.
        records = [
            (number, record)
            for number, record in enumerate(reader, start=1)
            if any(cell.strip() for cell in record)
        ]
    except csv.Error as exc:
        raise CsvFileError(FILE_UNREADABLE.format(error=exc)) from None
    if not records:
        raise CsvFileError(FILE_EMPTY)
    columns = [normalize_column(name) for name in records[0][1]]
    # Spreadsheets often leave empty cells after the last named column; `_row` drops the
    # matching empty cells of the data rows.
    while columns and not columns[-1]:
        columns.pop()
    _check_header(columns, required=required, optional=optional)
    rows = [_row(number, record, columns) for number, record in records[1:]]
    if not rows:
        raise CsvFileError(FILE_NO_ROWS)
    return CsvTable(columns=columns, rows=rows)


def _row(number: int, record: list[str], columns: list[str]) -> CsvRow:
    if len(record) != len(columns):
        # Trailing empty cells (a spreadsheet's ragged edge) are harmless; anything else is
        # a shifted row whose values would land in the wrong columns.
        if len(record) > len(columns) and not any(c.strip() for c in record[len(columns) :]):
            record = record[: len(columns)]
        else:
            message = ROW_WRONG_LENGTH.format(count=len(record), expected=len(columns))
            return CsvRow(number=number, values={}, error=message)
    values = {
        column: unescape_formula(cell.strip()) for column, cell in zip(columns, record, strict=True)
    }
    return CsvRow(number=number, values=values)


def _check_header(columns: list[str], *, required: Sequence[str], optional: Sequence[str]):
    # Missing columns first: for a file that is not the expected one at all, that is the
    # message that explains it.
    missing = [column for column in required if column not in columns]
    if missing:
        raise CsvFileError(HEADER_MISSING.format(missing=", ".join(missing)))
    for position, column in enumerate(columns, start=1):
        if not column:
            raise CsvFileError(HEADER_BLANK.format(position=position))
    duplicates = sorted({column for column in columns if columns.count(column) > 1})
    if duplicates:
        raise CsvFileError(HEADER_DUPLICATE.format(duplicates=", ".join(duplicates)))
    allowed = [*required, *optional]
    unknown = [column for column in columns if column not in allowed]
    if unknown:
        raise CsvFileError(
            HEADER_UNKNOWN.format(unknown=", ".join(unknown), allowed=", ".join(allowed))
        )


class _Echo:
    """A file-like object whose write() hands the line back, so rows can be yielded."""

    def write(self, value: str) -> str:
        return value


def iter_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The header and rows as CSV lines, formula-escaping every cell.

    Lazy, so a streaming response sends a large export without holding it in memory. Values
    are written as given (callers format dates and numbers), so the output reads back with
    `read_csv` unchanged.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([escape_formula(value) for value in row])


def write_csv(out, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write `iter_csv` to a text stream; returns the number of data rows written."""
    lines = iter_csv(columns, rows)
    out.write(next(lines))
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


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
