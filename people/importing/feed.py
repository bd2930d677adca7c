"""Reading the HR feed: the file's checks, its columns, and each row's checks.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from learning_portal.core import csvfiles
from learning_portal.core.csvfiles import CONTROL_CHARACTERS, CsvFileError, CsvRow, read_csv, yes_no

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
FILE_NO_DATA_ROWS = csvfiles.FILE_NO_ROWS
FILE_MISSING_COLUMNS = csvfiles.HEADER_MISSING
FILE_DUPLICATE_COLUMNS = csvfiles.HEADER_DUPLICATE
FILE_NO_FILE = "Choose a CSV file to import."

ROW_MISSING_VALUES = "missing required value: {columns}"
ROW_TOO_LONG = "{column} is longer than {limit} characters"
ROW_INVALID_EMAIL = "email '{value}' is not a valid email address"
ROW_BAD_BOOLEAN = "{column} must be true/false, yes/no, y/n or 1/0, not '{value}'"
ROW_NO_SLUG = "{column} '{value}' has no letters or digits"
ROW_CONTROL_CHARACTERS = "{column} contains control characters"


@dataclass
class Feed:
    columns: frozenset[str]
    rows: list[CsvRow]

    @property
    def unreadable_rows(self) -> list[int]:
        """Rows whose cells could not be trusted: who they name is not known."""
        return [row.number for row in self.rows if row.error]


def normalize_column(name: str) -> str:
    """ "Employee ID", "EmployeeID" and "employee_id" are the same column, as are "E-mail"
    and "email"; an unknown column keeps its snake_case name for the error message."""
    normalized = csvfiles.normalize_column(name)
    known = {column.replace("_", ""): column for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    return known.get(normalized.replace("_", ""), normalized)


def feed_from_bytes(data: bytes) -> Feed:
    """Parse the uploaded bytes, or raise ValidationError saying why the file is unusable.

    The kernel's reader does the reading (see `learning_portal.core.csvfiles.read_csv`);
    columns other than the feed's are ignored. A row it cannot split into the header's
    columns (a shifted "Smith, Jr.", a truncated row, broken quoting, a control character)
    comes back with its `error`, and the importer rejects it by number.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_LARGE)
    try:
        table = read_csv(
            data, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, unknown_columns="ignore"
        )
    except CsvFileError as error:
        raise ValidationError(error.message) from None
    return Feed(columns=frozenset(table.columns), rows=table.rows)


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
        feed_rows.append(CsvRow(number=number, values=values))
    if not header and not feed_rows:
        raise ValidationError(FILE_EMPTY)
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        found = ", ".join(name for name in header if name) or "no column names"
        raise ValidationError(FILE_MISSING_COLUMNS.format(missing=", ".join(missing), found=found))
    if not feed_rows:
        raise ValidationError(FILE_NO_DATA_ROWS)
    rows = [
        CsvRow(
            number=row.number,
            values={name: row.values.get(name, "").strip() for name in header if name in known},
        )
        for row in feed_rows
    ]
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


def clean_row(row: CsvRow, columns: frozenset[str]) -> tuple[Person | None, list[str]]:
    if row.error:
        return None, [row.error]
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
