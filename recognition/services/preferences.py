"""What a person chooses to show of their recognition."""

from django.db import transaction

from people.models import User

from ..models import RecognitionPreference


@transaction.atomic
def recognition_preference_set(
    *, user: User, show_badges_in_circles: bool
) -> RecognitionPreference:
    """Show (or stop showing) the person's badges to the members of their circles."""
    preference, _ = RecognitionPreference.objects.select_for_update().get_or_create(user=user)
    preference.show_badges_in_circles = show_badges_in_circles
    preference.save(update_fields=["show_badges_in_circles"])
    return preference
