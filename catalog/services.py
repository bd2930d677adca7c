"""Writes owned by the catalog app: items other apps create, search denormalization,
popularity and zero-result search counts."""

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Aggregate,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from learning_portal.core.timezones import portal_today

from .index import catalog_changed, search_changed
from .models import Audience, Item, Offering, SearchDocument, Topic, ZeroResultSearch
from .search import SEARCH_CONFIG, normalize_search_term

# A plain list of ids is sent in slices this big: SQLite refuses more than 32,766 bound
# parameters in one statement, and very long IN lists plan badly on PostgreSQL too.
ID_BATCH_SIZE = 10_000
TOPIC_NAME_SEPARATOR = ", "


class _TopicNames(Aggregate):
    """Topic names joined into one string: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s ORDER BY %(expressions_first)s)"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(TOPIC_NAME_SEPARATOR), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        name_sql, _ = compiler.compile(self.source_expressions[0])
        return super().as_sql(compiler, connection, expressions_first=name_sql, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super(Aggregate, self).as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s)",
            **extra_context,
        )


def _topic_names_subquery() -> Coalesce:
    names = (
        Item.topics.through.objects.filter(item_id=OuterRef("pk"))
        .values("item_id")
        .annotate(names=_TopicNames(F("topic__name")))
        .values("names")
    )
    return Coalesce(Subquery(names, output_field=TextField()), Value("", output_field=TextField()))


def _search_vector_expression(topic_names) -> SearchVector:
    # Weights: the title matters most, then topics, then the summary; the long description
    # and the provider only help a match, they rarely decide the order.
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(topic_names, weight="B", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="C", config=SEARCH_CONFIG)
        + SearchVector("description", "provider", weight="D", config=SEARCH_CONFIG)
    )


def _refresh(queryset: QuerySet) -> int:
    # Only the rows whose topic names differ are rewritten: an import of summary edits
    # leaves them as they were, and each rewrite of a row is a new version of it with an
    # entry in each of its twenty indexes (a tenth of a 100k-row import's time).
    queryset.exclude(topic_names=_topic_names_subquery()).update(
        topic_names=_topic_names_subquery()
    )
    if connection.vendor != "postgresql":
        return queryset.count()
    # One INSERT ... SELECT: the documents are built in the database from the rows just
    # updated (topic_names included), whatever the number of items.
    documents = queryset.order_by().values_list(
        "pk", _search_vector_expression("topic_names"), "title"
    )
    select_sql, params = documents.query.sql_with_params()
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (item_id, vector, title) {select_sql} ON CONFLICT (item_id) "
            "DO UPDATE SET vector = EXCLUDED.vector, title = EXCLUDED.title",
            params,
        )
        return cursor.rowcount


@transaction.atomic
def item_search_refresh(*, item_ids: Iterable[int] | QuerySet) -> int:
    """Recompute `topic_names` (and, on PostgreSQL, the search document) for the given items.

    Call it after anything that changes an item's title, summary, description, provider or
    topics, or a topic's name. Set-based: a queryset of ids (`Item.objects.values("pk")`) is
    refreshed in one UPDATE whatever its size, which is how bulk loads should call it; a list
    of ids is sent in slices of ID_BATCH_SIZE. Unknown ids are ignored. Does not touch
    `updated_at` or the item history. Returns the number of items refreshed; raises nothing.
    """
    # What a search term matches is cached (catalog.index.term_match).
    search_changed()
    if isinstance(item_ids, QuerySet):
        return _refresh(Item.objects.filter(pk__in=item_ids))
    ids = sorted(set(item_ids))
    return sum(
        _refresh(Item.objects.filter(pk__in=ids[start : start + ID_BATCH_SIZE]))
        for start in range(0, len(ids), ID_BATCH_SIZE)
    )


# One person adds at most this many terms a day to the zero-result counts, each term once.
ZERO_RESULT_TERMS_PER_PERSON_PER_DAY = 20


def zero_result_search_note(*, user, term: str) -> ZeroResultSearch | None:
    """Count a search that found nothing, if it comes from a signed-in person who has not
    already counted this term today nor ZERO_RESULT_TERMS_PER_PERSON_PER_DAY terms.

    Demand figures steer the budget, so one person (or an anonymous script) must not be able
    to inflate them or fill the table; the per-person marks live in the cache only. With the
    cache down the search is not counted.
    """
    normalized = normalize_search_term(term)
    if not normalized or not user.is_authenticated:
        return None
    day = portal_today()
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:16]
    try:
        if not cache.add(f"catalog:zrs:{user.pk}:{day}:{digest}", 1, 26 * 60 * 60):
            return None
        budget_key = f"catalog:zrs:{user.pk}:{day}"
        cache.add(budget_key, 0, 26 * 60 * 60)
        if cache.incr(budget_key) > ZERO_RESULT_TERMS_PER_PERSON_PER_DAY:
            return None
    except Exception:  # noqa: BLE001
        return None
    return zero_result_search_record(term=normalized, day=day)


@transaction.atomic
def item_popularity_set(*, counts: QuerySet) -> int:
    """Set every Item.popularity from `counts`, in one UPDATE; items not in it get 0.

    `counts` is a queryset of another app's rows with an `item` column and a count `n` per
    item (grouped by item): the enrollment app says what popularity is, the catalog keeps
    the column and its index. Returns the number of items whose value changed.
    """
    per_item = counts.filter(item=OuterRef("pk")).values("n")
    fresh = Coalesce(Subquery(per_item), Value(0))
    changed = (
        Item.objects.annotate(fresh=fresh).exclude(popularity=F("fresh")).update(popularity=fresh)
    )
    if changed:
        # The catalog's "most popular" order is read from its index; a bulk UPDATE sends no
        # signal, so say so.
        catalog_changed()
    return changed


@transaction.atomic
def zero_result_search_record(*, term: str, day: dt.date | None = None) -> ZeroResultSearch | None:
    """Count one search that found nothing, aggregated per normalized term and day.

    No user or request detail is stored. The increment is a single UPDATE (count = count + 1),
    so concurrent searches never lose a count; when the row for the day does not exist yet it
    is inserted, and if a concurrent request inserted it first the unique constraint fails and
    the UPDATE is retried. A term that normalizes to nothing is not recorded (returns None).
    """
    normalized = normalize_search_term(term)
    if not normalized:
        return None
    day = day or portal_today()
    rows = ZeroResultSearch.objects.filter(term=normalized, day=day)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                return ZeroResultSearch.objects.create(term=normalized, day=day, count=1)
        except IntegrityError:
            rows.update(count=F("count") + 1)
    return rows.get()


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "item"
    slug, n = base, 1
    while Item.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def item_create(
    *,
    title: str,
    summary: str,
    description: str = "",
    format: str,
    delivery: str,
    duration_minutes: int | None = None,
    topics: Iterable[Topic] = (),
    audiences: Iterable[Audience] = (),
    is_published: bool = False,
) -> Item:
    """Create an item on behalf of another app (a learning circle's own catalog entry).

    The slug is made unique from the title; the search document is refreshed. Raises
    ValidationError from the item's own validation.
    """
    item = Item(
        title=title,
        slug=_unique_slug(title),
        summary=summary[:300],
        description=description,
        format=format,
        delivery=delivery,
        duration_minutes=duration_minutes,
        is_published=is_published,
    )
    item.full_clean()
    item.save()
    item.topics.set(topics)
    item.audiences.set(audiences)
    item_search_refresh(item_ids=[item.pk])
    return item


@transaction.atomic
def item_set_published(*, item: Item, published: bool) -> Item:
    """Publish or unpublish an item (its publish window, if any, still applies)."""
    if item.is_published != published:
        item.is_published = published
        item.save(update_fields=["is_published", "updated_at"])
    return item


@transaction.atomic
def offering_create(
    *,
    item: Item,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    timezone: str,
    capacity: int | None,
    online_url: str = "",
    enrollment_opens_at: dt.datetime | None = None,
    enrollment_closes_at: dt.datetime | None = None,
    meeting_series: bool = False,
) -> Offering:
    """Schedule a session of `item` (for a learning circle: the span of its meetings).

    Changes to an existing session go through `enrollment.services.offering_update`, which
    keeps seats and invites right. Raises ValidationError from the session's own validation.
    """
    offering = Offering(
        item=item,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        capacity=capacity,
        online_url=online_url,
        enrollment_opens_at=enrollment_opens_at,
        enrollment_closes_at=enrollment_closes_at,
        meeting_series=meeting_series,
    )
    offering.full_clean()
    offering.save()
    return offering
