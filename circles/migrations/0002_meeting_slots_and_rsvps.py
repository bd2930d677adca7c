import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def slots_from_start_times(apps, schema_editor):
    # Meetings made before this migration had never moved: their slot is their start.
    Meeting = apps.get_model("circles", "Meeting")
    Meeting.objects.update(scheduled_for=models.F("starts_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0001_circles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="meeting", name="sequence"),
        migrations.AddField(
            model_name="meeting",
            name="scheduled_for",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(slots_from_start_times, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="scheduled_for",
            field=models.DateTimeField(editable=False),
        ),
        migrations.CreateModel(
            name="Rsvp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "answer",
                    models.CharField(
                        choices=[("yes", "Yes, I'll be there"), ("no", "No, I can't make it")],
                        max_length=3,
                    ),
                ),
                ("answered_at", models.DateTimeField()),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rsvps",
                        to="circles.meeting",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="circle_rsvps",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["meeting", "user"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meeting", "user"), name="circle_rsvp_once"
                    )
                ],
            },
        ),
    ]
