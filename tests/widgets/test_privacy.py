"""Small groups and differencing: no aggregate a manager or the widget shows points at a person.

The rule (learning_portal.core.privacy): a count over a group is shown only when both the
count and the rest of the group are at least MIN_GROUP_SIZE; otherwise a band that holds at
least MIN_GROUP_SIZE possible counts, or nothing. Issue 10 item 2.
"""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Enrollment
from learning_portal.core.privacy import MIN_GROUP_SIZE, count_phrase
from tests.catalog.factories import ItemFactory, TopicFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from widgets import services
from widgets.models import TeamSuggestion
from widgets.selectors import (
    department_popularity,
    team_exploring,
    team_suggestions_with_uptake,
    teams_exploring,
)

pytestmark = pytest.mark.django_db


def enroll(people, item, when=None):
    for person in people:
        enrollment = Enrollment.objects.create(user=person.user, item=item, status="enrolled")
        if when is not None:
            Enrollment.objects.filter(pk=enrollment.pk).update(created_at=when)


# -- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "size", "phrase"),
    [
        (5, 10, "5 of 10"),
        (7, 14, "5 of 14"),  # shown counts are rounded to the nearest 5
        (0, 10, "fewer than 5 of 10"),
        (4, 10, "fewer than 5 of 10"),
        (6, 10, "more than 5 of 10"),
        (10, 10, "more than 5 of 10"),
        (12, 20, "10 of 20"),
        (13, 20, "15 of 20"),
        (16, 20, "more than 15 of 20"),
        # Teams of 5–9: every band would pin people down (5 of 5 is everyone).
        (1, 5, None),
        (5, 5, None),
        (0, 9, None),
        (9, 9, None),
        (2, 4, None),
    ],
)
def test_count_phrase_never_points_at_fewer_than_five_people(count, size, phrase):
    assert count_phrase(count=count, group_size=size) == phrase


def test_every_band_covers_at_least_min_group_size_counts():
    for size in range(0, 40):
        shown: dict[str, list[int]] = {}
        for count in range(size + 1):
            phrase = count_phrase(count=count, group_size=size)
            if phrase is not None:
                shown.setdefault(phrase, []).append(count)
        for phrase, counts in shown.items():
            exact = "fewer" not in phrase and "more" not in phrase
            if exact:  # rounded: a few exact counts may share it, each of them shareable
                assert all(c >= MIN_GROUP_SIZE and size - c >= MIN_GROUP_SIZE for c in counts)
            else:
                assert len(counts) >= MIN_GROUP_SIZE, (size, phrase, counts)


# -- the team page -----------------------------------------------------------------------------


@pytest.fixture
def team_of(make_team):
    def make(size):
        manager, reports = make_team(size)
        return manager, reports

    return make


@pytest.mark.parametrize(("size", "enrolled"), [(5, 1), (5, 5), (6, 3), (9, 9)])
def test_team_page_shows_no_uptake_that_points_at_people(client_as, team_of, size, enrolled):
    manager, reports = team_of(size)
    item = ItemFactory()
    services.team_suggestion_create(manager=manager, item=item)
    enroll(reports[:enrolled], item)

    page = client_as(manager).get(reverse("widgets:team")).content.decode()

    assert f"{enrolled} of {size}" not in page
    assert "not shown" in page


@pytest.mark.parametrize(
    ("size", "enrolled", "shown"),
    [(10, 1, "fewer than 5 of 10"), (10, 5, "5 of 10"), (10, 10, "more than 5 of 10")],
)
def test_team_page_shows_counts_and_bands_for_larger_teams(
    client_as, team_of, size, enrolled, shown
):
    manager, reports = team_of(size)
    item = ItemFactory()
    services.team_suggestion_create(manager=manager, item=item)
    enroll(reports[:enrolled], item)

    page = client_as(manager).get(reverse("widgets:team")).content.decode()

    assert shown in page


def test_re_suggesting_does_not_restart_the_uptake_window(team_of):
    manager, reports = team_of(10)
    item = ItemFactory()
    first = timezone.now() - dt.timedelta(days=10)
    services.team_suggestion_create(manager=manager, item=item, now=first)
    enroll(reports[:5], item, when=first + dt.timedelta(days=1))

    services.team_suggestion_create(manager=manager, item=item)  # "0 of 10" would follow

    suggestion = TeamSuggestion.objects.get()
    assert suggestion.created_at == first
    assert suggestion.expires_at > timezone.now() + dt.timedelta(days=27)
    (row,) = team_suggestions_with_uptake(manager=manager).rows
    assert row["uptake"] == "5 of 10"


