"""The count of committed catalog changes that the catalog index is checked against (one row)."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("catalog", "CatalogVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_drop_sql_facet_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("catalog", models.BigIntegerField(default=0)),
                ("search", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
