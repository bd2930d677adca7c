"""The items file: its columns, the messages of its checks and how cells become fields."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ...models import Item
from .. import values

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
# Rows per upsert statement (and history insert): big enough to make 100k rows a hundred
# statements, small enough that a refused batch retried row by row stays short.
WRITE_BATCH_SIZE = 1000
# What an upsert writes over an existing item: everything the file or the import decides.
# Never `popularity` (enrollment keeps it), the search fields (item_search_refresh) or the
# image and creation time (not in the file).
_NOT_UPSERTED = {"id", "external_id", "created_at", "popularity", "topic_names", "search_vector"}
UPSERT_FIELDS = [
    field.attname
    for field in Item._meta.concrete_fields
    if field.attname not in _NOT_UPSERTED | {"image"}
]

_LANGUAGE_DEFAULT = Item._meta.get_field("language").default
SCALAR_PARSERS = {
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
DATETIME_COLUMNS = ("publish_start", "publish_end")


def validation_messages(error: ValidationError) -> list[str]:
    """A model's ValidationError as "column: message" lines."""
    messages = []
    for field, field_messages in error.message_dict.items():
        prefix = "" if field == NON_FIELD_ERRORS else f"{field}: "
        messages.extend(prefix + message for message in field_messages)
    return messages


_FIELD_NAMES = [field.name for field in Item._meta.fields]


def fields_except(changed: list[str]) -> list[str]:
    return [name for name in _FIELD_NAMES if name not in changed]


def default_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)