def test_withdrawing_and_suggesting_again_does_not_restart_the_window(client_as, team_of):
    manager, reports = team_of(10)
    item = ItemFactory()
    first = timezone.now() - dt.timedelta(days=3)
    services.team_suggestion_create(manager=manager, item=item, now=first)
    enroll(reports[:5], item, when=first + dt.timedelta(hours=1))
    client = client_as(manager)
    client.post(reverse("widgets:team"), {"suggestion": TeamSuggestion.objects.get().pk})

    services.team_suggestion_create(manager=manager, item=item)

    assert TeamSuggestion.objects.get().created_at == first
    (row,) = team_suggestions_with_uptake(manager=manager).rows
    assert row["uptake"] == "5 of 10"
    assert row["active"]


def test_a_withdrawn_suggestion_is_no_longer_shown_to_the_team(team_of):
    manager, reports = team_of(5)
    item = ItemFactory()
    suggestion = services.team_suggestion_create(manager=manager, item=item)

    services.team_suggestion_withdraw(manager=manager, suggestion_id=suggestion.pk)

    suggestion.refresh_from_db()
    assert suggestion.expires_at <= timezone.now()
    (row,) = team_suggestions_with_uptake(manager=manager).rows
    assert not row["active"]


# -- "Your team is exploring …" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "explorers", "shown"),
    [(5, 5, False), (6, 2, False), (9, 5, False), (10, 4, False), (10, 5, True), (12, 7, True),
     (10, 6, False)],
)  # fmt: skip
def test_team_exploring_rests_on_five_people_each_way(team_of, size, explorers, shown):
    manager, reports = team_of(size)
    topic = TopicFactory(name="Coaching")
    items = [ItemFactory(topics=[topic]) for _ in range(2)]
    for n, person in enumerate(reports[:explorers]):
        enroll([person], items[n % 2])

    assert (topic.pk in team_exploring(manager_pk=manager.pk, now=timezone.now())) is shown


# -- "Popular in {department}" -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "enrolled", "shown"),
    [(20, 2, False), (20, 4, False), (20, 5, True), (7, 5, False), (10, 5, True), (10, 6, False)],
)
def test_department_popularity_rests_on_five_people_each_way(size, enrolled, shown):
    department = DepartmentFactory(name="Pharmacy")
    people = [EmployeeFactory(department=department) for _ in range(size)]
    item = ItemFactory()
    enroll(people[:enrolled], item)

    popular = department_popularity(department_id=department.pk, now=timezone.now())

    assert (item.pk in popular) is shown


def test_manager_team_page_is_not_stored(client_as, team_of):
    manager, _ = team_of(5)

    response = client_as(manager).get(reverse("widgets:team"))

    assert "no-store" in response["Cache-Control"]


# -- the organisation's floor (PRIVACY_MIN_GROUP_SIZE) -----------------------------------------


@override_settings(PRIVACY_MIN_GROUP_SIZE=6)
def test_a_higher_floor_hides_a_team_of_ten_and_five_of_twelve(client_as, team_of):
    assert count_phrase(count=5, group_size=10) is None
    assert count_phrase(count=5, group_size=12) == "fewer than 6 of 12"
    manager, reports = team_of(10)
    item = ItemFactory()
    services.team_suggestion_create(manager=manager, item=item)
    enroll(reports[:5], item)

    (row,) = team_suggestions_with_uptake(manager=manager).rows
    assert row["uptake"] is None
    page = client_as(manager).get(reverse("widgets:team")).content.decode()
    assert "5 of 10" not in page


@override_settings(PRIVACY_MIN_GROUP_SIZE=6)
def test_a_higher_floor_holds_for_team_exploring_and_department_popularity(team_of):
    manager, reports = team_of(11)
    topic = TopicFactory(name="Coaching")
    enroll(reports[:5], ItemFactory(topics=[topic]))
    department = DepartmentFactory(name="Pharmacy")
    people = [EmployeeFactory(department=department) for _ in range(11)]
    item = ItemFactory()
    enroll(people[:5], item)
    now = timezone.now()

    assert topic.pk not in team_exploring(manager_pk=manager.pk, now=now)
    assert topic.pk not in teams_exploring(now=now).get(manager.pk, {})
    assert item.pk not in department_popularity(department_id=department.pk, now=now)
