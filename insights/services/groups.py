"""The groups the dashboard may show, and which of them must stay hidden.

A group is a set of people: everyone, a department, a role, a location, the managers or the
others, and the managers within each of them (the headline filtered by department). A group
is shown only when nobody can be singled out from it, alone or against another shown group:

- it has at least `min_size` people (primary suppression);
- within one breakdown (the departments split everyone), the hidden groups are at least two
  and cover at least `min_size` people, so total minus the rest recovers nothing
  (complementary suppression, `learning_portal.core.privacy.suppress_partition`);
- any two shown groups differ by no one or by at least `min_size` people each way, so two
  overlapping filters (a department, and a location holding it plus one person) never
  isolate anyone by their difference.

Nothing here lists people: sets of ids are used for counting and thrown away.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from learning_portal.core.privacy import suppress_partition

from ..models import Dimension

NOT_RECORDED = "Not recorded"
PEOPLE = "people"
MANAGERS = "managers"
MANAGER_VALUES = {"managers": "Managers", "others": "Everyone else"}


@dataclass
class Group:
    dimension: str
    value: str
    label: str
    members: set[int] = field(default_factory=set)
    managers: set[int] = field(default_factory=set)


def _cells_of(person: dict) -> list[tuple[str, str, str]]:
    """(dimension, value, label) of each group a person belongs to."""
    department = person["department"]
    role = person["role"]
    location = person["location"]
    manager = "managers" if person["is_manager"] else "others"
    return [
        (Dimension.ALL, "", "Everyone"),
        (Dimension.DEPARTMENT, *(department or ("", NOT_RECORDED))),
        (Dimension.ROLE, *(role or ("", NOT_RECORDED))),
        (Dimension.LOCATION, location, location or NOT_RECORDED),
        (Dimension.MANAGER, manager, MANAGER_VALUES[manager]),
    ]


def build_groups(population: list[dict]) -> dict[tuple[str, str], Group]:
    """Every group of the population, keyed by (dimension, value)."""
    groups: dict[tuple[str, str], Group] = {}
    for person in population:
        for dimension, value, label in _cells_of(person):
            group = groups.get((dimension, value))
            if group is None:
                group = groups[(dimension, value)] = Group(dimension, value, label)
            group.members.add(person["user_id"])
            if person["is_manager"]:
                group.managers.add(person["user_id"])
    return groups


def hidden_groups(
    groups: dict[tuple[str, str], Group], *, min_size: int
) -> set[tuple[str, str, str]]:
    """The (dimension, value, scope) to hide, scope PEOPLE (the group) or MANAGERS (its
    managers). See the module docstring for the three rules; they are applied until none
    hides anything more."""
    sizes: dict[tuple[str, str, str], int] = {}
    for (dimension, value), group in groups.items():
        sizes[(dimension, value, PEOPLE)] = len(group.members)
        sizes[(dimension, value, MANAGERS)] = len(group.managers)
    # The pairwise overlaps, counted once per person over the groups they are in.
    overlap: Counter = Counter()
    memberships: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for (dimension, value), group in groups.items():
        for user_id in group.members:
            memberships[user_id].append((dimension, value, PEOPLE))
        for user_id in group.managers:
            memberships[user_id].append((dimension, value, MANAGERS))
    for keys in memberships.values():
        for a, b in combinations(sorted(keys), 2):
            overlap[(a, b)] += 1

    partitions: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for key in sizes:
        dimension, _, scope = key
        if dimension != Dimension.ALL:
            partitions[(dimension, scope)].append(key)

    hidden = {key for key, size in sizes.items() if size < min_size}
    while True:
        before = len(hidden)
        for keys in partitions.values():
            hidden |= suppress_partition(
                {key: sizes[key] for key in keys}, min_size=min_size, already=hidden
            )
        shown = sorted(key for key in sizes if key not in hidden and sizes[key])
        for a, b in combinations(shown, 2):
            if a in hidden or b in hidden:
                continue
            common = overlap.get((a, b), 0) if a < b else overlap.get((b, a), 0)
            only_a, only_b = sizes[a] - common, sizes[b] - common
            if 0 < only_a < min_size or 0 < only_b < min_size:
                # The smaller group goes (the larger is more useful); ties by key.
                hidden.add(min((sizes[a], a), (sizes[b], b))[1])
        if len(hidden) == before:
            return hidden
