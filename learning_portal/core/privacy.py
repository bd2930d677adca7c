"""Privacy rules shared by every app that reports on people."""

# Counts about people (a department's popular items, a team's uptake, what a team explores)
# rest on groups at least this large, so no one is singled out.
MIN_GROUP_SIZE = 5
# The smallest group a count over it is ever shown for, even as a band (see count_phrase).
MIN_COUNTED_GROUP_SIZE = 2 * MIN_GROUP_SIZE


def count_is_shareable(*, count: int, group_size: int) -> bool:
    """Whether "count of group_size people did X" may be shown or used as it is.

    Both the count and the rest of the group must be at least MIN_GROUP_SIZE: "1 of 8"
    points at one person, and "8 of 8" (or "7 of 8") at everyone (or all but one) just as
    much.
    """
    return count >= MIN_GROUP_SIZE and group_size - count >= MIN_GROUP_SIZE


def count_phrase(*, count: int, group_size: int) -> str | None:
    """How a count over a group is shown: exactly when shareable, else as a band, else None.

    A band ("fewer than 5 of 12", "more than 7 of 12") always spans at least MIN_GROUP_SIZE
    possible counts, so it cannot pin anyone down either. Groups smaller than twice
    MIN_GROUP_SIZE get None: there the low and high bands overlap, and any phrase would tell
    "everyone" apart from the rest (in a team of 5, "5 of 5").
    """
    if group_size < MIN_COUNTED_GROUP_SIZE:
        return None
    if count_is_shareable(count=count, group_size=group_size):
        return f"{count} of {group_size}"
    if count < MIN_GROUP_SIZE:
        return f"fewer than {MIN_GROUP_SIZE} of {group_size}"
    return f"more than {group_size - MIN_GROUP_SIZE} of {group_size}"
