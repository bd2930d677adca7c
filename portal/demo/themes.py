"""Demo data: a planned year of monthly themes, for `seed_demo`."""

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Item, Offering
from catalog.visibility import published_q
from themes.models import Theme, ThemeItem, ThemeRelease, add_months
from themes.selectors import month_start

THEMES = [
    (
        "Kindness at work",
        "Small acts that make shifts easier for colleagues and patients: listening, "
        "thanking, and asking for help early.",
    ),
    (
        "Speaking up for safety",
        "How to raise a concern, how to hear one, and why the quietest voice in the room "
        "often sees the risk first.",
    ),
    (
        "Rest and recovery",
        "Sleep after night shifts, short breaks that actually help, and looking after "
        "yourself through a busy winter.",
    ),
    (
        "Digital confidence",
        "Get more out of the tools you use every day, from the patient record to spreadsheets.",
    ),
    (
        "Leading a team through change",
        "For anyone who leads people, formally or not: explaining change and keeping a team "
        "together while it happens.",
    ),
    (
        "Learning from incidents",
        "What good investigations look like, and how teams turn a bad day into better care.",
    ),
    (
        "Inclusive care",
        "Accessible communication, interpreters, and care that fits the person in front of you.",
    ),
    (
        "Teaching on the ward",
        "Supervising students and new starters: giving feedback, and learning while you teach.",
    ),
]

NOTES = [
    "A good place to start.",
    "Short enough for a break.",
    "Colleagues recommend this one.",
    "",
    "Worth booking early: places go fast.",
    "",
]

PAST_MONTHS = 4
UPCOMING_MONTHS = 3
ITEMS_PER_THEME = 5
FEATURED_SESSIONS = 2
RELEASE_TIME = datetime.time(7, 0)


def _release_at(month: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(month, RELEASE_TIME, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def seed_theme_year(*, rng: random.Random, now: datetime.datetime) -> list[Theme]:
    """Plan past themes (published, the oldest archived), this month's (published) and
    upcoming scheduled ones from the published catalog. Months that already have a theme
    are left alone, so running it twice adds nothing.

    Past and current releases get their ThemeRelease record, already announced, so the
    beat task does not email everyone about demo history on its first run.
    """
    items = list(Item.objects.filter(published_q(now)).order_by("pk"))
    if not items:
        return []
    this_month = month_start(now)
    titles = THEMES[:]
    rng.shuffle(titles)
    created = []
    for offset in range(-PAST_MONTHS, UPCOMING_MONTHS + 1):
        month = add_months(this_month, offset)
        if Theme.objects.filter(month=month).exists():
            continue
        title, introduction = titles[(offset + PAST_MONTHS) % len(titles)]
        if offset < 0:
            state = Theme.State.ARCHIVED if offset == -PAST_MONTHS else Theme.State.PUBLISHED
        elif offset == 0:
            state = Theme.State.PUBLISHED
        else:
            state = Theme.State.SCHEDULED
        release_at = min(_release_at(month), now) if offset == 0 else _release_at(month)
        theme = Theme.objects.create(
            title=title,
            slug=slugify(f"{title} {month:%Y-%m}"),
            month=month,
            introduction=introduction,
            state=state,
            release_at=release_at,
        )
        sessions = list(
            Offering.objects.filter(
                item__in=items,
                status=Offering.Status.SCHEDULED,
                starts_at__date__gte=month,
                starts_at__date__lt=add_months(month, 1),
            ).order_by("starts_at")[:FEATURED_SESSIONS]
        )
        # Items with a featured session lead the theme, then a random pick of the rest.
        chosen = list(dict.fromkeys(session.item for session in sessions))
        others = [item for item in items if item not in chosen]
        chosen += rng.sample(others, min(ITEMS_PER_THEME - len(chosen), len(others)))
        ThemeItem.objects.bulk_create(
            ThemeItem(theme=theme, item=item, position=number, curator_note=rng.choice(NOTES))
            for number, item in enumerate(chosen, start=1)
        )
        theme.featured_offerings.set(sessions)
        if offset <= 0:
            ThemeRelease.objects.create(
                theme=theme, released_at=release_at, announcement_queued_at=release_at
            )
        created.append(theme)
    return created
