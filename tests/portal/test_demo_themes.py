import random

import pytest
from django.utils import timezone

from portal.demo.themes import PAST_MONTHS, UPCOMING_MONTHS, seed_theme_year
from tests.catalog.factories import ItemFactory
from themes import selectors
from themes.models import Theme, ThemeRelease

pytestmark = pytest.mark.django_db


def test_demo_year_has_past_current_and_upcoming_themes_and_announces_nothing_old():
    ItemFactory.create_batch(8)
    now = timezone.now()

    themes = seed_theme_year(rng=random.Random(1), now=now)

    assert len(themes) == PAST_MONTHS + 1 + UPCOMING_MONTHS
    current = selectors.theme_get_current(now=now)
    assert current.month == selectors.month_start(now)
    assert current.state == Theme.State.PUBLISHED
    assert Theme.objects.filter(state=Theme.State.SCHEDULED).count() == UPCOMING_MONTHS
    assert Theme.objects.filter(state=Theme.State.ARCHIVED).count() == 1
    assert all(theme.entries.count() == 5 for theme in themes)
    # Released demo themes count as announced: the beat task must not email demo history.
    assert selectors.theme_ids_due_for_release(now=now) == []
    assert not selectors.release_list_unannounced().exists()
    assert ThemeRelease.objects.count() == PAST_MONTHS + 1


def test_demo_year_is_not_planned_twice():
    ItemFactory.create_batch(8)
    now = timezone.now()
    seed_theme_year(rng=random.Random(1), now=now)

    assert seed_theme_year(rng=random.Random(1), now=now) == []
    assert Theme.objects.count() == PAST_MONTHS + 1 + UPCOMING_MONTHS
