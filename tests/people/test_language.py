"""The language a person prefers to learn in, chosen in the profile; empty: the organisation's."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from enrollment.models import TranscriptEvent
from learning_portal.core.record_versions import record_version_key
from people.services import LANGUAGE_UNKNOWN, user_language_set
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_organisations_language_until_the_person_chooses(settings):
    settings.LANGUAGE_CODE = "en-gb"
    user = UserFactory()

    assert user.language == ""
    assert user.learning_language == "en"


def test_setting_a_language_saves_it_and_renews_the_record_version(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    cache.set(record_version_key(user.pk), 1)

    with django_capture_on_commit_callbacks(execute=True):
        user_language_set(user=user, language="cy")

    user.refresh_from_db()
    assert user.language == "cy"
    assert user.learning_language == "cy"
    # The widget's cached fragment was stored under the old version: it is made again.
    assert cache.get(record_version_key(user.pk)) != 1
    assert not TranscriptEvent.objects.filter(enrollment__user=user).exists()


def test_an_unknown_language_is_refused_and_the_choice_kept():
    user = UserFactory()
    user_language_set(user=user, language="pl")

    with pytest.raises(ValidationError) as raised:
        user_language_set(user=user, language="xx")

    assert raised.value.messages == [LANGUAGE_UNKNOWN.format(language="xx")]
    user.refresh_from_db()
    assert user.language == "pl"


def test_back_to_the_organisations_language():
    user = UserFactory(language="fr")

    user_language_set(user=user, language="")

    user.refresh_from_db()
    assert user.language == ""
