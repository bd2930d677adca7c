"""Interests move here from people (Employee.interests): the people app no longer knows topics.

The rows are copied before people's migration drops its table (`run_before`), so nobody's
interests are lost; going back copies them back.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO {target} (employee_id, topic_id) SELECT employee_id, topic_id FROM {source}"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_catalog_version"),
        ("people", "0002_importrun"),
        ("widgets", "0001_initial"),
    ]
    run_before = [
        ("people", "0003_interests_move_to_widgets"),
    ]

    operations = [
        migrations.CreateModel(
            name="Interest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "employee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interests",
                        to="people.employee",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.topic",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("employee", "topic"), name="widgets_interest_once"
                    )
                ],
            },
        ),
        migrations.RunSQL(
            COPY.format(target="widgets_interest", source="people_employee_interests"),
            reverse_sql=COPY.format(
                target="people_employee_interests", source="widgets_interest"
            ),
        ),
    ]
