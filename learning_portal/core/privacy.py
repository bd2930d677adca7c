"""Privacy rules shared by every app that reports on people.

Two rules apply to every figure that counts people, in this order:

1. Suppression: a count of 1 to group_size_floor() - 1 people is not shown exactly (a band
   or "fewer than 5"); 0 is shown, it points at nobody.
2. Rounding (`rounded_people_count`): a count that is shown is rounded to the nearest
   multiple of ROUNDING_BASE (halves up: 5-7 show as 5, 8-12 as 10). Reports show the same
   people over overlapping periods (the last 30, 90 and 365 days; a month beside the
   trend of months; "since 1 January" month after month), and the difference between two
   exact figures is the people of the slice between them ("5" over 30 days, "6" over 90
   days: one person 31 to 90 days ago). Rounded figures differ only in steps of
   ROUNDING_BASE, so a difference of a few people does not show (ONS-style fixed rounding).
   Totals add the figures as shown, never the exact ones.
"""

from collections.abc import Hashable, Iterable, Mapping

from django.conf import settings

# Counts about people (a department's popular items, a team's uptake, what a team explores)
# rest on groups at least this large, so no one is singled out.
MIN_GROUP_SIZE = 5
# The smallest group a count over it is ever shown for, even as a band (see count_phrase);
# at display time, counted_group_size_floor() (it follows PRIVACY_MIN_GROUP_SIZE).
MIN_COUNTED_GROUP_SIZE = 2 * MIN_GROUP_SIZE
# Shown people counts are multiples of this (see the module's rule 2).
ROUNDING_BASE = 5


def group_size_floor() -> int:
    """The smallest group a report may show: MIN_GROUP_SIZE, or more where the organization
    set PRIVACY_MIN_GROUP_SIZE higher (a setting can raise the floor, never lower it)."""
    return max(MIN_GROUP_SIZE, int(getattr(settings, "PRIVACY_MIN_GROUP_SIZE", MIN_GROUP_SIZE)))


def rounded_people_count(count: int, *, base: int = ROUNDING_BASE) -> int:
    """A people count as shown once it passed suppression: the nearest multiple of `base`,
    halves up (5, 6, 7 -> 5; 8 ... 12 -> 10). Never 0 for a count of at least `base`."""
    return base * ((count + base // 2) // base)


def counted_group_size_floor() -> int:
    """The smallest group a count over it is shown for, even as a band: twice the floor."""
    return 2 * group_size_floor()


def count_is_shareable(*, count: int, group_size: int, min_size: int | None = None) -> bool:
    """Whether "count of group_size people did X" may be shown or used as it is.

    Both the count and the rest of the group must be at least `min_size` (by default
    group_size_floor()): "1 of 8" points at one person, and "8 of 8" (or "7 of 8") at
    everyone (or all but one) just as much.
    """
    min_size = group_size_floor() if min_size is None else min_size
    return count >= min_size and group_size - count >= min_size


def count_phrase(*, count: int, group_size: int) -> str | None:
    """How a count over a group is shown: exactly when shareable, else as a band, else None.

    A band ("fewer than 5 of 12", "more than 7 of 12") always spans at least
    group_size_floor() possible counts, so it cannot pin anyone down either. Groups smaller
    than twice the floor get None: there the low and high bands overlap, and any phrase
    would tell "everyone" apart from the rest (in a team of 5, "5 of 5").
    """
    floor = group_size_floor()
    if group_size < 2 * floor:
        return None
    if count_is_shareable(count=count, group_size=group_size, min_size=floor):
        # Rounded (rule 2): a team's uptake read day after day would show each enrollment.
        return f"{rounded_people_count(count)} of {group_size}"
    if count < floor:
        return f"fewer than {floor} of {group_size}"
    return f"more than {group_size - floor} of {group_size}"


def suppress_partition(
    sizes: Mapping[Hashable, int], *, min_size: int, already: Iterable[Hashable] = ()
) -> set[Hashable]:
    """The cells of one partition (groups that split a shown total) that must be hidden.

    Primary suppression hides every non-empty cell under `min_size` people (and the cells in
    `already`, hidden for another reason). Complementary suppression then hides the smallest
    other cells until the hidden ones cannot be recovered from the total: at least two of
    them, covering at least `min_size` people together. A single hidden cell is the total
    minus the others; two hidden cells of 2 and 1 people still describe 3 people.
    """
    people = {key: size for key, size in sizes.items() if size > 0}
    hidden = {key for key, size in people.items() if size < min_size}
    hidden |= {key for key in already if key in people}
    while hidden:
        covered = sum(people[key] for key in hidden)
        if len(hidden) >= 2 and covered >= min_size:
            break
        shown = sorted((size, str(key), key) for key, size in people.items() if key not in hidden)
        if not shown:
            break
        hidden.add(shown[0][2])
    return hidden


def band_partition(cells: Mapping[Hashable, tuple[int, int]], *, min_size: int) -> set[Hashable]:
    """The cells of one partition whose count ("count of size did X") must not be exact.

    `cells` maps each cell to (count, size). Primary: every cell whose count is not
    shareable (`count_is_shareable`). Complementary: while the banded cells, taken
    together, could be read off the shown total minus the exact cells (one banded cell, or
    several whose combined count is not shareable either), the smallest exact cells join
    them; the result is either no band at all or bands that pin nobody down together.
    """
    banded = {
        key
        for key, (count, size) in cells.items()
        if size > 0 and not count_is_shareable(count=count, group_size=size, min_size=min_size)
    }
    while banded:
        count = sum(cells[key][0] for key in banded)
        size = sum(cells[key][1] for key in banded)
        if len(banded) >= 2 and count_is_shareable(count=count, group_size=size, min_size=min_size):
            break
        exact = sorted(
            (cell_size, str(key), key)
            for key, (_, cell_size) in cells.items()
            if key not in banded and cell_size > 0
        )
        if not exact:
            break
        banded.add(exact[0][2])
    return banded
