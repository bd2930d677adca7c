# The hidden-has-reason check now comes from learning_portal.core.models.Hideable, which names
# it after the app and the model (as recognition's kudos already were): same condition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0008_post_source"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="post",
            name="circle_post_hidden_has_reason",
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(("hidden_at__isnull", True), models.Q(("hidden_reason", ""), _negated=True), _connector="OR"),
                name="circles_post_hidden_has_reason",
            ),
        ),
    ]
