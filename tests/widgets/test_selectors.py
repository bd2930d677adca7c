import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Item
from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from widgets import selectors
from widgets.models import Dismissal, TeamSuggestion, Variant
from widgets.services import interests_set

pytestmark = pytest.mark.django_db


def suggest(employee=None, *, variant=None, limit=6, now=None):
    user = employee.user if employee is not None else None
    viewer = selectors.viewer_for(user=user, now=now)
    return selectors.suggestions_for(viewer=viewer, requested_variant=variant, limit=limit, now=now)


def titles(result):
    return [s.title for s in result.suggestions]


def test_restricted_items_reach_only_their_audience(catalog_mix):
    pharmacy = DepartmentFactory(name="Pharmacy")
    restricted = ItemFactory(
        title="Medicines reconciliation deep dive",
        popularity=99,
        audiences=[AudienceFactory(name="Pharmacy staff", departments=[pharmacy])],
    )
    nurse = EmployeeFactory()
    pharmacist = EmployeeFactory(department=pharmacy)

    assert restricted.title not in titles(suggest(nurse))
    assert restricted.title not in titles(suggest(None))
    assert restricted.title in titles(suggest(pharmacist))


def test_only_published_items_that_can_be_taken_now_are_suggested(catalog_mix, open_session_item):
    ItemFactory(title="Draft course", is_published=False, popularity=500)
    ItemFactory(
        title="Expired article", popularity=500, publish_end=timezone.now() - dt.timedelta(days=1)
    )
    closed = OfferingFactory(
        item__title="Workshop with closed enrollment",
        item__popularity=500,
        enrollment_closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    OfferingFactory(item__title="Cancelled workshop", item__popularity=500, status="cancelled")
    shown = titles(suggest(EmployeeFactory(), limit=6))

    assert "Draft course" not in shown
    assert "Expired article" not in shown
    assert closed.item.title not in shown
    assert "Cancelled workshop" not in shown
    assert open_session_item.title in shown


def test_enrolled_completed_and_dismissed_items_are_not_suggested(catalog_mix):
    person = EmployeeFactory()
    Enrollment.objects.create(user=person.user, item=catalog_mix["course"], status="enrolled")
    Enrollment.objects.create(user=person.user, item=catalog_mix["video"], status="completed")
    Enrollment.objects.create(user=person.user, item=catalog_mix["book"], status="withdrawn")
    Dismissal.objects.create(user=person.user, item=catalog_mix["podcast"])

    shown = titles(suggest(person))

    assert catalog_mix["course"].title not in shown
    assert catalog_mix["video"].title not in shown
    assert catalog_mix["podcast"].title not in shown
    # Withdrawing is not "done with it": the item may be suggested again.
    assert catalog_mix["book"].title in shown


def test_every_suggestion_carries_a_reason(catalog_mix):
    result = suggest(EmployeeFactory())
    assert result.suggestions
    assert all(s.reason for s in result.suggestions)


def test_suggestions_vary_across_formats(db):
    for n in range(8):
        ItemFactory(title=f"Course {n}", format=Item.Format.COURSE, popularity=100 - n)
    ItemFactory(title="The one video", format=Item.Format.VIDEO, popularity=1)
    ItemFactory(title="The one book", format=Item.Format.BOOK, popularity=1)

    shown = titles(suggest(EmployeeFactory(), limit=4))

    assert "The one video" in shown
    assert "The one book" in shown


def test_suggestions_are_stable_within_a_day_and_rotate_across_days(db):
    for n in range(30):
        ItemFactory(title=f"Equal item {n}", popularity=10)
    person = EmployeeFactory()
    monday = timezone.now().replace(hour=9, minute=0)

    morning = titles(suggest(person, limit=4, now=monday))
    later = titles(suggest(person, limit=4, now=monday + dt.timedelta(hours=2)))
    week = {
        tuple(titles(suggest(person, limit=4, now=monday + dt.timedelta(days=d))))
        for d in range(1, 6)
    }

    assert morning == later
    assert len(week | {tuple(morning)}) > 1


def test_manager_variant_is_only_for_people_with_the_manager_flag(catalog_mix):
    employee = EmployeeFactory(is_manager=False)
    manager = EmployeeFactory(is_manager=True)

    assert suggest(employee, variant="manager").variant == Variant.EMPLOYEE
    assert suggest(manager, variant="manager").variant == Variant.MANAGER
    assert suggest(manager).variant == Variant.MANAGER
    assert suggest(manager, variant="employee").variant == Variant.EMPLOYEE
    assert suggest(None, variant="manager").variant == Variant.GENERIC


def test_manager_variant_offers_leadership_items_for_people_leaders(catalog_mix):
    manager = EmployeeFactory(is_manager=True)
    result = suggest(manager, variant="manager", limit=3)
    reasons = {s.title: s.reason for s in result.suggestions}

    assert reasons.get("Difficult conversations for managers") == selectors.REASON_LEADERS
    assert reasons.get("Leading through change") == selectors.REASON_LEADERS
    assert "Difficult conversations for managers" not in titles(suggest(EmployeeFactory()))


def test_team_exploring_rests_on_five_people_who_did_and_five_who_did_not(catalog_mix, make_team):
    safety_course = catalog_mix["course"]
    small_manager, small_team = make_team(9)
    big_manager, big_team = make_team(10)
    for person in small_team[:5] + big_team[:5]:
        Enrollment.objects.create(user=person.user, item=safety_course, status="enrolled")

    small = suggest(small_manager, variant="manager")
    big = suggest(big_manager, variant="manager")

    assert not any(s.kind == "team" for s in small.suggestions)
    team_reasons = [s.reason for s in big.suggestions if s.kind == "team"]
    assert team_reasons
    assert all(r == "Your team is exploring Patient safety" for r in team_reasons)


def test_manager_suggestion_reaches_direct_reports_only_until_it_expires(catalog_mix, make_team):
    manager, reports = make_team(2)
    outsider = EmployeeFactory()
    item = catalog_mix["podcast"]
    now = timezone.now()
    TeamSuggestion.objects.create(
        manager=manager, item=item, created_at=now, expires_at=now + dt.timedelta(days=28)
    )

    first = suggest(reports[0], limit=3).suggestions[0]
    assert (first.title, first.reason) == (item.title, selectors.REASON_MANAGER_SUGGESTED)
    assert all(s.kind != "manager_suggested" for s in suggest(outsider).suggestions)
    later = suggest(reports[0], now=now + dt.timedelta(days=29))
    assert all(s.kind != "manager_suggested" for s in later.suggestions)


def test_a_manager_suggestion_of_a_theme_item_still_reaches_the_team(catalog_mix, make_team):
    manager, reports = make_team(2)
    now = timezone.now()
    # The theme's first two items fill its slots; the manager suggests its third.
    themed = [catalog_mix["course"], catalog_mix["video"], catalog_mix["book"]]
    make_theme("Safety month", themed, release_at=now - dt.timedelta(days=1))
    TeamSuggestion.objects.create(
        manager=manager, item=catalog_mix["book"], created_at=now, expires_at=now + dt.timedelta(28)
    )

    shown = {s.title: s.reason for s in suggest(reports[0], limit=3, now=now).suggestions}

    assert shown["The Checklist Manifesto"] == selectors.REASON_MANAGER_SUGGESTED
    assert shown["Speaking up for safety"] == "This month's theme: Safety month"


def test_popular_in_department_rests_on_five_people_each_way(catalog_mix):
    small = DepartmentFactory(name="Chaplaincy")
    big = DepartmentFactory(name="Emergency Medicine")
    small_people = [EmployeeFactory(department=small) for _ in range(7)]
    big_people = [EmployeeFactory(department=big) for _ in range(12)]
    for person in small_people[:5] + big_people[:5]:
        Enrollment.objects.create(user=person.user, item=catalog_mix["book"], status="enrolled")

    big_reasons = {s.title: s.reason for s in suggest(big_people[11]).suggestions}
    small_reasons = {s.title: s.reason for s in suggest(small_people[6]).suggestions}

    assert big_reasons.get("The Checklist Manifesto") == "Popular in Emergency Medicine"
    assert small_reasons.get("The Checklist Manifesto") != "Popular in Chaplaincy"


def test_interests_are_a_reason(catalog_mix):
    person = EmployeeFactory()
    interests_set(employee=person, topics=catalog_mix["course"].topics.all())
    reasons = {s.title: s.reason for s in suggest(person).suggestions}
    assert reasons.get("Speaking up for safety") == "Matches your interest in Patient safety"


def test_anonymous_visitors_get_the_generic_variant_of_open_items(catalog_mix):
    result = suggest(None)
    assert result.variant == Variant.GENERIC
    assert result.suggestions
    assert "Difficult conversations for managers" not in titles(result)


def test_suggesting_writes_no_transcript_and_no_enrollment(catalog_mix):
    person = EmployeeFactory(is_manager=True)
    suggest(person, variant="manager")
    suggest(person)
    assert not Enrollment.objects.exists()
    assert not TranscriptEvent.objects.exists()


def make_theme(title, items, *, release_at):
    from themes.models import Theme, ThemeItem

    theme = Theme.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        month=timezone.localtime(release_at).date().replace(day=1),
        state=Theme.State.SCHEDULED,
        release_at=release_at,
    )
    for position, item in enumerate(items):
        ThemeItem.objects.create(theme=theme, item=item, position=position)
    return theme


