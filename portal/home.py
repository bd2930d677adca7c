"""The home page's rows, composed from the apps below: each row is a read those apps own.

Rows for a signed-in person: Continue learning (their own enrollments), Suggested for you
(the widget's suggestions), Popular in your department (the widget's rule: items at least
group_size_floor() colleagues chose and at least as many did not, so no row points at a
person, nor at everyone in a small department), Circles starting soon and New this month.
A visitor sees the invitation, circles and what is new. Items rows put learning in the
person's learning language first (people.User.learning_language; the organisation's for a
visitor), as the suggestions do.
"""

import datetime as dt
from dataclasses import dataclass, field

from catalog import selectors as catalog_selectors
from catalog.models import Item
from circles import selectors as circle_selectors
from circles.models import Circle
from enrollment import selectors as enrollment_selectors
from learning_portal.core.languages import organisation_language
from people.selectors import employee_get_for_user
from widgets.selectors import department_popularity_shared

ROW_SIZE = 4
CIRCLE_ROW_SIZE = 3
NEW_ITEM_DAYS = 31


@dataclass
class HomeRows:
    continue_learning: list = field(default_factory=list)
    popular_in_department: list[Item] = field(default_factory=list)
    department_name: str = ""
    circles_soon: list[Circle] = field(default_factory=list)
    new_items: list[Item] = field(default_factory=list)


def _in_order(items, ids: list[int]) -> list[Item]:
    by_id = {item.pk: item for item in items}
    return [by_id[pk] for pk in ids if pk in by_id]


def _newest(cards, *, language: str, since: dt.datetime) -> list[Item]:
    """New this month: the newest in the person's language, then the newest in others.

    Two reads walking the newest-first index, each stopping at a row's worth, rather than one
    that puts the language first: that one sorted every new item, and right after a catalog
    is imported every item is new (100k items: 300 ms for each signed-in front page).
    """
    new = (
        cards.filter(created_at__gte=since)
        .exclude(format=Item.Format.LEARNING_CIRCLE)
        .order_by("-created_at", "pk")
    )
    first = list(new.filter(language=language)[:ROW_SIZE])
    if len(first) == ROW_SIZE:
        return first
    return first + list(new.exclude(language=language)[: ROW_SIZE - len(first)])


def home_rows(*, user, now: dt.datetime) -> HomeRows:
    rows = HomeRows()
    language = user.learning_language if user.is_authenticated else organisation_language()
    cards = catalog_selectors.item_list_for_catalog(user=user, now=now)
    rows.new_items = _newest(cards, language=language, since=now - dt.timedelta(days=NEW_ITEM_DAYS))
    circles = circle_selectors.circle_list_visible_to(
        user=user, states=(Circle.State.OPEN,)
    ).filter(start_date__gte=now.date())
    if not user.is_authenticated:
        rows.circles_soon = list(circles[:CIRCLE_ROW_SIZE])
        return rows

    mine = enrollment_selectors.my_learning_for(user=user, now=now)
    rows.continue_learning = (mine.upcoming_sessions + mine.in_progress)[:ROW_SIZE]
    # A circle the person has a seat or a waitlist place in is theirs already (Continue
    # learning shows it): "Join the circle" would be wrong.
    theirs = {
        e.offering_id for e in mine.upcoming_sessions + mine.in_progress + mine.waitlisted
    } - {None}
    rows.circles_soon = list(circles.exclude(offering_id__in=theirs)[:CIRCLE_ROW_SIZE])
    employee = employee_get_for_user(user=user)
    if employee is not None and employee.department_id:
        # The widget's "Popular in {department}" rule, both ways: an item 5 of a department of
        # 6 chose would tell each of them what (nearly) all their colleagues enrolled in.
        counts = department_popularity_shared(department_id=employee.department_id, now=now)
        ids = sorted(counts, key=lambda pk: (-counts[pk], pk))
        popular = _in_order(cards.filter(pk__in=ids), ids)
        # Most chosen first within each: the person's language, then the others.
        popular.sort(key=lambda item: item.language != language)
        rows.popular_in_department = popular[:ROW_SIZE]
        rows.department_name = employee.department.name
    return rows
