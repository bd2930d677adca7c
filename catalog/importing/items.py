"""Import of catalog items from items.csv, upserted by `external_id`."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import slugify

from learning_portal.core.csvfiles import CsvRow, CsvTable

from ..models import Audience, Item, Topic
from ..services import item_search_refresh
from . import values
from .report import ImportReport, RowAction, RowError, RowResult
from .runner import in_batches, run_import

# The columns in the order the export writes them. Only the first four are required: a
# column left out of the file leaves that field as it is (or at its default for new items).
ITEM_COLUMNS = (
    "external_id",
    "title",
    "slug",
    "summary",
    "description",
    "format",
    "delivery",
    "provider",
    "duration_minutes",
    "level",
    "language",
    "topics",
    "audiences",
    "launch_url",
    "is_published",
    "publish_start",
    "publish_end",
)
ITEM_REQUIRED_COLUMNS = ("external_id", "title", "summary", "format")
# `timezone` only says how to read publish times written without an offset.
ITEM_OPTIONAL_COLUMNS = (
    *(column for column in ITEM_COLUMNS if column not in ITEM_REQUIRED_COLUMNS),
    "timezone",
)

# Long texts may hold line breaks (quoted); in any other column one means a quote left open.
ITEM_MULTILINE_COLUMNS = ("summary", "description")

ITEM_UNKNOWN_TOPICS = (
    "topics: unknown topic(s) {names}. Add them first, or import with the option to "
    "create unknown topics."
)
ITEM_UNKNOWN_AUDIENCES = "audiences: unknown audience(s) {names}."
ITEM_NEW_TOPICS = "New topic(s): {names}."
CHANGE_REASON = "CSV import"

_LANGUAGE_DEFAULT = Item._meta.get_field("language").default
_SCALAR_PARSERS = {
    "title": values.required_text,
    "summary": values.required_text,
    "description": str,
    "format": values.choice(Item.Format),
    "delivery": values.choice(Item.Delivery, default=Item.Delivery.SELF_PACED),
    "provider": str,
    "duration_minutes": values.whole_number,
    "level": values.choice(Item.Level, default=Item.Level.INTRODUCTORY),
    "language": lambda raw: raw or _LANGUAGE_DEFAULT,
    "launch_url": str,
    "is_published": values.boolean,
}
_DATETIME_COLUMNS = ("publish_start", "publish_end")


def validation_messages(error: ValidationError) -> list[str]:
    """A model's ValidationError as "column: message" lines."""
    messages = []
    for field, field_messages in error.message_dict.items():
        prefix = "" if field == NON_FIELD_ERRORS else f"{field}: "
        messages.extend(prefix + message for message in field_messages)
    return messages