def test_current_theme_comes_first_with_its_reason(catalog_mix):
    now = timezone.now()
    make_theme("Speak up month", [catalog_mix["podcast"]], release_at=now - dt.timedelta(days=1))

    result = suggest(EmployeeFactory(), limit=4, now=now)

    first = result.suggestions[0]
    assert first.title == catalog_mix["podcast"].title
    assert first.reason == "This month's theme: Speak up month"
    assert result.theme_title == "Speak up month"


def test_theme_leads_the_widget_at_its_release_time_even_with_a_warm_cache(catalog_mix):
    release = timezone.now() + dt.timedelta(minutes=1)
    make_theme("Wellbeing month", [catalog_mix["podcast"]], release_at=release)
    person = EmployeeFactory()

    before = suggest(person, limit=4, now=release - dt.timedelta(seconds=1))
    after = suggest(person, limit=4, now=release + dt.timedelta(seconds=1))

    assert all(s.kind != "theme" for s in before.suggestions)
    assert after.suggestions[0].reason == "This month's theme: Wellbeing month"


def test_theme_items_outside_the_persons_audience_are_not_suggested(catalog_mix):
    now = timezone.now()
    make_theme("Leaders month", [catalog_mix["managers_only"]], release_at=now - dt.timedelta(1))
    assert all(s.kind != "theme" for s in suggest(EmployeeFactory(), now=now).suggestions)
    manager_first = suggest(EmployeeFactory(is_manager=True), now=now).suggestions[0]
    assert manager_first.title == catalog_mix["managers_only"].title


