"""Interests moved to the widgets app (widgets.Interest), which copied them first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_importrun"),
    ]

    operations = [
        migrations.RemoveField(model_name="employee", name="interests"),
    ]
