"""Writes the malformed-file corpus: `python -m tests.core.corpus.make_corpus`.

Each case of issue 17 is one small CSV file in `files/` and its expected report in
`expected.json`: for every import mode, each data row's outcome (and, for a rejected row,
the exact reason), or the file's refusal; and which keys end up saved. `test_corpus.py`
runs every file through its importer in every mode against these expectations, and checks
that the files on disk are exactly what this script writes.

Run it again after changing a case, and commit `files/` and `expected.json` with it.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
ITEMS = "external_id,title,summary,format"
SESSIONS = "external_id,item_external_id,title,starts_at,ends_at,timezone,capacity"
PEOPLE = "employee_id,email,first_name,last_name,department,role,job_title,is_manager,active"

OUT_OF_RANGE = "is out of range. Use a date between 2000-01-01 and 2100-12-31 (UTC)."
WRONG_LENGTH = (
    "The row has {count} cells but the header has {expected} columns. A value holding the "
    "separator (such as “Smith, Jr.”) must be in double quotes; nothing of this row was "
    "imported."
)
CONTROL = (
    "{column}: the value holds the control character 0x{byte} at character {position} "
    "(from a damaged or binary file); nothing of this row was imported."
)
BINARY = (
    "The file is not CSV text (it looks like a spreadsheet or other binary file). "
    "Save it from your spreadsheet as “CSV UTF-8” and upload that."
)


def lines(*rows: str) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode()


def filler(count: int, start: int = 1) -> list[str]:
    """Good item rows, long enough to push a later row past the first 8 KB."""
    return [f"F-{n},Filler {n},{'Plain text. ' * 8},course" for n in range(start, start + count)]


ACTIONS = ("create", "update", "unchanged")

# name: (importer, file bytes, {row number: action, or the rejection's reason(s)}, file error)
CASES = {
    # 1. Dates that PostgreSQL stores but Python cannot read back.
    "items_publish_end_year_9999": (
        "items",
        lines(
            ITEMS + ",publish_end",
            "C-1,Good,S,course,2026-12-31T17:00:00+00:00",
            "C-2,Far future,S,course,9999-12-31T23:59:59-12:00",
        ),
        {2: "create", 3: f"publish_end: “9999-12-31T23:59:59-12:00” {OUT_OF_RANGE}"},
        None,
    ),
    "items_publish_start_year_1": (
        "items",
        lines(ITEMS + ",publish_start", "C-1,Year one,S,course,0001-01-01T00:00:00+14:00"),
        {2: f"publish_start: “0001-01-01T00:00:00+14:00” {OUT_OF_RANGE}"},
        None,
    ),
    "sessions_year_9999_los_angeles": (
        "sessions",
        lines(
            SESSIONS,
            "S-1,ITEM-1,Late,9999-12-31 20:00,9999-12-31 21:00,America/Los_Angeles,",
            "S-2,ITEM-1,Fine,2026-05-01 09:00,2026-05-01 10:00,America/Los_Angeles,",
        ),
        {
            2: [
                f"starts_at: “9999-12-31 20:00” {OUT_OF_RANGE}",
                f"ends_at: “9999-12-31 21:00” {OUT_OF_RANGE}",
            ],
            3: "create",
        },
        None,
    ),
    # 2. Shifted and truncated HR rows.
    "people_unquoted_comma": (
        "people",
        lines(
            PEOPLE,
            "E1,ann@example.org,Ann,Smith, Jr.,Nursing,Nurse,Staff nurse,no,",
            "E2,bob@example.org,Bob,Baker,Nursing,Nurse,Staff nurse,no,",
        ),
        {2: WRONG_LENGTH.format(count=10, expected=9), 3: "create"},
        None,
    ),
    "people_truncated_row": (
        "people",
        lines(PEOPLE, "E9,kept@example.org,Kept,Person", "E2,bob@example.org,Bob,Baker,,,,no,"),
        {2: WRONG_LENGTH.format(count=4, expected=9), 3: "create"},
        None,
    ),
    # 3. A NUL after the first 8 KB.
    "items_nul_after_8kb": (
        "items",
        lines(ITEMS, *filler(80), "C-1,Bad\x00title,S,course", *filler(2, start=81)),
        {
            **{n: "create" for n in range(2, 82)},
            82: CONTROL.format(column="title", byte="00", position=4),
            83: "create",
            84: "create",
        },
        None,
    ),
    # 4. Quotes left open.
    "items_unclosed_quote": (
        "items",
        lines(ITEMS, "C-1,First,S,course", 'C-2,"Second,S,course', "C-3,Third,S,course"),
        {
            2: "create",
            3: (
                "A double quote opened on this row is never closed, so lines 3–4 of the file "
                "(this row and every row after it) were read as one value; none of them was "
                "imported. Close the quote and import the file again."
            ),
        },
        None,
    ),
    "items_quote_closed_rows_later": (
        "items",
        lines(ITEMS, 'C-1,"First,S,course', 'C-2,Second",S,course', "C-3,Third,S,course"),
        {
            2: (
                "title: the value holds a line break, which this column does not allow. The "
                "row runs over lines 2–3 of the file: a double quote left open on it swallowed "
                "the rows on the lines after it, which were not imported either."
            ),
            3: "create",
        },
        None,
    ),
    # 5. Control characters early in the file: the row, not the whole file.
    "items_early_nul": (
        "items",
        lines(ITEMS, "C-1,Good,S,course", "C-2,Nul\x00here,S,course", "C-3,Good too,S,course"),
        {2: "create", 3: CONTROL.format(column="title", byte="00", position=4), 4: "create"},
        None,
    ),
    "people_early_control_character": (
        "people",
        lines(
            PEOPLE,
            "E1,ann@example.org,Ann\x1b,Archer,,,,no,",
            "E2,bob@example.org,Bob,Baker,,,,no,",
        ),
        {2: CONTROL.format(column="first_name", byte="1B", position=4), 3: "create"},
        None,
    ),
    "items_binary_header": (
        "items",
        b"\x00\x01\x02external_id,title\r\n\x03\x04\r\n",
        {},
        BINARY,
    ),
    # 9. A digit int() refuses.
    "items_superscript_duration": (
        "items",
        lines(ITEMS + ",duration_minutes", "C-1,Squared,S,course,²", "C-2,Fine,S,course,45"),
        {2: "duration_minutes: “²” is not a whole number of 0 or more.", 3: "create"},
        None,
    ),
    "sessions_superscript_capacity": (
        "sessions",
        lines(SESSIONS, "S-1,ITEM-1,Squared,2026-05-01 09:00,2026-05-01 10:00,Europe/London,²"),
        {
            2: "capacity: “²” is not a number of seats of 1 or more (leave empty for no limit).",
        },
        None,
    ),
}


def expected() -> dict:
    return {
        name: {
            "importer": importer,
            "file_error": file_error,
            "rows": {
                str(number): outcome
                if outcome in ACTIONS or isinstance(outcome, list)
                else [outcome]
                for number, outcome in rows.items()
            },
        }
        for name, (importer, _data, rows, file_error) in CASES.items()
    }


def files() -> dict[str, bytes]:
    return {f"{name}.csv": data for name, (_importer, data, _rows, _error) in CASES.items()}


def main() -> None:
    folder = HERE / "files"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    for name, data in files().items():
        (folder / name).write_bytes(data)
    text = json.dumps(expected(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    print(f"Wrote {len(CASES)} files to {folder} and their expected reports.")


if __name__ == "__main__":
    main()
