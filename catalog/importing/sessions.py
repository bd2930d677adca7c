"""Import of sessions (offerings) from sessions.csv, upserted by the session's `external_id`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from learning_portal.core.csvfiles import CsvRow, CsvTable

from ..models import OFFERING_TIMES, Item, Offering
from ..stored_times import ITEM_TIMES, readable, unreadable_offering_ids
from . import values
from .items import validation_messages
from .report import ImportReport, RowAction, RowError, RowResult
from .runner import in_batches, in_batches_of, run_import

SESSION_COLUMNS = (
    "external_id",
    "item_external_id",
    "title",
    "starts_at",
    "ends_at",
    "timezone",
    "location",
    "online_url",
    "capacity",
    "enrollment_opens_at",
    "enrollment_closes_at",
)
SESSION_REQUIRED_COLUMNS = ("external_id", "item_external_id", "starts_at", "ends_at")
SESSION_OPTIONAL_COLUMNS = tuple(
    column for column in SESSION_COLUMNS if column not in SESSION_REQUIRED_COLUMNS
)

SESSION_UNKNOWN_ITEM = (
    "item_external_id: no item has the external ID “{value}”; import the items first."
)
SESSION_ITEM_CHANGED = (
    "item_external_id: this session belongs to the item “{current}”; "
    "a session cannot move to another item."
)
_TEXT_COLUMNS = ("title", "location", "online_url")
_DATETIME_COLUMNS = ("starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at")
_REQUIRED_DATETIMES = ("starts_at", "ends_at")


class SessionImporter:
    writes_per_row = True

    def __init__(self, table: CsvTable):
        external_ids = [row.values.get("external_id") for row in table.rows]
        item_ids = [row.values.get("item_external_id") for row in table.rows]
        # The item is read for its external ID only (its own times may be unreadable too).
        offerings = Offering.objects.select_related("item").defer(
            *(f"item__{field}" for field in ITEM_TIMES)
        )
        # Times Python cannot read are left unread (None): importing the row repairs them.
        unreadable = unreadable_offering_ids()
        self.existing = {
            offering.external_id: offering
            for batch in in_batches_of(external_ids)
            for offering in readable(
                offerings.filter(external_id__in=batch), unreadable, OFFERING_TIMES
            )
        }
        self.items = {
            item.external_id: item
            for item in in_batches(Item.objects.only("pk", "external_id"), "external_id", item_ids)
        }

    def import_row(self, row: CsvRow) -> RowResult:
        cells = row.values
        external_id = cells["external_id"]
        offering = self.existing.get(external_id)
        creating = offering is None
        errors: list[str] = []
        item = self._item(cells["item_external_id"], offering, errors)
        fields = self._fields(cells, offering, errors)
        if errors:
            raise RowError(errors)

        if creating:
            offering = Offering(external_id=external_id, item=item)
        changed = [name for name, value in fields.items() if getattr(offering, name) != value]
        for name in changed:
            setattr(offering, name, fields[name])
        result = RowResult(row.number, external_id, RowAction.UNCHANGED)
        if not creating and not changed:
            return result
        try:
            offering.full_clean(validate_constraints=False)
        except ValidationError as exc:
            raise RowError(validation_messages(exc)) from None
        # A plain save on purpose: enrollment reacts to Offering saves (new invites and a
        # bumped calendar sequence when the time or place moves, waitlist promotion).
        offering.save()
        result.action = RowAction.CREATE if creating else RowAction.UPDATE
        result.changed = [] if creating else changed
        return result

    def finish(self, report: ImportReport) -> None:
        pass  # every row was written as it was imported

    def _item(self, external_id: str, offering: Offering | None, errors: list[str]):
        if not external_id:
            errors.append(f"item_external_id: {values.VALUE_REQUIRED}")
            return None
        item = self.items.get(external_id)
        if item is None:
            errors.append(SESSION_UNKNOWN_ITEM.format(value=external_id))
        elif offering is not None and offering.item_id != item.pk:
            errors.append(SESSION_ITEM_CHANGED.format(current=offering.item.external_id))
        return item

    def _fields(self, cells: dict[str, str], offering: Offering | None, errors: list[str]):
        fields: dict = {}
        for column in _TEXT_COLUMNS:
            if column in cells:
                fields[column] = cells[column]
        if "capacity" in cells:
            try:
                fields["capacity"] = values.capacity(cells["capacity"])
            except ValueError as exc:
                errors.append(f"capacity: {exc}")
        # Times without an offset are local to the session's zone: the file's, else the
        # session's current one, else the portal's.
        zone_name = cells.get("timezone") or (offering.timezone if offering else settings.TIME_ZONE)
        try:
            zone = values.time_zone(zone_name)
        except ValueError as exc:
            errors.append(f"timezone: {exc}")
            return fields
        fields["timezone"] = zone_name
        for column in _DATETIME_COLUMNS:
            if column not in cells:
                continue
            try:
                value = values.date_time(cells[column], zone=zone)
                if value is None and column in _REQUIRED_DATETIMES:
                    raise ValueError(values.VALUE_REQUIRED)
            except ValueError as exc:
                errors.append(f"{column}: {exc}")
            else:
                fields[column] = value
        return fields


@transaction.atomic
def offering_import_csv(
    *, data: bytes, dry_run: bool = False, atomic: bool = False
) -> ImportReport:
    """Create or update sessions (offerings) from the bytes of a sessions CSV file.

    Rows are matched to sessions by `external_id` and name their item by the item's
    `external_id` (which must exist; a session never moves to another item). Times without
    an offset are read in the row's `timezone` (else the session's, else the portal's).
    Saved sessions go through Offering.save(), so enrollment's reactions (updated invites,
    waitlist promotion) happen as for an admin edit, and are discarded with a preview. Rows,
    savepoints, `dry_run` and `atomic` behave as in `item_import_csv`; never raises for bad
    input.
    """
    return run_import(
        kind="sessions",
        data=data,
        required=SESSION_REQUIRED_COLUMNS,
        optional=SESSION_OPTIONAL_COLUMNS,
        importer_factory=SessionImporter,
        dry_run=dry_run,
        atomic=atomic,
    )