class ItemImporter:
    def __init__(self, table: CsvTable, *, create_topics: bool):
        self.create_topics = create_topics
        external_ids = [row.values.get("external_id") for row in table.rows]
        items = Item.objects.prefetch_related("topics", "audiences")
        self.existing = {
            item.external_id: item for item in in_batches(items, "external_id", external_ids)
        }
        self.topics = {topic.name.lower(): topic for topic in Topic.objects.all()}
        self.audiences = {audience.name.lower(): audience for audience in Audience.objects.all()}
        self.touched: set[int] = set()
        self._row_topics: list[Topic] = []
        self._row_item_id: int | None = None

    def import_row(self, row: CsvRow) -> RowResult:
        self._row_topics = []
        self._row_item_id = None
        errors: list[str] = []
        fields = self._scalars(row.values, errors)
        topics = self._topics(row.values.get("topics"), errors)
        audiences = self._audiences(row.values.get("audiences"), errors)
        if errors:
            raise RowError(errors)

        external_id = row.values["external_id"]
        item = self.existing.get(external_id)
        creating = item is None
        if creating:
            item = Item(external_id=external_id)
        changed = [name for name, value in fields.items() if getattr(item, name) != value]
        for name in changed:
            setattr(item, name, fields[name])
        slug = row.values.get("slug", "")
        if slug and slug != item.slug:
            item.slug = slug
            changed.append("slug")
        elif creating:
            item.slug = _free_slug(item.title)
        if topics is not None and (creating or {t.pk for t in topics} != _ids(item.topics)):
            changed.append("topics")
        if audiences is not None and (
            creating or {a.pk for a in audiences} != _ids(item.audiences)
        ):
            changed.append("audiences")

        result = RowResult(row.number, external_id, RowAction.UNCHANGED)
        if self._row_topics:
            names = ", ".join(topic.name for topic in self._row_topics)
            result.notes.append(ITEM_NEW_TOPICS.format(names=names))
        if not creating and not changed:
            return result
        try:
            # Constraints are left to the database: clean() already words the one that
            # matters (the publish window) for people.
            item.full_clean(exclude=["image"], validate_constraints=False)
        except ValidationError as exc:
            raise RowError(validation_messages(exc)) from None
        item._change_reason = CHANGE_REASON
        item.save()
        if topics is not None and "topics" in changed:
            item.topics.set(topics)
        if audiences is not None and "audiences" in changed:
            item.audiences.set(audiences)
        self._row_item_id = item.pk
        result.action = RowAction.CREATE if creating else RowAction.UPDATE
        result.changed = [] if creating else changed
        return result

    def keep_row(self) -> None:
        for topic in self._row_topics:
            self.topics[topic.name.lower()] = topic
        if self._row_item_id:
            self.touched.add(self._row_item_id)

    def discard_row(self) -> None:
        # The row's savepoint was rolled back, so the topics it created no longer exist.
        # (An item object it modified is not reused: each external ID occurs once.)
        self._row_topics = []
        self._row_item_id = None

    def finish(self) -> None:
        if self.touched:
            item_search_refresh(item_ids=sorted(self.touched))

    def _scalars(self, cells: dict[str, str], errors: list[str]) -> dict:
        fields = {}
        for column, parse in _SCALAR_PARSERS.items():
            if column in cells:
                try:
                    fields[column] = parse(cells[column])
                except ValueError as exc:
                    errors.append(f"{column}: {exc}")
        zone = _default_zone()
        if cells.get("timezone"):
            try:
                zone = values.time_zone(cells["timezone"])
            except ValueError as exc:
                errors.append(f"timezone: {exc}")
                return fields
        for column in _DATETIME_COLUMNS:
            if column in cells:
                try:
                    fields[column] = values.date_time(cells[column], zone=zone, date_only=True)
                except ValueError as exc:
                    errors.append(f"{column}: {exc}")
        return fields

    def _topics(self, raw: str | None, errors: list[str]) -> list[Topic] | None:
        if raw is None:
            return None
        names = values.name_list(raw)
        unknown = [name for name in names if name.lower() not in self.topics]
        if unknown and not self.create_topics:
            errors.append(ITEM_UNKNOWN_TOPICS.format(names=", ".join(unknown)))
            return None
        if errors:
            return None
        for name in unknown:
            self._row_topics.append(Topic.objects.create(name=name, slug=_free_topic_slug(name)))
        new = {topic.name.lower(): topic for topic in self._row_topics}
        return [self.topics.get(name.lower()) or new[name.lower()] for name in names]

    def _audiences(self, raw: str | None, errors: list[str]) -> list[Audience] | None:
        if raw is None:
            return None
        names = values.name_list(raw)
        unknown = [name for name in names if name.lower() not in self.audiences]
        if unknown:
            errors.append(ITEM_UNKNOWN_AUDIENCES.format(names=", ".join(unknown)))
            return None
        return [self.audiences[name.lower()] for name in names]


def _default_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _ids(manager) -> set[int]:
    # Uses the prefetched rows of existing items; a new item has none yet.
    return {obj.pk for obj in manager.all()}


def _unique_slug(base: str, model, max_length: int, fallback: str) -> str:
    base = (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _free_slug(title: str) -> str:
    return _unique_slug(title, Item, Item._meta.get_field("slug").max_length, "item")


def _free_topic_slug(name: str) -> str:
    return _unique_slug(name, Topic, Topic._meta.get_field("slug").max_length, "topic")


@transaction.atomic
def item_import_csv(
    *, data: bytes, dry_run: bool = False, atomic: bool = False, create_topics: bool = False
) -> ImportReport:
    """Create or update catalog items from the bytes of an items CSV file.

    Rows are matched to items by `external_id`. Each row is applied in its own savepoint,
    so a bad row is reported (with its row number, the header being row 1) and leaves no
    trace while the good rows are kept; with `atomic`, any bad row means nothing is kept;
    with `dry_run`, nothing is kept and the report says what would have happened. Topics
    named in the file must exist unless `create_topics`; audiences must exist. Items that
    changed get their search fields refreshed once at the end. Never raises for bad input:
    a file that cannot be read at all comes back as the report's `file_error`.
    """
    return run_import(
        kind="items",
        data=data,
        required=ITEM_REQUIRED_COLUMNS,
        optional=ITEM_OPTIONAL_COLUMNS,
        importer_factory=lambda table: ItemImporter(table, create_topics=create_topics),
        dry_run=dry_run,
        atomic=atomic,
        multiline=ITEM_MULTILINE_COLUMNS,
    )
