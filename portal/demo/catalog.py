"""The demo's catalog: generated items with topics and audiences, and their sessions."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

from django.utils.text import slugify

from catalog.models import Item, Offering
from catalog.services import item_search_refresh

from . import vocabulary as v
from .base import BATCH_SIZE, DEMO_ITEM_PREFIX, PROGRESS_EVERY, SeederBase

# Words that make a subject an event.
EVENT_WORDS = {"Workshop", "Masterclass"}


class CatalogSeeding(SeederBase):
    """The catalog, after the people (its audiences are theirs)."""

    def catalog(self) -> None:
        formats = list(v.FORMATS)
        format_weights = [v.FORMATS[f][0] for f in formats]
        levels, level_weights = list(v.LEVELS), list(v.LEVELS.values())
        slug_counts: Counter[str] = Counter()
        self.titles_used: set[str] = set()
        topic_names = list(self.topics)
        # Every audience gets restricted items even at the smallest size.
        guaranteed = {i * 7: audience for i, audience in enumerate(self.audiences)}

        for start in range(0, self.n_items, BATCH_SIZE):
            specs = []
            for index in range(start, min(start + BATCH_SIZE, self.n_items)):
                audience = guaranteed.get(index)
                if audience is None and self.rng.random() < 0.015:
                    audience = self.rng.choice(self.audiences)
                specs.append(
                    self.item_spec(
                        index,
                        fmt=self.rng.choices(formats, format_weights)[0],
                        level=self.rng.choices(levels, level_weights)[0],
                        topic_names=topic_names,
                        audience=audience,
                        slug_counts=slug_counts,
                    )
                )
            items = self.bulk(Item, [spec["item"] for spec in specs])
            topic_rows, audience_rows, offerings = [], [], []
            for spec, item in zip(specs, items, strict=True):
                topic_rows += [
                    Item.topics.through(item_id=item.pk, topic_id=self.topics[name].pk)
                    for name in spec["topics"]
                ]
                if spec["audience"]:
                    audience_rows.append(
                        Item.audiences.through(item_id=item.pk, audience_id=spec["audience"].pk)
                    )
                if item.delivery == Item.Delivery.SCHEDULED:
                    offerings += self.offerings_for(item)
            self.bulk(Item.topics.through, topic_rows)
            self.bulk(Item.audiences.through, audience_rows)
            self.bulk(Offering, offerings)
            self.result.items += len(items)
            self.result.offerings += len(offerings)
            self.result.restricted_items += len(audience_rows)
            if self.result.items % PROGRESS_EVERY == 0 or self.result.items == self.n_items:
                self.progress(
                    f"items: {self.result.items}/{self.n_items} "
                    f"({self.result.offerings} sessions, {self.result.restricted_items} restricted)"
                )

        refreshed = item_search_refresh(
            item_ids=Item.objects.filter(external_id__startswith=DEMO_ITEM_PREFIX).values("pk")
        )
        self.progress(f"search refreshed for {refreshed} items")

    def item_spec(self, index, *, fmt, level, topic_names, audience, slug_counts: Counter) -> dict:
        rng = self.rng
        topics = rng.sample(topic_names, k=rng.choices([1, 2, 3], [50, 35, 15])[0])
        if audience is not None and audience.managers_only:
            # Manager-only learning is about managing.
            topics[0] = rng.choice(["Leadership", "Finance for non-finance managers", "Coaching"])
            topics = list(dict.fromkeys(topics))
        _, phrases, outcomes = v.TOPICS[topics[0]]
        low, high = v.FORMATS[fmt][1]
        duration = max(5, round(rng.randint(low, high) / 5) * 5)
        scheduled = rng.random() < v.FORMATS[fmt][2]
        language = "en"
        if rng.random() < v.OTHER_LANGUAGE_SHARE:
            codes, weights = zip(*v.OTHER_LANGUAGE_WEIGHTS.items(), strict=True)
            language = rng.choices(codes, weights)[0]
        # Most learning comes from the group's own team for the subject, the rest from vendors.
        if rng.random() < 0.6:
            provider = v.TOPIC_PROVIDERS[topics[0]]
        else:
            provider = rng.choice(v.PROVIDERS["external"])
        # A title is used once: a few tries with another subject or pattern, then the item's
        # number sets it apart (only in catalogs larger than the vocabulary).
        for _attempt in range(12):
            phrase = rng.choice(phrases)
            title, summary, provider, author, publisher = self.title_for(
                fmt, phrase, provider, duration
            )
            if title not in self.titles_used:
                break
        else:
            title = f"{title} ({index + 1})"
        self.titles_used.add(title)
        picked = rng.sample(outcomes, k=3)

        if language != "en":
            native_titles, native_summary = v.OTHER_LANGUAGES[language]
            unused = [t for t in native_titles if t not in self.titles_used]
            if unused:
                title, summary = rng.choice(unused), native_summary
                self.titles_used.add(title)
            else:
                language = "en"

        base_slug = slugify(title)[:200] or "item"
        slug_counts[base_slug] += 1
        slug = base_slug if slug_counts[base_slug] == 1 else f"{base_slug}-{slug_counts[base_slug]}"

        who = rng.choice(
            [
                "everyone, whatever their role",
                "ward and department teams",
                "new starters and anyone wanting a refresher",
                "team leaders and aspiring managers",
                "clinical and non-clinical staff",
            ]
        )
        label = Item.Format(fmt).label
        lines = []
        if author:
            lines.append(f"*{title}* by **{author}** ({publisher}, {rng.randint(2012, 2025)}).")
            lines.append("")
        lines += [
            f"{summary} Part of our **{topics[0]}** learning.",
            "",
            "### What you will learn",
            *[f"- How to {outcome}" for outcome in picked],
            "",
            f"**Who it is for:** {who}. **Format:** {label}, {self.duration_words(duration)}.",
        ]
        if scheduled:
            lines += ["", "Choose a session below; seats are limited for in-person sessions."]

        is_published, publish_start, publish_end = True, None, None
        roll = rng.random()
        if audience is None and roll < 0.02:
            is_published = False  # drafts a learning admin is still preparing
        elif audience is None and roll < 0.03:
            publish_start = self.midnight(rng.randint(3, 30))  # coming soon
        elif audience is None and roll < 0.04:
            publish_end = self.midnight(-rng.randint(1, 60))  # withdrawn, kept for history

        launch_url = ""
        if not scheduled and fmt != "book":
            launch_url = f"https://learning.example.com/launch/{DEMO_ITEM_PREFIX}{index + 1:06d}"

        item = Item(
            title=title[:200],
            slug=slug,
            summary=summary[:300],
            description="\n".join(lines),
            format=fmt,
            delivery=Item.Delivery.SCHEDULED if scheduled else Item.Delivery.SELF_PACED,
            provider=provider,
            duration_minutes=duration,
            level=level,
            language=language,
            launch_url=launch_url,
            is_published=is_published,
            publish_start=publish_start,
            publish_end=publish_end,
            external_id=f"{DEMO_ITEM_PREFIX}{index + 1:06d}",
            # A long tail: most items are rarely taken, a few are very popular.
            popularity=min(20_000, int((rng.paretovariate(1.2) - 1) * 8)),
        )
        return {"item": item, "topics": topics, "audience": audience}

    def title_for(self, fmt: str, phrase: str, provider: str, duration: int):
        """A title in the format's style and a summary about the same subject:
        (title, summary, provider, author, publisher)."""
        rng = self.rng
        author = publisher = ""
        # "Process Mapping Workshop" names an event: as an article or a video it is the subject.
        words = phrase.split()
        if words[-1] in EVENT_WORDS and (fmt != "live_session" or len(words) > 1):
            phrase = " ".join(words[:-1]) if fmt != "live_session" else phrase
        if fmt == "book":
            pattern = rng.choice(v.BOOK_PATTERNS)
            title = pattern.format(
                adjective=rng.choice(v.BOOK_ADJECTIVES),
                noun=rng.choice(v.BOOK_NOUNS),
                verb_ing=rng.choice(v.BOOK_VERBS_ING),
                object=rng.choice(v.BOOK_OBJECTS),
                art=rng.choice(v.BOOK_ARTS),
                plural=rng.choice(v.BOOK_PLURALS),
            )
            title = f"{title}: {phrase}"
            author = f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"
            publisher = provider = rng.choice(v.BOOK_PUBLISHERS)
            summary = f"A book by {author} on {phrase}, with stories from healthcare teams."
        elif fmt == "course":
            # No "Essentials: Essentials" or "Masterclass: Masterclass".
            qualifiers = [q for q in v.QUALIFIERS if q.split()[-1] not in phrase.split()]
            title = f"{phrase}: {rng.choice(qualifiers)}"
            summary = f"A course on {phrase}, with practical exercises you can use at work."
        elif fmt == "elearning":
            title = rng.choice([f"{phrase} (e-learning)", f"{phrase}: Online Module"])
            summary = f"A self-paced online module on {phrase}, to take whenever suits you."
        elif fmt == "video":
            title = f"{phrase} in {duration} Minutes" if duration <= 15 else f"Watch: {phrase}"
            summary = f"A short video on {phrase}, with examples from the wards."
        elif fmt == "article":
            title = rng.choice([f"A Quick Guide to {phrase}", f"Five Things to Know: {phrase}"])
            summary = f"A short read on {phrase}: the key points in a few minutes."
        elif fmt == "podcast":
            provider = rng.choice(v.PROVIDERS["media"])
            title = f"{provider}, Episode {rng.randint(1, 180)}: {phrase}"
            summary = f"Colleagues talk about {phrase} and what they have learned."
        else:
            if phrase.split()[-1] in EVENT_WORDS:
                title = phrase
            else:
                title = rng.choice([f"{phrase} Workshop", f"Webinar: {phrase}"])
            summary = f"A live, interactive session on {phrase}, with time for your questions."
        return title, summary, provider, author, publisher

    def offerings_for(self, item: Item) -> list[Offering]:
        rng = self.rng
        offerings = []
        for number in range(rng.choice([1, 1, 2, 2, 3, 4])):
            day = self.today + dt.timedelta(days=rng.randint(-90, 150))
            while day.weekday() >= 5:  # sessions run on weekdays
                day += dt.timedelta(days=1)
            hour, minute = rng.choice(v.SESSION_START_HOURS)
            zone = rng.choice(v.TIMEZONES)
            starts_at = dt.datetime.combine(
                day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
            )
            # A day at most, and an evening session two hours at most.
            longest = 120 if hour >= 17 else 450
            length = min(item.duration_minutes, longest)
            # The international faculty teaches from New York over video, never in a UK room.
            online = zone == "America/New_York" or rng.random() < 0.4
            closes = starts_at - dt.timedelta(days=2) if rng.random() < 0.5 else None
            title = "Evening session" if hour >= 17 else ""
            offerings.append(
                Offering(
                    item=item,
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=length),
                    timezone=zone,
                    # An online session's place is its video link ("Online" once, not twice).
                    location="" if online else rng.choice(v.VENUES),
                    online_url=(
                        f"https://meet.example.com/lp/{item.external_id}-{number + 1}"
                        if online
                        else ""
                    ),
                    capacity=(
                        rng.choice([None, 100, 250])
                        if online
                        else rng.choice([8, 10, 12, 16, 20, 24, 30])
                    ),
                    enrollment_closes_at=closes,
                    status=(
                        Offering.Status.CANCELLED
                        if rng.random() < 0.03
                        else Offering.Status.SCHEDULED
                    ),
                )
            )
        return offerings

    @staticmethod
    def duration_words(minutes: int) -> str:
        if minutes < 60:
            return f"about {minutes} minutes"
        hours, rest = divmod(minutes, 60)
        if rest >= 15:
            # 90 minutes is "about 1.5 hours", not "about 2 hours".
            return f"about {minutes / 60:.1f} hours"
        return f"about {hours} hour{'s' if hours != 1 else ''}"
