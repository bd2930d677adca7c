"""The kernel's suppression rules: primary, complementary, and bands over a breakdown."""

import pytest
from django.test import override_settings

from learning_portal.core.privacy import (
    band_partition,
    count_is_shareable,
    counted_group_size_floor,
    group_size_floor,
    rounded_people_count,
    suppress_partition,
)


def test_small_cells_are_hidden_with_a_complement():
    hidden = suppress_partition({"a": 40, "b": 3, "c": 12, "d": 30}, min_size=5)
    # "b" alone would be the total minus the rest: the smallest other cell goes with it.
    assert hidden == {"b", "c"}


def test_two_small_hidden_cells_still_need_min_size_together():
    hidden = suppress_partition({"a": 40, "b": 1, "c": 2, "d": 9, "e": 30}, min_size=5)
    assert hidden == {"b", "c", "d"}


def test_nothing_hidden_when_every_cell_is_large_enough():
    assert suppress_partition({"a": 5, "b": 7}, min_size=5) == set()


def test_empty_cells_are_not_groups():
    assert suppress_partition({"a": 0, "b": 8, "c": 9}, min_size=5) == set()


def test_a_banded_count_gets_a_complement_so_totals_do_not_reveal_it():
    cells = {"a": (2, 30), "b": (12, 40), "c": (20, 50)}
    banded = band_partition(cells, min_size=5)
    assert banded == {"a", "b"}
    # Together the banded cells are a shareable count (14 of 70).


def test_group_size_floor_can_be_raised_never_lowered(settings):
    settings.PRIVACY_MIN_GROUP_SIZE = 2
    assert group_size_floor() == 5
    settings.PRIVACY_MIN_GROUP_SIZE = 8
    assert group_size_floor() == 8


@pytest.mark.parametrize(
    ("count", "shown"),
    [(5, 5), (6, 5), (7, 5), (8, 10), (12, 10), (13, 15), (41, 40), (43, 45)],
)
def test_shown_people_counts_are_rounded_to_the_nearest_five(count, shown):
    assert rounded_people_count(count) == shown


def test_overlapping_periods_one_person_apart_show_the_same_figure():
    # "5 over 30 days, 6 over 90 days" would point at one person 31 to 90 days ago.
    assert rounded_people_count(5) == rounded_people_count(6)


@override_settings(PRIVACY_MIN_GROUP_SIZE=8)
def test_the_floor_follows_the_organisations_setting_but_never_drops_below_five():
    assert (group_size_floor(), counted_group_size_floor()) == (8, 16)
    assert not count_is_shareable(count=6, group_size=20)
    with override_settings(PRIVACY_MIN_GROUP_SIZE=3):
        assert group_size_floor() == 5
