"""Move the full-text vector from the wide item row into a narrow table of its own.

Every item gets a document (its title is what the typo match reads, vector or not). The old
`catalog_item.search_vector` column stays until the next release: the previous release's
processes still serve (and read it) while this runs; their search is slower for that moment
(its index is gone) and their edits reach the documents at the next refresh.

Why: the first search for a common word ranks every matching document; reading the vectors
from catalog_item meant reading ~20k wide rows (description, summary...). The vectors move
with their GIN index (PostgreSQL only, raw SQL as in 0004: SQLite has no GIN and keeps no
vectors). The title is copied beside the vector with its trigram index for the typo match: on
catalog_item the planner preferred reading every title through the (title, id) B-tree.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FORWARDS = [
    """
    INSERT INTO catalog_searchdocument (item_id, vector, title)
    SELECT id, search_vector, title FROM catalog_item
    """,
    # Uses: the @@ filter in catalog.search.
    "CREATE INDEX IF NOT EXISTS catalog_searchdocument_vector_gin "
    "ON catalog_searchdocument USING gin (vector)",
    # Uses: the %> (word similarity) typo match in catalog.search.
    "CREATE INDEX IF NOT EXISTS catalog_searchdocument_title_trgm "
    "ON catalog_searchdocument USING gin (title gin_trgm_ops)",
    "DROP INDEX IF EXISTS catalog_item_search_vector_gin",
    "DROP INDEX IF EXISTS catalog_item_title_trgm",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS catalog_searchdocument_title_trgm",
    "DROP INDEX IF EXISTS catalog_searchdocument_vector_gin",
    "CREATE INDEX IF NOT EXISTS catalog_item_title_trgm "
    "ON catalog_item USING gin (title gin_trgm_ops)",
    """
    UPDATE catalog_item AS item SET search_vector = document.vector
    FROM catalog_searchdocument AS document WHERE document.item_id = item.id
    """,
    "CREATE INDEX IF NOT EXISTS catalog_item_search_vector_gin "
    "ON catalog_item USING gin (search_vector)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_catalog_sort_and_facet_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.item",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("title", models.CharField(max_length=200)),
            ],
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES_FORWARDS}), _run({"postgresql": POSTGRES_BACKWARDS})),
    ]
