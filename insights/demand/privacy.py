"""How a demand figure is shown: the rule for counts that describe people.

Some signals count people (who saved, asked to be told, waits, voted, proposed a circle);
others count anonymous events (searches with no result and widget clicks hold no user,
full sessions are sessions). A people count of 1 to MIN_GROUP_SIZE - 1 is shown as
"fewer than 5": next to what a colleague knows ("Sam wants a course on X") a small exact
number could confirm who it is. Zero is shown, since it says nothing about anyone; event
counts are shown as they are. A total adds the figures as shown (a hidden figure counts as
0), so no total lets a hidden figure be worked out by subtraction.
"""

from dataclasses import dataclass

from learning_portal.core.privacy import MIN_GROUP_SIZE


@dataclass(frozen=True)
class Figure:
    value: int
    suppressed: bool

    @property
    def shown(self) -> int:
        """What sums and sorting use: a hidden figure counts as 0."""
        return 0 if self.suppressed else self.value

    @property
    def text(self) -> str:
        return f"fewer than {MIN_GROUP_SIZE}" if self.suppressed else str(self.value)

    @property
    def csv(self) -> str:
        return f"<{MIN_GROUP_SIZE}" if self.suppressed else str(self.value)


def people_figure(count: int) -> Figure:
    return Figure(count, 0 < count < MIN_GROUP_SIZE)


def event_figure(count: int) -> Figure:
    return Figure(count, False)
