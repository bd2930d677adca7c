"""How a demand figure is shown: core.privacy's rule for counts that describe people.

Some signals count people (who saved, asked to be told, waits, voted, proposed a circle);
others count anonymous events (searches with no result and widget clicks hold no user,
full sessions are sessions). A people count of 1 to group_size_floor() - 1 is shown as
"fewer than 5": next to what a colleague knows ("Sam wants a course on X") a small exact
number could confirm who it is. A larger one is rounded to a multiple of 5
(core.privacy.rounded_people_count): the report offers 30, 90 and 365 days and a trend of
months, and exact figures over overlapping periods would differ by the few people between
them. Zero is shown, since it says nothing about anyone; event counts are shown as they are.
A total adds the figures as shown (a hidden figure counts as 0), so no total lets a hidden
figure be worked out by subtraction.
"""

from dataclasses import dataclass

from learning_portal.core.privacy import group_size_floor, rounded_people_count


@dataclass(frozen=True)
class Figure:
    """`value` is what may be shown (rounded for people); a suppressed figure's value is the
    exact count, kept only to tell "some" from "none" and never shown."""

    value: int
    suppressed: bool
    floor: int = 0

    @property
    def shown(self) -> int:
        """What sums and sorting use: a hidden figure counts as 0."""
        return 0 if self.suppressed else self.value

    @property
    def text(self) -> str:
        return f"fewer than {self.floor}" if self.suppressed else str(self.value)

    @property
    def csv(self) -> str:
        return f"<{self.floor}" if self.suppressed else str(self.value)


def people_figure(count: int) -> Figure:
    floor = group_size_floor()
    if 0 < count < floor:
        return Figure(count, True, floor)
    return Figure(rounded_people_count(count), False, floor)


def event_figure(count: int) -> Figure:
    return Figure(count, False)
