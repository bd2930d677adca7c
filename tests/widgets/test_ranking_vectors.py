"""The ranking's arrays (widgets.selectors.vectors) agree with its explanation of each
suggestion (ranking.scored), and the day's rotation spreads evenly."""

import datetime as dt

import pytest
from django.utils import timezone

from enrollment.models import Enrollment
from tests.catalog.factories import ItemFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from widgets import selectors
from widgets.models import Dismissal, TeamSuggestion, Variant
from widgets.services import interests_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", [Variant.MANAGER, Variant.EMPLOYEE])
def test_every_candidates_score_and_tier_for_a_person_are_those_of_its_reasoning(
    catalog_mix, make_team, variant
):
    from widgets.selectors import ranking
    from widgets.selectors import vectors as vectors_module
    from widgets.selectors.pool import candidates_visible, team_exploring

    now = timezone.now()
    pharmacy = DepartmentFactory(name="Pharmacy")
    boss = EmployeeFactory(is_manager=True)
    manager, team = make_team(11, department=pharmacy, manager=boss)
    for person in team[:6]:
        Enrollment.objects.create(user=person.user, item=catalog_mix["course"], status="enrolled")
        Enrollment.objects.create(user=person.user, item=catalog_mix["book"], status="completed")
    interests_set(employee=manager, topics=catalog_mix["leaders"].topics.all())
    TeamSuggestion.objects.create(
        manager=boss,
        item=catalog_mix["podcast"],
        created_at=now,
        expires_at=now + dt.timedelta(days=3),
    )
    Dismissal.objects.create(user=manager.user, item=catalog_mix["video"])
    ItemFactory(title="Cyfathrebu â chleifion", language="cy")  # scored down for this reader
    viewer = selectors.viewer_for(user=manager.user, now=now)
    pool = selectors.pool_build(now=now)
    dept = selectors.department_popularity(department_id=pharmacy.pk, now=now)
    team_topics = team_exploring(manager_pk=manager.pk, now=now)
    visible = candidates_visible(pool=pool, viewer=viewer)
    vectors = vectors_module.vectors_of(pool)

    score, tier, shown = vectors_module.scores(
        vectors,
        viewer=viewer,
        variant=variant,
        visible_restricted=visible,
        dept_popularity=dept,
        team_topics=team_topics,
        now=now,
        language="en",
    )

    jitter = vectors_module.jitter(str(viewer.user_id), timezone.localdate(now), vectors.ids)
    for i, candidate in enumerate(pool.candidates):
        row = ranking.scored(
            candidate,
            pool=pool,
            viewer=viewer,
            variant=variant,
            dept_popularity=dept,
            team_topics=team_topics,
            max_popularity=vectors.max_popularity,
            jitter=jitter[i],
            new_since=now - dt.timedelta(days=selectors.NEW_DAYS),
            now=now,
            language="en",
        )
        hidden = candidate.id in viewer.excluded_item_ids or (
            candidate.restricted and candidate.id not in visible
        )
        assert bool(shown[i]) == (row is not None and not hidden), candidate.title
        if row is not None:
            assert score[i] == pytest.approx(row.score), candidate.title
            assert tier[i] == row.tier, candidate.title
    # The department's and the team's signals took part.
    assert dept
    assert team_topics


def test_the_rotation_spreads_evenly_and_differs_between_people_and_days():
    import numpy as np

    from widgets.selectors.vectors import jitter

    ids = np.arange(1, 20_001)
    monday = dt.date(2026, 11, 30)
    one = jitter("17", monday, ids)

    assert ((one >= 0) & (one < 1)).all()
    assert abs(one.mean() - 0.5) < 0.02
    assert np.histogram(one, bins=10, range=(0, 1))[0].min() > 1_800
    assert (one == jitter("17", monday, ids)).all()
    assert np.corrcoef(one, jitter("18", monday, ids))[0, 1] < 0.05
    assert np.corrcoef(one, jitter("17", monday + dt.timedelta(days=1), ids))[0, 1] < 0.05