def test_every_team_computed_at_once_matches_each_team_computed_alone(catalog_mix, make_team):
    safety_course, video = catalog_mix["course"], catalog_mix["video"]
    teams = [make_team(size) for size in (4, 9, 10, 12)]
    for _, team in teams:
        for person in team[:5]:
            Enrollment.objects.create(user=person.user, item=safety_course, status="enrolled")
        for person in team[:6]:
            Enrollment.objects.create(user=person.user, item=video, status="completed")
    now = timezone.now()

    together = selectors.teams_exploring(now=now)

    for manager, _ in teams:
        assert together.get(manager.pk, {}) == selectors.team_exploring(
            manager_pk=manager.pk, now=now
        )
    assert together  # the teams of 10 and 12 show something


def test_prewarmed_team_topics_are_what_the_manager_widget_shows(catalog_mix, make_team):
    from widgets.selectors.suggestions import teams_prewarm

    manager, team = make_team(10)
    for person in team[:5]:
        Enrollment.objects.create(user=person.user, item=catalog_mix["course"], status="enrolled")

    assert teams_prewarm() >= 1
    result = suggest(manager, variant="manager")

    assert "Your team is exploring Patient safety" in [s.reason for s in result.suggestions]


def test_learning_in_the_persons_language_is_suggested_first(catalog_mix):
    welsh = ItemFactory(
        title="Cyfathrebu â chleifion", format=Item.Format.COURSE, popularity=1, language="cy"
    )
    english_reader = EmployeeFactory()
    welsh_reader = EmployeeFactory(user__language="cy")

    assert welsh.title not in titles(suggest(english_reader, limit=3))
    assert titles(suggest(welsh_reader, limit=3))[0] == welsh.title
    # A visitor is offered the organisation's language.
    assert welsh.title not in titles(suggest(None, limit=3))


def test_the_organisations_language_leads_for_people_who_never_chose(catalog_mix, settings):
    settings.LANGUAGE_CODE = "cy"
    welsh = ItemFactory(
        title="Cyfathrebu â chleifion", format=Item.Format.COURSE, popularity=1, language="cy"
    )

    assert titles(suggest(EmployeeFactory(), limit=3))[0] == welsh.title


def test_a_persons_list_is_cached_under_their_language(catalog_mix):
    welsh = ItemFactory(
        title="Cyfathrebu â chleifion", format=Item.Format.COURSE, popularity=1, language="cy"
    )
    person = EmployeeFactory()
    assert welsh.title not in titles(suggest(person, limit=3))  # stored for this person

    person.user.language = "cy"

    assert titles(suggest(person, limit=3))[0] == welsh.title
