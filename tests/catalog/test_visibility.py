"""Who sees an item (catalog.visibility, through the selectors): audiences, the publish
window, the item page's lookup."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.selectors import (
    item_get_published_visible,
    item_get_visible_to,
    item_list_visible_to,
)
from catalog.visibility import audience_ids_of, audiences_of, restricted_item_visible
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory, RoleFactory


def visible_titles(user, **kwargs):
    return set(item_list_visible_to(user=user, **kwargs).values_list("title", flat=True))


@pytest.mark.django_db
def test_open_item_is_visible_to_everyone_including_anonymous(employee):
    ItemFactory(title="Open to all")

    assert visible_titles(employee.user) == {"Open to all"}
    assert visible_titles(AnonymousUser()) == {"Open to all"}


@pytest.mark.django_db
def test_department_audience_sees_item_and_outsiders_do_not(employee, pharmacy):
    ItemFactory(title="Pharmacy only", audiences=[AudienceFactory(departments=[pharmacy])])
    pharmacist = EmployeeFactory(department=pharmacy)

    assert visible_titles(pharmacist.user) == {"Pharmacy only"}
    assert visible_titles(employee.user) == set()
    assert visible_titles(AnonymousUser()) == set()


@pytest.mark.django_db
def test_role_audience_sees_item(employee):
    midwife = RoleFactory(name="Midwife")
    ItemFactory(title="For midwives", audiences=[AudienceFactory(roles=[midwife])])

    assert visible_titles(EmployeeFactory(role=midwife).user) == {"For midwives"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_managers_only_audience_hides_item_from_staff_without_reports(employee, manager):
    ItemFactory(title="Managing rotas", audiences=[AudienceFactory(managers_only=True)])

    assert visible_titles(manager.user) == {"Managing rotas"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_group_audience_sees_item(employee):
    group = Group.objects.create(name="Resuscitation officers")
    ItemFactory(title="Advanced life support", audiences=[AudienceFactory(groups=[group])])
    officer = EmployeeFactory()
    officer.user.groups.add(group)

    assert visible_titles(officer.user) == {"Advanced life support"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_audience_with_two_criteria_requires_both(pharmacy):
    lead = RoleFactory(name="Team lead")
    ItemFactory(
        title="Pharmacy leads", audiences=[AudienceFactory(departments=[pharmacy], roles=[lead])]
    )

    assert visible_titles(EmployeeFactory(department=pharmacy, role=lead).user) == {
        "Pharmacy leads"
    }
    assert visible_titles(EmployeeFactory(department=pharmacy).user) == set()
    assert visible_titles(EmployeeFactory(role=lead).user) == set()


@pytest.mark.django_db
def test_item_with_two_audiences_is_visible_to_members_of_either(employee, pharmacy):
    midwife = RoleFactory(name="Midwife")
    ItemFactory(
        title="Shared",
        audiences=[AudienceFactory(departments=[pharmacy]), AudienceFactory(roles=[midwife])],
    )

    assert visible_titles(EmployeeFactory(department=pharmacy).user) == {"Shared"}
    assert visible_titles(EmployeeFactory(role=midwife).user) == {"Shared"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_publish_window_and_flag_decide_what_is_listed(employee):
    now = timezone.now()
    ItemFactory(title="Live")
    ItemFactory(title="Draft", is_published=False)
    ItemFactory(title="Not yet", publish_start=now + dt.timedelta(days=1))
    ItemFactory(title="Expired", publish_end=now - dt.timedelta(minutes=1))
    ItemFactory(
        title="In window",
        publish_start=now - dt.timedelta(days=1),
        publish_end=now + dt.timedelta(days=1),
    )

    assert visible_titles(employee.user) == {"Live", "In window"}


@pytest.mark.django_db
def test_detail_selector_returns_none_for_restricted_item_outside_audience(employee, pharmacy):
    item = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])

    assert item_get_visible_to(user=employee.user, slug=item.slug) is None
    assert item_get_visible_to(user=AnonymousUser(), slug=item.slug) is None
    member = item_get_visible_to(user=EmployeeFactory(department=pharmacy).user, slug=item.slug)
    assert member == item
    assert member.is_restricted
    assert not member.is_public


@pytest.mark.django_db
def test_published_visible_item_by_slug_follows_the_audience_rule():
    nursing = DepartmentFactory(name="Nursing")
    nurse = EmployeeFactory(department=nursing).user
    other = EmployeeFactory(department=DepartmentFactory(name="Pharmacy")).user
    open_item = ItemFactory()
    restricted = ItemFactory(audiences=[AudienceFactory(departments=[nursing])])
    draft = ItemFactory(is_published=False)

    for user in (nurse, other, AnonymousUser()):
        for item in (open_item, restricted, draft):
            expected = item_list_visible_to(user=user).filter(slug=item.slug).first()
            assert item_get_published_visible(user=user, slug=item.slug) == expected
    assert item_get_published_visible(user=nurse, slug=restricted.slug) == restricted
    assert item_get_published_visible(user=other, slug=restricted.slug) is None


def one_of_each_kind(*, nursing, role, group) -> list:
    """People that each audience kind tells apart: by department, role, manager flag, group,
    and someone with none of them."""
    people = [
        EmployeeFactory(department=nursing, role=role).user,
        EmployeeFactory(department=nursing, role=None, is_manager=True).user,
        EmployeeFactory(department=None, role=role).user,
        EmployeeFactory(department=None, role=None).user,
        EmployeeFactory(department=DepartmentFactory(name="Pharmacy"), is_manager=True).user,
    ]
    people[3].groups.add(group)
    return people


@pytest.mark.django_db
def test_audience_ids_compiled_once_are_those_of_the_audience_rule():
    nursing = DepartmentFactory(name="Nursing")
    role = RoleFactory(name="Staff nurse")
    group = Group.objects.create(name="Fire wardens")
    AudienceFactory(departments=[nursing])
    AudienceFactory(roles=[role])
    AudienceFactory(departments=[nursing], roles=[role])
    AudienceFactory(groups=[group])
    AudienceFactory(managers_only=True)
    AudienceFactory(departments=[nursing], managers_only=True)
    people = one_of_each_kind(nursing=nursing, role=role, group=group)

    for user in [*people, AnonymousUser()]:
        expected = sorted(audiences_of(user).values_list("pk", flat=True))
        assert sorted(audience_ids_of(user)) == expected
    assert len(audience_ids_of(people[0])) == 3


@pytest.mark.django_db
def test_detail_selector_follows_the_whole_rule_for_every_kind_of_item(employee, pharmacy):
    now = timezone.now()
    admin = EmployeeFactory().user
    admin.user_permissions.add(Permission.objects.get(codename="change_item"))
    pharmacist = EmployeeFactory(department=pharmacy).user
    audience = AudienceFactory(departments=[pharmacy])
    items = [
        ItemFactory(),
        ItemFactory(audiences=[audience]),
        ItemFactory(is_published=False),
        ItemFactory(is_published=False, audiences=[audience]),
        ItemFactory(publish_end=now - dt.timedelta(minutes=1)),
    ]

    for user in (employee.user, pharmacist, AnonymousUser()):
        for item in items:
            expected = item_list_visible_to(user=user, now=now).filter(pk=item.pk).first()
            assert item_get_visible_to(user=user, slug=item.slug, now=now) == expected
    for item in items:
        assert item_get_visible_to(user=admin, slug=item.slug, now=now) == item
    assert item_get_visible_to(user=employee.user, slug="no-such-item") is None


@pytest.mark.django_db
def test_detail_selector_asks_nothing_about_the_person_for_an_open_item(employee, pharmacy):
    open_item = ItemFactory()
    restricted = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])

    with CaptureQueriesContext(connection) as open_queries:
        assert item_get_visible_to(user=employee.user, slug=open_item.slug) == open_item
    with CaptureQueriesContext(connection) as restricted_queries:
        assert item_get_visible_to(user=employee.user, slug=restricted.slug) is None

    # The catalog version, the item, its topics and its sessions; no audience rule, no
    # permissions.
    assert len(open_queries) == 4
    person = ('"auth_permission"', '"catalog_audience')  # permissions, the audience rule
    assert not [q for q in open_queries if any(table in q["sql"] for table in person)]
    # An outsider's restricted item: the version, the item, the permissions, the audience
    # rule; nothing of the item is read further.
    assert len(restricted_queries) == 5
    assert not [q for q in restricted_queries if "catalog_topic" in q["sql"]]


@pytest.mark.django_db
def test_a_public_items_topics_and_sessions_are_read_once_per_catalog_version(employee):
    from tests.catalog.factories import OfferingFactory, TopicFactory

    item = ItemFactory(topics=[TopicFactory(name="Safety")])
    OfferingFactory(item=item)
    first = item_get_visible_to(user=employee.user, slug=item.slug)
    with CaptureQueriesContext(connection) as again:
        second = item_get_visible_to(user=AnonymousUser(), slug=item.slug)
        topics = [topic.name for topic in second.topics.all()]
    assert second == item
    assert topics == ["Safety"]
    assert len(again) == 2  # the catalog version and the item's row, never skipped
    # A page annotates its copies (the sessions' seats left); no other request sees them.
    second.upcoming_sessions[0].seats_left = 3
    second.upcoming_sessions.append("annotated")
    third = item_get_visible_to(user=employee.user, slug=item.slug)
    assert len(third.upcoming_sessions) == len(first.upcoming_sessions) == 1
    assert not hasattr(third.upcoming_sessions[0], "seats_left")
    assert third.upcoming_sessions[0].item is third


@pytest.mark.django_db
def test_who_may_see_a_kept_item_is_decided_from_its_row_even_after_a_write_without_signal(
    employee, pharmacy
):
    from catalog.models import Item

    item = ItemFactory()
    assert item_get_visible_to(user=employee.user, slug=item.slug) == item
    # A bulk update sends no signal and, here, raises no catalog version.
    Item.objects.filter(pk=item.pk).update(is_published=False)
    assert item_get_visible_to(user=employee.user, slug=item.slug) is None
    Item.objects.filter(pk=item.pk).update(is_published=True)
    item.audiences.through.objects.bulk_create(
        [item.audiences.through(item=item, audience=AudienceFactory(departments=[pharmacy]))]
    )
    assert item_get_visible_to(user=employee.user, slug=item.slug) is None


@pytest.mark.django_db
def test_a_change_to_the_item_is_read_at_once(employee):
    item = ItemFactory(title="Before")
    assert item_get_visible_to(user=employee.user, slug=item.slug).title == "Before"
    item.title = "After"
    item.save()
    assert item_get_visible_to(user=employee.user, slug=item.slug).title == "After"
    item.is_published = False
    item.save()
    assert item_get_visible_to(user=employee.user, slug=item.slug) is None


@pytest.mark.django_db
def test_a_kept_item_ends_when_its_publish_window_closes(employee, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    item = ItemFactory(publish_end=now + dt.timedelta(seconds=20))
    assert item_get_visible_to(user=employee.user, slug=item.slug) == item
    time_machine.move_to(now + dt.timedelta(seconds=21), tick=False)
    assert item_get_visible_to(user=employee.user, slug=item.slug) is None


@pytest.mark.django_db
def test_a_restricted_item_is_never_kept_and_asks_about_each_person(employee, pharmacy):
    pharmacist = EmployeeFactory(department=pharmacy).user
    restricted = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])
    assert item_get_visible_to(user=pharmacist, slug=restricted.slug) == restricted
    assert item_get_visible_to(user=employee.user, slug=restricted.slug) is None
    assert item_get_visible_to(user=AnonymousUser(), slug=restricted.slug) is None


@pytest.mark.django_db
def test_restricted_item_visible_from_known_audiences_agrees_with_the_visibility_query():
    nursing = DepartmentFactory(name="Nursing")
    role = RoleFactory(name="Staff nurse")
    group = Group.objects.create(name="Fire wardens")
    audiences = [
        AudienceFactory(departments=[nursing]),
        AudienceFactory(roles=[role]),
        AudienceFactory(departments=[nursing], roles=[role]),
        AudienceFactory(groups=[group]),
        AudienceFactory(managers_only=True),
        AudienceFactory(departments=[nursing], managers_only=True),
    ]
    items = [ItemFactory(audiences=[audience]) for audience in audiences]
    items.append(ItemFactory(audiences=[audiences[1], audiences[3]]))
    people = one_of_each_kind(nursing=nursing, role=role, group=group)

    seen = 0
    for user in people:
        belongs = frozenset(audience_ids_of(user))
        for item in items:
            expected = item_list_visible_to(user=user).filter(pk=item.pk).exists()
            item_audiences = set(item.audiences.values_list("pk", flat=True))
            assert (
                restricted_item_visible(item_audience_ids=item_audiences, audience_ids=belongs)
                == expected
            )
            seen += expected
    assert 0 < seen < len(people) * len(items)
