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

from . import vocabulary as v

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

# The catalog topics each theme draws its items from.
THEME_TOPICS = {
    "Kindness at work": ["Communication", "Wellbeing", "Resilience"],
    "Speaking up for safety": ["Patient safety", "Resilience"],
    "Rest and recovery": ["Wellbeing", "Resilience"],
    "Digital confidence": ["Digital skills", "Data literacy"],
    "Leading a team through change": ["Leadership", "Coaching"],
    "Learning from incidents": ["Patient safety", "Quality improvement"],
    "Inclusive care": ["Equality & inclusion", "Communication", "Safeguarding"],
    "Teaching on the ward": ["Coaching", "Clinical skills"],
}


def curator_note(item: Item, *, featured: bool) -> str:
    """A note that fits the item: its format, length and level, not a random line."""
    if featured:
        return "Worth booking early: places on this session go fast."
    if item.format == Item.Format.BOOK:
        return "A book to dip into over the month, a chapter at a time."
    if item.format == Item.Format.PODCAST:
        return "Good listening for the commute home."
    if item.duration_minutes and item.duration_minutes <= 20:
        return f"Short enough for a break: about {item.duration_minutes} minutes."
    if item.level == Item.Level.INTRODUCTORY:
        return "A good place to start if the subject is new to you."
    if item.level == Item.Level.ADVANCED:
        return "For when you know the basics and want to go further."
    return ""


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
    # Open to everyone: a theme is for the whole group.
    items = list(Item.objects.filter(published_q(now), audiences__isnull=True).order_by("pk"))
    if not items:
        return []
    # An item is about the topic its title's subject comes from (portal.demo.vocabulary).
    # (A subject named as an event, "… Workshop", may appear without that word.)
    subject_topic = {
        phrase.removesuffix(" Workshop").removesuffix(" Masterclass"): topic
        for topic, (_, phrases, _) in v.TOPICS.items()
        for phrase in phrases
    }
    topics_of = {
        item.pk: {topic for phrase, topic in subject_topic.items() if phrase in item.title}
        for item in items
    }
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
        fitting = [i for i in items if topics_of[i.pk] & set(THEME_TOPICS.get(title, []))]
        fitting = fitting or items
        sessions = list(
            Offering.objects.filter(
                item__in=fitting,
                status=Offering.Status.SCHEDULED,
                starts_at__date__gte=month,
                starts_at__date__lt=add_months(month, 1),
            ).order_by("starts_at")[:FEATURED_SESSIONS]
        )
        # Items with a featured session lead the theme, then a random pick of the rest.
        chosen = list(dict.fromkeys(session.item for session in sessions))
        featured = set(chosen)
        others = [item for item in fitting if item not in featured]
        chosen += rng.sample(others, min(ITEMS_PER_THEME - len(chosen), len(others)))
        ThemeItem.objects.bulk_create(
            ThemeItem(
                theme=theme,
                item=item,
                position=number,
                curator_note=curator_note(item, featured=item in featured),
            )
            for number, item in enumerate(chosen, start=1)
        )
        theme.featured_offerings.set(sessions)
        if offset <= 0:
            ThemeRelease.objects.create(
                theme=theme, released_at=release_at, announcement_queued_at=release_at
            )
        created.append(theme)
    return created
