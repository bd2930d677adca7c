import csv
import io

import pytest

from learning_portal.core import csvfiles
from learning_portal.core.csvfiles import (
    CsvFileError,
    cell_text,
    csv_text,
    escape_formula,
    read_csv,
    unescape_formula,
    yes_no,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        (" TRUE ", True),
        ("Y", True),
        ("1", True),
        ("no", False),
        ("False", False),
        ("n", False),
        ("0", False),
        ("", None),
        ("   ", None),
        ("maybe", None),
        ("2", None),
    ],
)
def test_yes_no_reads_the_words_every_import_accepts(value, expected):
    assert yes_no(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain", "Plain"),
        (None, ""),
    ],
)
def test_a_cell_starting_a_formula_gets_an_apostrophe(value, expected):
    assert escape_formula(cell_text(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('a;=HYPERLINK("http://evil")', 'a;\'=HYPERLINK("http://evil")'),
        ("a; =1+1", "a; '=1+1"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("a|+cmd", "a|'+cmd"),
        ("a,-2", "a,'-2"),
        ("first line\n=1+1", "first line\n'=1+1"),
        ("a;;=b", "a;;'=b"),
        ("Safety; Leadership", "Safety; Leadership"),
        ("2026-03-05T09:30:00+00:00", "2026-03-05T09:30:00+00:00"),
    ],
)
def test_every_segment_a_spreadsheet_may_split_off_is_escaped(value, expected):
    assert escape_formula(value) == expected


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_a_spreadsheet_splitting_on_another_separator_finds_no_formula(separator):
    text = csv_text(["title", "note"], [[f"Care{separator}=cmd()", f"x{separator}@SUM(A1)"]])

    # Read the file as a spreadsheet set to another separator would: quotes only count at
    # the start of a cell, so the comma-quoted cells are cut at the separator.
    for line in text.splitlines():
        for cell in line.replace(",", separator).split(separator):
            assert not cell.lstrip('"').startswith(csvfiles.FORMULA_TRIGGERS), (line, cell)


@pytest.mark.parametrize(
    "value",
    ["=1+1", "a;=b", "x;'=y", "'=y", "''@z", "\t=x", "a\t\tb", "'plain", "a, -b", "it's"],
)
def test_unescaping_restores_exactly_what_was_escaped(value):
    assert unescape_formula(escape_formula(value)) == value


def test_exports_read_back_unchanged_through_the_reader():
    values = ["=1+1", "Care; =cmd", "'=kept", "-5"]
    data = csv_text(["external_id", "title"], [[f"X{n}", value] for n, value in enumerate(values)])

    table = read_csv(data.encode(), required=["external_id", "title"])

    assert [row.values["title"] for row in table.rows] == values


def _read(text: str, **options):
    options.setdefault("required", ["a", "b", "c"])
    return read_csv(text.encode(), **options)


def test_a_row_with_more_or_fewer_cells_is_refused_by_number():
    table = _read("a,b,c\n1,2,3\nSmith, Jr.,2,3\n4,5\n6,7,8\n")

    assert [(row.number, row.error is None) for row in table.rows] == [
        (2, True),
        (3, False),
        (4, False),
        (5, True),
    ]
    assert table.rows[1].error == (
        csvfiles.ROW_WRONG_LENGTH.format(count=4, expected=3) + csvfiles.ROW_WRONG_LENGTH_HINT
    )
    assert table.rows[1].values == {}


def test_a_stray_quote_refuses_its_row_and_the_next_rows_are_read():
    table = _read('a,b,c\n1,"x"y,3\n4,5,6\n')

    assert table.rows[0].error == csvfiles.ROW_NOT_CSV.format(error="',' expected after '\"'")
    assert table.rows[1].values == {"a": "4", "b": "5", "c": "6"}


def test_a_quote_never_closed_names_every_line_it_swallowed():
    table = _read('a,b,c\n1,2,3\n4,"open,6\n7,8,9\n10,11,12\n')

    assert table.rows[0].values == {"a": "1", "b": "2", "c": "3"}
    assert table.rows[1].number == 3
    assert table.rows[1].error == csvfiles.ROW_UNCLOSED_QUOTE.format(first=3, last=5)


def test_a_quote_closed_rows_later_refuses_the_merged_row_with_its_lines():
    table = _read('a,b,c\n1,"open,3\n4,5",6\n7,8,9\n')

    assert table.rows[0].error == csvfiles.ROW_LINE_BREAK.format(
        column="b"
    ) + csvfiles.ROW_SPANS_LINES.format(first=2, last=3)
    assert table.rows[1].values == {"a": "7", "b": "8", "c": "9"}


def test_line_breaks_are_kept_in_the_columns_that_allow_them():
    table = _read('a,b,c\n1,"two\nlines",3\n', multiline=["b"])

    assert table.rows[0].values["b"] == "two\nlines"


def test_a_control_character_refuses_its_row_and_names_the_byte():
    table = _read("a,b,c\n1,2,3\n4,x\x00y,6\n7,8,9\n")

    assert table.rows[1].error == csvfiles.ROW_CONTROL_CHARACTER.format(
        column="b", byte=0, position=2
    )
    assert [row.error is None for row in table.rows] == [True, False, True]


def test_a_control_character_after_the_first_8_kb_is_still_one_row():
    filler = "".join(f"{n},x,y\n" for n in range(1000))
    table = _read(f"a,b,c\n{filler}1001,\x1b,z\n")

    assert table.rows[-1].error.startswith("b: the value holds the control character 0x1B")
    assert sum(row.error is not None for row in table.rows) == 1


def test_a_control_character_in_the_header_means_a_binary_file():
    with pytest.raises(CsvFileError) as raised:
        _read("a,b\x00,c\n1,2,3\n")

    assert raised.value.message == csvfiles.FILE_BINARY


def test_column_names_match_without_case_spaces_or_underscores():
    table = read_csv(
        b"Employee ID,EMAIL,FirstName\nE1,a@example.org,Ann\n",
        required=["employee_id", "email", "first_name"],
    )

    assert table.rows[0].values == {
        "employee_id": "E1",
        "email": "a@example.org",
        "first_name": "Ann",
    }


def test_unknown_columns_can_be_ignored_instead_of_refused():
    data = b"a,extra,b,c,other\n1,x,2,3,y\n"

    with pytest.raises(CsvFileError, match="Unknown column"):
        read_csv(data, required=["a", "b", "c"])
    table = read_csv(data, required=["a", "b", "c"], unknown_columns="ignore")
    assert table.rows[0].values == {"a": "1", "b": "2", "c": "3"}


def test_semicolon_files_are_read():
    rows = list(csv.reader(io.StringIO("a;b;c\r\n1;2;3\r\n"), delimiter=";"))
    table = _read("a;b;c\r\n1;2;3\r\n")

    assert [list(row.values.values()) for row in table.rows] == rows[1:]
