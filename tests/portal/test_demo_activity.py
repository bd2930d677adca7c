"""Demo data that convinces (issue 14, item 9): titles and summaries that agree, themes whose
items fit, covers drawn locally, and activity, so "Popular", rosters and team uptake show."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from PIL import Image

from catalog.models import Item, Offering
from enrollment.models import Enrollment, TranscriptEvent
from enrollment.services import item_popularity_refresh
from people.models import Employee
from portal.demo import vocabulary as v
from portal.demo.themes import THEME_TOPICS
from themes.models import ThemeItem
from widgets.models import TeamSuggestion
from widgets.selectors import team_suggestions_with_uptake

pytestmark = pytest.mark.django_db

SMALL = {"employees": 80, "items": 120}


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=StringIO(), **SMALL)


def test_titles_are_unique_and_summaries_speak_of_the_titles_subject(seeded):
    items = list(Item.objects.filter(external_id__startswith="demo-"))
    assert max(Counter(i.title for i in items).values()) == 1
    english = [i for i in items if i.language == "en"]
    phrases = [p for _, ps, _ in v.TOPICS.values() for p in ps]
    # The generated items (the circles' books are real titles of their own).
    generated = [i for i in english if any(p.removesuffix(" Workshop") in i.title for p in phrases)]
    assert len(generated) >= 0.9 * len(english)
    for item in generated:
        subject = next(p for p in phrases if p.removesuffix(" Workshop") in item.title)
        assert subject.removesuffix(" Workshop") in item.summary, (item.title, item.summary)


def test_the_catalog_is_english_first(seeded):
    languages = Counter(Item.objects.values_list("language", flat=True))
    assert languages["en"] / sum(languages.values()) >= 0.9


def test_every_item_has_a_locally_drawn_cover(seeded):
    demo = Item.objects.filter(external_id__startswith="demo-")
    assert not demo.filter(image="").exists()
    item = demo.first()
    with item.image.open("rb") as cover:
        assert cover.read(8) == b"\x89PNG\r\n\x1a\n"
        cover.seek(0)
        width, height = Image.open(cover).size
    # The cards' 2:1 cover shape: nothing of the picture (the format's name) is cropped.
    assert width == 2 * height


def test_online_sessions_say_online_once(seeded):
    online = Offering.objects.exclude(online_url="").filter(item__external_id__startswith="demo-")
    assert online.exists()
    assert not online.exclude(location="").exists()
    assert all(o.places == ["Online"] for o in online)


def test_theme_items_fit_the_theme_and_notes_fit_the_item(seeded):
    subjects = {p: t for t, (_, ps, _) in v.TOPICS.items() for p in ps}
    fitting = 0
    entries = list(ThemeItem.objects.select_related("theme", "item"))
    for entry in entries:
        topics = {t for p, t in subjects.items() if p.removesuffix(" Workshop") in entry.item.title}
        fitting += bool(topics & set(THEME_TOPICS[entry.theme.title]))
        if entry.item.format == Item.Format.BOOK and entry.curator_note:
            assert "book" in entry.curator_note
    assert fitting / len(entries) >= 0.8


def test_activity_is_recorded_as_the_services_would_have(seeded):
    enrollments = Enrollment.objects.all()
    statuses = Counter(enrollments.values_list("status", flat=True))
    assert statuses["enrolled"]
    assert statuses["completed"]
    assert statuses["waitlisted"]
    # Every enrollment has its transcript: registered or waitlisted, and completed when done.
    assert not enrollments.filter(events__isnull=True).exists()
    done = enrollments.filter(status="completed").annotate(
        n=Count("events", filter=Q(events__kind="completed"))
    )
    assert all(e.n == 1 for e in done)
    # Seats up to capacity, then a waitlist, in order of asking.
    for offering in Offering.objects.filter(enrollments__status="waitlisted").distinct():
        seated = offering.enrollments.filter(status__in=["enrolled", "completed"])
        assert seated.count() == offering.capacity
        last_seat = max(e.enrolled_at for e in seated)
        assert all(
            e.waitlisted_at >= last_seat for e in offering.enrollments.filter(status="waitlisted")
        )
    # Popularity is its own rule's figure, so the hourly refresh keeps the order.
    before = dict(Item.objects.values_list("pk", "popularity"))
    item_popularity_refresh()
    assert dict(Item.objects.values_list("pk", "popularity")) == before
    assert max(before.values()) > 0
    assert TranscriptEvent.objects.filter(kind="completed").exists()


def test_the_demo_logins_have_learning_and_the_demo_manager_sees_uptake(seeded):
    employee = Employee.objects.get(user__email="employee@example.com")
    mine = Counter(Enrollment.objects.filter(user=employee.user).values_list("status", flat=True))
    assert mine["enrolled"] >= 2
    assert mine["completed"] >= 2

    manager = Employee.objects.get(user__email="manager@example.com")
    assert TeamSuggestion.objects.filter(manager=manager).exists()
    team = team_suggestions_with_uptake(manager=manager)
    assert any(row["uptake"] for row in team.rows)


def test_the_demo_dashboard_has_figures_without_waiting_for_the_beat(seeded, client):
    from insights.models import MonthlyKpis

    assert MonthlyKpis.objects.exists()
    client.force_login(Employee.objects.get(user__email="admin@example.com").user)
    body = client.get(reverse("insights:dashboard")).content.decode()
    assert "No figures yet" not in body
