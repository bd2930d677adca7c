"""Reading the HR feed: the file's checks, its columns, and each row's checks.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from learning_portal.core import csvfiles
from learning_portal.core.csvfiles import CsvFileError, decode_upload, detect_delimiter, yes_no

REQUIRED_COLUMNS = ("employee_id", "email", "first_name", "last_name")
OPTIONAL_COLUMNS = (
    "department",
    "role",
    "job_title",
    "location",
    "is_manager",
    "manager_employee_id",
    "active",
)
_KNOWN_BY_LETTERS = {name.replace("_", ""): name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
# Text files have tabs and line breaks; other control characters mean binary or corruption.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LENGTHS = {
    "employee_id": 64,
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "department": 120,
    "role": 120,
    "job_title": 200,
    "location": 200,
    "manager_employee_id": 64,
}


# File-level messages shared with every CSV upload in the portal.
FILE_EMPTY = csvfiles.FILE_EMPTY
FILE_BINARY = csvfiles.FILE_BINARY
FILE_NOT_UTF8 = csvfiles.FILE_NOT_UTF8
FILE_UTF16 = csvfiles.FILE_UTF16
FILE_TOO_LARGE = "The file is larger than 50 MB: split it or check that it is the HR feed."
FILE_NOT_CSV = "The file is not valid CSV ({error}, row {row})."
FILE_NO_DATA_ROWS = csvfiles.FILE_NO_ROWS
FILE_MISSING_COLUMNS = (
    "The file is missing required columns: {missing}. Its header row has: {found}."
)
FILE_DUPLICATE_COLUMNS = "The header row names these columns more than once: {columns}."
FILE_NO_FILE = "Choose a CSV file to import."

ROW_MISSING_VALUES = "missing required value: {columns}"
ROW_TOO_LONG = "{column} is longer than {limit} characters"
ROW_INVALID_EMAIL = "email '{value}' is not a valid email address"
ROW_BAD_BOOLEAN = "{column} must be true/false, yes/no, y/n or 1/0, not '{value}'"
ROW_NO_SLUG = "{column} '{value}' has no letters or digits"
ROW_CONTROL_CHARACTERS = "{column} contains control characters"


@dataclass
class FeedRow:
    number: int
    values: dict[str, str]


@dataclass
class Feed:
    columns: frozenset[str]
    rows: list[FeedRow]


def normalize_column(name: str) -> str:
    """ "Employee ID", "EmployeeID" and "employee_id" are the same column, as are "E-mail"
    and "email"; an unknown column keeps its snake_case name for the error message."""
    normalized = "_".join(name.strip().lower().replace("-", " ").split())
    return _KNOWN_BY_LETTERS.get(normalized.replace("_", ""), normalized)


def feed_from_bytes(data: bytes) -> Feed:
    """Parse the uploaded bytes, or raise ValidationError saying why the file is unusable."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_LARGE)
    try:
        text = decode_upload(data)
    except CsvFileError as error:
        raise ValidationError(str(error)) from None
    if CONTROL_CHARACTERS.search(text, 0, 4096):
        raise ValidationError(FILE_BINARY)
    return feed_from_text(text)


def feed_from_text(text: str) -> Feed:
    # Excel in many European locales saves "CSV" with semicolons.
    delimiter = detect_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        raise ValidationError(FILE_NOT_CSV.format(error=error, row=len(records) + 1)) from None
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
    if not records:
        raise ValidationError(FILE_EMPTY)
    header = [normalize_column(name) for name in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {}
        for name, value in zip(header, record, strict=False):
            if name and name not in values:
                values[name] = value
        rows.append(FeedRow(number=number, values=values))
    return _checked_feed(header, rows)


def feed_from_rows(rows: Iterable[Mapping[str, object]]) -> Feed:
    """Rows already split into columns (e.g. from an API), numbered as if under a header."""
    header: list[str] = []
    feed_rows = []
    for number, row in enumerate(rows, start=2):
        values = {}
        for name, value in row.items():
            column = normalize_column(str(name))
            if column not in header:
                header.append(column)
            values[column] = "" if value is None else str(value)
        feed_rows.append(FeedRow(number=number, values=values))
    if not header and not feed_rows:
        raise ValidationError(FILE_EMPTY)
    return _checked_feed(header, feed_rows)


def _checked_feed(header: list[str], rows: list[FeedRow]) -> Feed:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    duplicated = sorted({name for name in header if name in known and header.count(name) > 1})
    if duplicated:
        raise ValidationError(FILE_DUPLICATE_COLUMNS.format(columns=", ".join(duplicated)))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        found = ", ".join(name for name in header if name) or "no column names"
        if len(found) > 200:
            # A text file that is not the feed can have a "header" of any length.
            found = found[:200].rstrip() + "…"
        raise ValidationError(FILE_MISSING_COLUMNS.format(missing=", ".join(missing), found=found))
    if not rows:
        raise ValidationError(FILE_NO_DATA_ROWS)
    for row in rows:
        row.values = {name: row.values.get(name, "").strip() for name in header if name in known}
    return Feed(columns=frozenset(name for name in header if name in known), rows=rows)


@dataclass
class Person:
    """One row, checked and cleaned. Optional fields are None when their column is absent,
    which leaves the stored value as it is."""

    row: int
    employee_id: str
    email: str
    first_name: str
    last_name: str
    department: str | None = None
    role: str | None = None
    job_title: str | None = None
    location: str | None = None
    is_manager: bool | None = None
    manager_employee_id: str | None = None
    active: bool | None = None


def clean_row(row: FeedRow, columns: frozenset[str]) -> tuple[Person | None, list[str]]:
    values = row.values
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if not values.get(name)]
    if missing:
        problems.append(ROW_MISSING_VALUES.format(columns=", ".join(missing)))
    for column, value in values.items():
        if CONTROL_CHARACTERS.search(value):
            problems.append(ROW_CONTROL_CHARACTERS.format(column=column))
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            problems.append(ROW_TOO_LONG.format(column=column, limit=limit))
    email = values.get("email", "").lower()
    if email and len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(ROW_INVALID_EMAIL.format(value=values["email"]))
    for column in ("department", "role"):
        value = values.get(column, "")
        if value and not slugify(value):
            problems.append(ROW_NO_SLUG.format(column=column, value=value))
    flags: dict[str, bool | None] = {}
    for column in ("is_manager", "active"):
        if column not in columns:
            flags[column] = None
            continue
        value = values[column]
        if not value:
            # A blank manager flag means "not a manager"; a blank active flag changes nothing.
            flags[column] = False if column == "is_manager" else None
            continue
        flags[column] = yes_no(value)
        if flags[column] is None:
            problems.append(ROW_BAD_BOOLEAN.format(column=column, value=value))
    if problems:
        return None, problems

    def optional(column):
        return values[column] if column in columns else None

    return (
        Person(
            row=row.number,
            employee_id=values["employee_id"],
            email=email,
            first_name=values["first_name"],
            last_name=values["last_name"],
            department=optional("department"),
            role=optional("role"),
            job_title=optional("job_title"),
            location=optional("location"),
            is_manager=flags["is_manager"],
            manager_employee_id=optional("manager_employee_id"),
            active=flags["active"],
        ),
        [],
    )
