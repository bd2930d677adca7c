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


class CatalogSeeding(SeederBase):
    """The catalog, after the people (its audiences are theirs)."""

    def catalog(self) -> None:
        formats = list(v.FORMATS)
        format_weights = [v.FORMATS[f][0] for f in formats]
        levels, level_weights = list(v.LEVELS), list(v.LEVELS.values())
        slug_counts: Counter[str] = Counter()
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
        phrase = rng.choice(phrases)
        low, high = v.FORMATS[fmt][1]
        duration = max(5, round(rng.randint(low, high) / 5) * 5)
        scheduled = rng.random() < v.FORMATS[fmt][2]
        language = "en" if rng.random() >= 0.04 else rng.choice(list(v.OTHER_LANGUAGES))
        # Most learning comes from the group's own team for the subject, the rest from vendors.
        if rng.random() < 0.6:
            provider = v.TOPIC_PROVIDERS[topics[0]]
        else:
            provider = rng.choice(v.PROVIDERS["external"])
        author = publisher = ""

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
            if rng.random() < 0.6:
                title = f"{title}: {phrase}"
            author = f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"
            publisher = provider = rng.choice(v.BOOK_PUBLISHERS)
            summary = f"A book by {author} on {phrase.lower()}. It will help you "
        elif fmt == "course":
            title = f"{phrase}: {rng.choice(v.QUALIFIERS)}"
            summary = "A course to help you "
        elif fmt == "elearning":
            title = rng.choice([f"{phrase} (e-learning)", f"{phrase}: Online Module"])
            summary = "A self-paced online module to help you "
        elif fmt == "video":
            title = f"{phrase} in {duration} Minutes" if duration <= 15 else f"Watch: {phrase}"
            summary = "A short video showing how to "
        elif fmt == "article":
            title = rng.choice([f"A Quick Guide to {phrase}", f"Five Things to Know: {phrase}"])
            summary = "A short read on how to "
        elif fmt == "podcast":
            provider = rng.choice(v.PROVIDERS["media"])
            title = f"{provider}, Episode {rng.randint(1, 180)}: {phrase}"
            summary = "A conversation with colleagues about how to "
        else:
            title = rng.choice([f"{phrase} Workshop", f"Webinar: {phrase}"])
            summary = "A live, interactive session to help you "
        picked = rng.sample(outcomes, k=3)
        summary += picked[0] + "."

        if language != "en":
            native_titles, native_summary = v.OTHER_LANGUAGES[language]
            title, summary = rng.choice(native_titles), native_summary

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
            length = min(item.duration_minutes, 450)
            online = rng.random() < 0.4
            closes = starts_at - dt.timedelta(days=2) if rng.random() < 0.5 else None
            title = "Evening session" if hour >= 17 else ""
            offerings.append(
                Offering(
                    item=item,
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=length),
                    timezone=zone,
                    location="Online" if online else rng.choice(v.VENUES),
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
        hours = minutes / 60
        return f"about {hours:.0f} hour{'s' if round(hours) != 1 else ''}"
