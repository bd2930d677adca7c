"""The items importer: every row checked in one pass, the accepted ones written in bulk."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from learning_portal.core.csvfiles import CsvRow, CsvTable

from ...index import catalog_changed
from ...models import Audience, Item, Topic
from ...services import ID_BATCH_SIZE, item_search_refresh
from ...stored_times import ITEM_TIMES, readable, unreadable_item_ids
from .. import values
from ..report import ImportReport, RowAction, RowError, RowResult
from ..runner import ROW_NOT_SAVED, in_batches_of
from .columns import (
    CHANGE_REASON,
    DATETIME_COLUMNS,
    ITEM_NEW_TOPICS,
    ITEM_UNKNOWN_AUDIENCES,
    ITEM_UNKNOWN_TOPICS,
    SCALAR_PARSERS,
    WRITE_BATCH_SIZE,
    default_zone,
    fields_except,
    validation_messages,
)
from .writes import free_topic_slug, set_links, upsert


@dataclass
class _Planned:
    """A row that passed every check, waiting for the bulk write."""

    item: Item
    creating: bool
    result: RowResult
    topics: list[Topic] | None
    audiences: list[Audience] | None


class ItemImporter:
    """Checks every row in one pass without writing, then writes the accepted ones in bulk.

    A 100,000-row file costs a few upserts of 1,000 rows, one history insert per batch, one
    rewrite of the changed topic and audience links and one search refresh, instead of a
    savepoint, a save and two link updates per row. A preview runs the same checks and skips
    the writes, so it reports exactly what applying would do (new topics included).
    """

    writes_per_row = False

    def __init__(self, table: CsvTable, *, create_topics: bool):
        self.create_topics = create_topics
        external_ids = [row.values.get("external_id") for row in table.rows]
        # Times Python cannot read are left unread (None): importing the row repairs them.
        unreadable = unreadable_item_ids(with_sessions=False)
        self.existing = {
            item.external_id: item
            for batch in in_batches_of(external_ids)
            for item in readable(Item.objects.filter(external_id__in=batch), unreadable, ITEM_TIMES)
        }
        # The current links as plain id sets (a related manager per item costs more than
        # the whole comparison at 100k rows).
        self.linked = {"topics": defaultdict(set), "audiences": defaultdict(set)}
        pks = sorted(item.pk for item in self.existing.values())
        for relation, column in (("topics", "topic_id"), ("audiences", "audience_id")):
            through = getattr(Item, relation).through.objects
            for start in range(0, len(pks), ID_BATCH_SIZE):
                batch = through.filter(item_id__in=pks[start : start + ID_BATCH_SIZE])
                for item_id, target_id in batch.values_list("item_id", column):
                    self.linked[relation][item_id].add(target_id)
        self.topics = {topic.name.lower(): topic for topic in Topic.objects.all()}
        self.audiences = {audience.name.lower(): audience for audience in Audience.objects.all()}
        # Who holds each slug (an item's pk, or the external ID of one this file creates):
        # uniqueness is checked here, not by one query per row.
        self.slug_owner: dict[str, int | str] = dict(Item.objects.values_list("slug", "pk"))
        self.slug_of = {owner: slug for slug, owner in self.slug_owner.items()}
        self.new_topics: dict[str, Topic] = {}
        self.planned: list[_Planned] = []

    def import_row(self, row: CsvRow) -> RowResult:
        errors: list[str] = []
        fields = self._scalars(row.values, errors)
        topics, new_topics = self._topics(row.values.get("topics"), errors)
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
        owner = external_id if creating else item.pk
        slug = row.values.get("slug", "")
        if slug and slug != item.slug:
            item.slug = slug
            changed.append("slug")
        elif creating:
            item.slug = self._free_slug(item.title)
        if topics is not None and (
            creating or {t.pk for t in topics} != self.linked["topics"][item.pk]
        ):
            changed.append("topics")
        if audiences is not None and (
            creating or {a.pk for a in audiences} != self.linked["audiences"][item.pk]
        ):
            changed.append("audiences")

        result = RowResult(row.number, external_id, RowAction.UNCHANGED)
        if new_topics:
            names = ", ".join(topic.name for topic in new_topics)
            result.notes.append(ITEM_NEW_TOPICS.format(names=names))
        if not creating and not changed:
            return result
        errors = []
        if self.slug_owner.get(item.slug, owner) != owner:
            errors.extend(f"slug: {m}" for m in item.unique_error_message(Item, ["slug"]).messages)
        try:
            # Uniqueness is checked above and constraints are left to the database: clean()
            # already words the one that matters (the publish window) for people.
            # A field the row did not change was valid when it was stored: only a new item's
            # fields are all checked (a tenth of the time for a file of small edits).
            unchecked = ["image"] if creating else fields_except(changed)
            item.full_clean(exclude=unchecked, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = validation_messages(exc) + errors
        if errors:
            # The loaded item keeps this row's changes in memory only; it is never written
            # and never visited again (a file names each external ID once).
            raise RowError(errors)
        self._take_slug(item, owner)
        for topic in new_topics:
            self.new_topics[topic.name.lower()] = topic
        result.action = RowAction.CREATE if creating else RowAction.UPDATE
        result.changed = [] if creating else changed
        self.planned.append(
            _Planned(
                item=item,
                creating=creating,
                result=result,
                topics=topics if "topics" in changed else None,
                audiences=audiences if "audiences" in changed else None,
            )
        )
        return result

    def finish(self, report: ImportReport) -> None:
        """Write every planned row: new topics, upserts, history, links, search, index."""
        if not self.planned:
            return
        self._create_topics()
        saved: list[_Planned] = []
        for start in range(0, len(self.planned), WRITE_BATCH_SIZE):
            saved.extend(self._write(self.planned[start : start + WRITE_BATCH_SIZE], report))
        if not saved:
            return
        now = timezone.now()
        for creating in (True, False):
            Item.history.bulk_history_create(
                [plan.item for plan in saved if plan.creating is creating],
                batch_size=WRITE_BATCH_SIZE,
                update=not creating,
                default_change_reason=CHANGE_REASON,
                default_date=now,
            )
        set_links(Item.topics.through, "topic_id", [(p.item.pk, p.topics) for p in saved])
        set_links(Item.audiences.through, "audience_id", [(p.item.pk, p.audiences) for p in saved])
        item_search_refresh(item_ids=sorted(plan.item.pk for plan in saved))
        # Bulk writes send no signals: the catalog index hears of them here.
        catalog_changed()

    def _write(self, batch: list[_Planned], report: ImportReport) -> list[_Planned]:
        """Upsert the batch in one statement; if the database refuses it, row by row, so only
        the row it refuses is rejected (e.g. a slug an admin took a moment ago)."""
        try:
            with transaction.atomic():
                upsert([plan.item for plan in batch])
            return batch
        except IntegrityError:
            if len(batch) == 1:
                raise
        saved = []
        for plan in batch:
            try:
                with transaction.atomic():
                    upsert([plan.item])
            except IntegrityError as exc:
                report.reject(plan.result, [ROW_NOT_SAVED.format(error=exc)])
            else:
                saved.append(plan)
        return saved

    def _create_topics(self) -> None:
        used = {
            topic.name.lower()
            for plan in self.planned
            for topic in plan.topics or ()
            if topic.pk is None
        }
        for key in used:
            topic = self.new_topics[key]
            topic.slug = free_topic_slug(topic.name)
            topic.save()

    def _free_slug(self, title: str) -> str:
        max_length = Item._meta.get_field("slug").max_length
        base = (slugify(title) or "item")[: max_length - 6].strip("-") or "item"
        slug, suffix = base, 2
        while slug in self.slug_owner:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug

    def _take_slug(self, item: Item, owner: int | str) -> None:
        # A slug an item leaves is free for the rows after it, as if saved one by one.
        old = self.slug_of.get(owner)
        if old is not None and old != item.slug and self.slug_owner.get(old) == owner:
            del self.slug_owner[old]
        self.slug_owner[item.slug] = owner
        self.slug_of[owner] = item.slug

    def _scalars(self, cells: dict[str, str], errors: list[str]) -> dict:
        fields = {}
        for column, parse in SCALAR_PARSERS.items():
            if column in cells:
                try:
                    fields[column] = parse(cells[column])
                except ValueError as exc:
                    errors.append(f"{column}: {exc}")
        zone = default_zone()
        if cells.get("timezone"):
            try:
                zone = values.time_zone(cells["timezone"])
            except ValueError as exc:
                errors.append(f"timezone: {exc}")
                return fields
        for column in DATETIME_COLUMNS:
            if column in cells:
                try:
                    fields[column] = values.date_time(cells[column], zone=zone, date_only=True)
                except ValueError as exc:
                    errors.append(f"{column}: {exc}")
        return fields

    def _topics(self, raw: str | None, errors: list[str]) -> tuple[list[Topic] | None, list[Topic]]:
        """The row's topics, and those of them this row is the first to create."""
        if raw is None:
            return None, []
        names = values.name_list(raw)
        unknown = [name for name in names if name.lower() not in self.topics]
        if unknown and not self.create_topics:
            errors.append(ITEM_UNKNOWN_TOPICS.format(names=", ".join(unknown)))
            return None, []
        if errors:
            return None, []
        # Created (unsaved until the import is applied) once, by the first row naming them.
        fresh = [Topic(name=name) for name in unknown if name.lower() not in self.new_topics]
        pending = {**self.new_topics, **{topic.name.lower(): topic for topic in fresh}}
        topics = [self.topics.get(name.lower()) or pending[name.lower()] for name in names]
        return topics, fresh

    def _audiences(self, raw: str | None, errors: list[str]) -> list[Audience] | None:
        if raw is None:
            return None
        names = values.name_list(raw)
        unknown = [name for name in names if name.lower() not in self.audiences]
        if unknown:
            errors.append(ITEM_UNKNOWN_AUDIENCES.format(names=", ".join(unknown)))
            return None
        return [self.audiences[name.lower()] for name in names]
