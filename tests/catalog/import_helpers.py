"""Shared by the catalog import tests: CSV files written as a spreadsheet would."""

import csv
import io
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")
ITEM_HEADER = ["external_id", "title", "summary", "format"]
SESSION_HEADER = ["external_id", "item_external_id", "starts_at", "ends_at"]


def csv_bytes(header, *rows, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def by_number(report):
    return {row.number: row for row in report.rows}
