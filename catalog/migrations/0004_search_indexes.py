"""Search indexes for the catalog (PostgreSQL only) and a backfill of the search columns.

The GIN indexes are created with raw SQL rather than declared in Item.Meta because SQLite, the
embedded default database, has no GIN; on SQLite this migration only backfills topic_names.
The SQL mirrors catalog.services.item_search_refresh, which keeps the columns current.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_FORWARDS = [
    # Uses: the @@ filter in catalog.search.
    "CREATE INDEX IF NOT EXISTS catalog_item_search_vector_gin "
    "ON catalog_item USING gin (search_vector)",
    # Uses: the %> (word similarity) typo match on titles in catalog.search.
    "CREATE INDEX IF NOT EXISTS catalog_item_title_trgm "
    "ON catalog_item USING gin (title gin_trgm_ops)",
    """
    UPDATE catalog_item AS item SET
        topic_names = names.value,
        search_vector =
            setweight(to_tsvector('english'::regconfig, COALESCE(item.title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, names.value), 'B')
            || setweight(to_tsvector('english'::regconfig, COALESCE(item.summary, '')), 'C')
            || setweight(
                to_tsvector(
                    'english'::regconfig,
                    COALESCE(item.description, '') || ' ' || COALESCE(item.provider, '')
                ),
                'D'
            )
    FROM (
        SELECT i.id, COALESCE(STRING_AGG(t.name, ', ' ORDER BY t.name), '') AS value
        FROM catalog_item i
        LEFT JOIN catalog_item_topics it ON it.item_id = i.id
        LEFT JOIN catalog_topic t ON t.id = it.topic_id
        GROUP BY i.id
    ) AS names
    WHERE names.id = item.id
    """,
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS catalog_item_title_trgm",
    "DROP INDEX IF EXISTS catalog_item_search_vector_gin",
]
SQLITE_FORWARDS = [
    """
    UPDATE catalog_item SET topic_names = COALESCE((
        SELECT GROUP_CONCAT(t.name, ', ')
        FROM catalog_item_topics it JOIN catalog_topic t ON t.id = it.topic_id
        WHERE it.item_id = catalog_item.id
    ), '')
    """,
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_offering_external_id"),
    ]

    operations = [
        # A no-op on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}),
            _run({"postgresql": POSTGRES_BACKWARDS}),
        ),
    ]
