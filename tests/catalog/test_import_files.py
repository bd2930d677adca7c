"""Catalog import: files that cannot be trusted as a whole or row by row (columns, quotes)."""

import pytest

from catalog.importing import RowAction, item_import_csv
from catalog.models import Item
from learning_portal.core import csvfiles
from tests.catalog.import_helpers import (
    ITEM_HEADER,
    by_number,
    csv_bytes,
)


@pytest.mark.django_db
def test_a_row_with_too_few_cells_is_an_error_naming_the_counts():
    data = b"external_id,title,summary,format\r\nA-1,Title,Fine.,course\r\nA-2,Title\r\n"

    report = item_import_csv(data=data)

    assert by_number(report)[3].errors == [
        csvfiles.ROW_WRONG_LENGTH.format(count=2, expected=4) + csvfiles.ROW_WRONG_LENGTH_HINT
    ]
    assert by_number(report)[2].action == RowAction.CREATE


@pytest.mark.django_db
def test_missing_columns_are_named_and_nothing_is_imported():
    data = csv_bytes(["external_id", "title"], ["A-1", "Title"])

    report = item_import_csv(data=data)

    assert (
        report.file_error
        == "Missing column(s): summary, format. The first row must name the columns; "
        "it has: external_id, title."
    )
    assert report.rows == []
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_unknown_columns_are_named():
    report = item_import_csv(
        data=csv_bytes([*ITEM_HEADER, "colour"], ["A", "T", "S", "course", "red"])
    )

    assert report.file_error.startswith("Unknown column(s): colour. Allowed columns: external_id,")


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_the_row_of_the_first_bad_byte():
    data = csv_bytes(
        ITEM_HEADER,
        ["A-1", "Title", "Fine.", "course"],
        ["A-2", "Café", "x", "book"],
        encoding="cp1252",
    )

    report = item_import_csv(data=data)

    assert report.file_error == csvfiles.FILE_NOT_UTF8.format(byte=0xE9, row=3)
    assert "Save it from your spreadsheet as “CSV UTF-8”" in report.file_error
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", csvfiles.FILE_EMPTY),
        (b" \r\n\r\n", csvfiles.FILE_EMPTY),
        (b"external_id,title,summary,format\r\n", csvfiles.FILE_NO_ROWS),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", csvfiles.FILE_BINARY),
        (b"\xff\xfee\x00x\x00", csvfiles.FILE_UTF16),
    ],
    ids=["empty", "blank-lines", "header-only", "xlsx", "utf16"],
)
def test_files_that_cannot_be_read_get_a_clear_message(data, message):
    report = item_import_csv(data=data)

    assert report.file_error == message
    assert report.summary == f"Nothing was imported. {message}"
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_id,title,summary,format,Title", "Column(s) named more than once: title."),
        (
            "external_id,,title,summary,format",
            "The header row has a column without a name (column 2).",
        ),
    ],
)
def test_header_problems_are_named(header, message):
    report = item_import_csv(data=f"{header}\r\nA,,T,S,course\r\n".encode())

    assert report.file_error == message


@pytest.mark.django_db
def test_empty_cells_after_the_last_column_are_ignored():
    data = b"external_id,title,summary,format,,\r\nA-1,Title,Fine.,course,,\r\n"

    report = item_import_csv(data=data)

    assert report.rows[0].action == RowAction.CREATE


@pytest.mark.django_db
def test_a_text_file_that_is_not_the_catalog_csv_is_refused_by_its_header():
    report = item_import_csv(data=b"Dear colleagues,\nplease find attached...\n")

    assert report.file_error.startswith("Missing column(s): external_id, title, summary, format.")


@pytest.mark.django_db
def test_excel_style_files_are_read_semicolons_bom_and_loose_header_names():
    data = "\ufeffExternal ID;Title;Summary;Format\r\nX-1;Title;Uses; and commas, fine;Video\r\n"
    data = data.replace("Uses; and commas, fine", '"Uses; and commas, fine"')

    report = item_import_csv(data=data.encode())

    assert report.rows[0].action == RowAction.CREATE
    assert Item.objects.get(external_id="X-1").summary == "Uses; and commas, fine"


@pytest.mark.django_db
def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    data = b"external_id,title,summary,format\r\n,,,\r\nA-1,Title,Fine.,nope\r\n"

    report = item_import_csv(data=data)

    assert [row.number for row in report.rows] == [3]


@pytest.mark.django_db
@pytest.mark.parametrize("atomic", [False, True])
def test_a_nul_byte_after_8_kb_rejects_its_row_and_keeps_the_others(atomic):
    rows = [[f"A-{n}", f"Title {n}", "x" * 100, "course"] for n in range(120)]
    rows[100][1] = "Bad\x00title"
    data = csv_bytes(ITEM_HEADER, *rows)
    assert data.index(b"\x00") > 8192

    report = item_import_csv(data=data, atomic=atomic)

    assert [row.number for row in report.rows if row.errors] == [102]
    assert by_number(report)[102].errors == [
        csvfiles.ROW_CONTROL_CHARACTER.format(column="title", byte=0, position=4)
    ]
    assert Item.objects.count() == (0 if atomic else 119)


@pytest.mark.django_db
def test_an_unclosed_quote_reports_the_rows_it_swallowed():
    data = (
        b"external_id,title,summary,format\r\n"
        b"A-1,First,S,course\r\n"
        b'A-2,"Second,S,course\r\n'
        b"A-3,Third,S,course\r\n"
        b"A-4,Fourth,S,course\r\n"
    )

    report = item_import_csv(data=data)

    assert [(row.number, row.action) for row in report.rows] == [
        (2, RowAction.CREATE),
        (3, RowAction.ERROR),
    ]
    assert report.rows[1].errors == [csvfiles.ROW_UNCLOSED_QUOTE.format(first=3, last=5)]
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-1"]


@pytest.mark.django_db
def test_a_quote_closed_rows_later_is_caught_by_the_line_break_it_swallowed():
    data = (
        b"external_id,title,summary,format\r\n"
        b'A-1,"First,S,course\r\n'
        b'A-2,Second",S,course\r\n'
        b"A-3,Third,S,course\r\n"
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        csvfiles.ROW_LINE_BREAK.format(column="title")
        + csvfiles.ROW_SPANS_LINES.format(first=2, last=3)
    ]
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-3"]
