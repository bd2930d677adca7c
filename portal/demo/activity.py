"""Demo activity: what people have done, so "Popular", rosters, My learning and a manager's
team uptake are not empty.

Written in bulk, as the enrollment services would have left it: each enrollment with its
transcript events, seats up to a session's capacity and then its waitlist in order, past
sessions attended or awaiting attendance, self-paced items in progress or completed. Then
popularity is computed from these enrollments by its own rule, so the hourly refresh keeps
the same order. Managers with a team suggest a few items, and some of the team take them up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import Item, Offering
from enrollment.models import Enrollment, SavedItem, Source, TranscriptEvent
from enrollment.services import item_popularity_refresh
from people.models import Employee
from widgets.models import TeamSuggestion

from .base import SeederBase

DEMO_EMPLOYEE = "employee@example.com"
DEMO_MANAGER = "manager@example.com"
# Enrollments per person on average, and at most in all (a 20k-person run stays quick).
PER_PERSON = 5
# Sessions ahead that are full with a waitlist.
FULL_SESSIONS = 6
MAX_ENROLLMENTS = 60_000
SOURCES = [
    (Source.CATALOG, 40),
    (Source.ITEM_PAGE, 15),
    (Source.WIDGET_EMPLOYEE, 20),
    (Source.WIDGET_MANAGER, 5),
    (Source.THEME_PAGE, 15),
    (Source.DIRECT, 5),
]
REFLECTIONS = [
    "Useful refresher; I will use the checklist on my next shift.",
    "Shared the key points with my team at handover.",
    "Good examples. I want to try the approach in our next huddle.",
    "",
    "",
]


class ActivitySeeding(SeederBase):
    """What people did, after the catalog and the themes (portal.demo.seed)."""

    def activity(self) -> None:
        rng = self.rng
        now = timezone.now()
        users = list(
            Employee.objects.filter(user__is_active=True).values_list("user_id", flat=True)
        )
        # Items everyone may see: the demo's activity never reveals a restricted item.
        items = list(
            Item.objects.filter(is_published=True, audiences__isnull=True)
            .annotate(n_sessions=Count("offerings", filter=Q(offerings__status="scheduled")))
            .only("pk", "delivery", "popularity")
        )
        sessions = defaultdict(list)
        for offering in Offering.objects.filter(
            status=Offering.Status.SCHEDULED, item__in=items, meeting_series=False
        ).only("pk", "item_id", "starts_at", "capacity", "waitlist_enabled"):
            sessions[offering.item_id].append(offering)
        items = [i for i in items if i.is_self_paced or sessions.get(i.pk)]
        weights = [1 + i.popularity for i in items]
        target = min(len(users) * PER_PERSON, MAX_ENROLLMENTS)

        # The circles' members are enrolled already (by the circle services).
        self._taken: set[tuple[int, int]] = set(
            Enrollment.objects.values_list("user_id", "item_id")
        )
        self._seated: dict[int, int] = defaultdict(int)
        self._waiting: dict[int, int] = defaultdict(int)
        self._rows: list[tuple[Enrollment, list[TranscriptEvent]]] = []
        for item in rng.choices(items, weights=weights, k=target):
            self._enroll(rng.choice(users), item, sessions, now=now, source=self._source())
        self._full_sessions(items, sessions, users, now=now)
        self._demo_people(items, sessions, now=now)
        suggestions = self._team_suggestions(items, sessions, now=now)
        self._write()
        item_popularity_refresh(now=now)
        self.result.enrollments = len(self._rows)
        self.result.team_suggestions = suggestions
        self.progress(f"activity: {len(self._rows)} enrollments, {suggestions} team suggestions")

    def _source(self) -> str:
        sources, weights = zip(*SOURCES, strict=True)
        return self.rng.choices(sources, weights=weights)[0]

    def _enroll(self, user_id, item, sessions, *, now, source, at=None, status=None) -> bool:
        """One enrollment as the services would have made it; False if it cannot be."""
        rng = self.rng
        if (user_id, item.pk) in self._taken:
            return False
        offering = None
        if not item.is_self_paced:
            offering = rng.choice(sessions[item.pk])
        at = at or now - dt.timedelta(days=rng.randint(1, 80), minutes=rng.randint(0, 1440))
        enrollment = Enrollment(user_id=user_id, item_id=item.pk, offering=offering, source=source)
        events = []

        def event(kind, when):
            events.append(
                TranscriptEvent(
                    user_id=user_id,
                    item_id=item.pk,
                    offering=offering,
                    kind=kind,
                    source=source,
                    actor_id=user_id,
                    occurred_at=when,
                )
            )

        if offering is None:
            enrollment.enrolled_at = at
            done = at + dt.timedelta(days=rng.randint(1, 20))
            if (status or ("completed" if rng.random() < 0.45 else "enrolled")) == "completed":
                done = min(done, now - dt.timedelta(hours=1))
                enrollment.status, enrollment.completed_at = Enrollment.Status.COMPLETED, done
                enrollment.reflection = rng.choice(REFLECTIONS)
                event(TranscriptEvent.Kind.REGISTERED, at)
                event(TranscriptEvent.Kind.COMPLETED, done)
            else:
                enrollment.status = Enrollment.Status.ENROLLED
                event(TranscriptEvent.Kind.REGISTERED, at)
        else:
            at = min(at, offering.starts_at - dt.timedelta(days=rng.randint(1, 10)))
            full = offering.capacity is not None and self._seated[offering.pk] >= offering.capacity
            if full and (offering.starts_at < now or not offering.waitlist_enabled):
                return False
            if full:
                enrollment.status, enrollment.waitlisted_at = Enrollment.Status.WAITLISTED, at
                self._waiting[offering.pk] += 1
                event(TranscriptEvent.Kind.WAITLISTED, at)
            else:
                self._seated[offering.pk] += 1
                enrollment.enrolled_at = at
                event(TranscriptEvent.Kind.REGISTERED, at)
                ends = offering.starts_at + dt.timedelta(hours=2)
                if offering.starts_at < now and ends < now and rng.random() < 0.75:
                    enrollment.status, enrollment.completed_at = Enrollment.Status.COMPLETED, ends
                    event(TranscriptEvent.Kind.COMPLETED, ends)
                else:
                    enrollment.status = Enrollment.Status.ENROLLED
        self._taken.add((user_id, item.pk))
        self._rows.append((enrollment, events))
        return True

    def _full_sessions(self, items, sessions, users, *, now) -> None:
        """A few in-person sessions ahead are in demand: full, with people on the waitlist."""
        rng = self.rng
        ahead = [
            o
            for i in items
            if not i.is_self_paced
            for o in sessions[i.pk]
            if o.starts_at > now and o.capacity and o.capacity <= 16 and o.waitlist_enabled
        ]
        by_item = {i.pk: i for i in items}
        for offering in rng.sample(ahead, min(FULL_SESSIONS, len(ahead))):
            item = by_item[offering.item_id]
            wanted = offering.capacity - self._seated[offering.pk] + rng.randint(2, 5)
            for user_id in rng.sample(users, min(len(users), wanted * 2)):
                if wanted <= 0:
                    break
                if self._enroll(
                    user_id, item, {item.pk: [offering]}, now=now, source=self._source()
                ):
                    wanted -= 1

    def _demo_people(self, items, sessions, *, now) -> None:
        """The demo logins' own learning: some in progress, done, booked and waiting, saved."""
        employee = Employee.objects.get(user__email=DEMO_EMPLOYEE)
        self_paced = [i for i in items if i.is_self_paced][:40]
        for item, status in zip(
            self.rng.sample(self_paced, 4),
            ["enrolled", "enrolled", "completed", "completed"],
            strict=True,
        ):
            self._enroll(
                employee.user_id, item, sessions, now=now, source=Source.CATALOG, status=status
            )
        upcoming = [
            i
            for i in items
            if not i.is_self_paced and any(o.starts_at > now for o in sessions[i.pk])
        ]
        for item in self.rng.sample(upcoming, min(2, len(upcoming))):
            sessions_ahead = [o for o in sessions[item.pk] if o.starts_at > now]
            pick = {item.pk: sessions_ahead}
            self._enroll(employee.user_id, item, pick, now=now, source=Source.ITEM_PAGE)
        SavedItem.objects.bulk_create(
            [SavedItem(user_id=employee.user_id, item_id=i.pk) for i in self_paced[-3:]],
            ignore_conflicts=True,
        )

    def _team_suggestions(self, items, sessions, *, now) -> int:
        """Managers with a team suggest one to three items; about a third of the team (or the
        demo manager's whole team, for a figure worth showing) takes each up."""
        rng = self.rng
        teams = defaultdict(list)
        for manager_id, user_id in Employee.objects.filter(
            manager__isnull=False, user__is_active=True
        ).values_list("manager_id", "user_id"):
            teams[manager_id].append(user_id)
        demo_manager = Employee.objects.get(user__email=DEMO_MANAGER).pk
        popular = sorted(items, key=lambda i: -i.popularity)[:60]
        suggestions = []
        for manager_id, team in teams.items():
            if len(team) < 5 or (manager_id != demo_manager and rng.random() < 0.5):
                continue
            count = 3 if manager_id == demo_manager else rng.randint(1, 3)
            for item in rng.sample(popular, count):
                created = now - dt.timedelta(days=rng.randint(2, 20))
                suggestions.append(
                    TeamSuggestion(
                        manager_id=manager_id,
                        item_id=item.pk,
                        created_at=created,
                        expires_at=created + dt.timedelta(days=28),
                    )
                )
                share = 0.6 if manager_id == demo_manager else 0.3
                for user_id in team:
                    if rng.random() < share:
                        at = created + dt.timedelta(hours=rng.randint(2, 24 * 5))
                        self._enroll(
                            user_id,
                            item,
                            sessions,
                            now=now,
                            source=Source.MANAGER_SUGGESTION,
                            at=min(at, now),
                        )
        TeamSuggestion.objects.bulk_create(suggestions, ignore_conflicts=True)
        return len(suggestions)

    def _write(self) -> None:
        # Within a session, places were given in the order they were asked for: seats first,
        # then the waitlist. The times drawn for its enrollments are handed out in that order.
        by_session = defaultdict(list)
        for enrollment, events in self._rows:
            if enrollment.offering is not None:
                by_session[enrollment.offering.pk].append((enrollment, events))
        for rows in by_session.values():
            times = sorted(e.waitlisted_at or e.enrolled_at for e, _ in rows)
            for (enrollment, events), at in zip(rows, times, strict=True):
                if enrollment.status == Enrollment.Status.WAITLISTED:
                    enrollment.waitlisted_at = at
                else:
                    enrollment.enrolled_at = at
                for event in events:
                    if event.kind != TranscriptEvent.Kind.COMPLETED:
                        event.occurred_at = at
        enrollments = self.bulk(Enrollment, [e for e, _ in self._rows])
        events = []
        for enrollment, (_, rows) in zip(enrollments, self._rows, strict=True):
            for row in rows:
                row.enrollment_id = enrollment.pk
                events.append(row)
        self.bulk(TranscriptEvent, events)
