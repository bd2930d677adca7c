import pytest

from catalog.models import Offering
from enrollment import selectors
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def test_item_get_enrollable_returns_visible_items_only(employee):
    open_item = ItemFactory()
    restricted = ItemFactory(
        audiences=[AudienceFactory(departments=[DepartmentFactory(name="Pharmacy")])]
    )

    assert selectors.item_get_enrollable(user=employee.user, slug=open_item.slug) == open_item
    assert selectors.item_get_enrollable(user=employee.user, slug=restricted.slug) is None
    assert selectors.item_get_enrollable(user=employee.user, slug="no-such-item") is None


def test_an_item_checked_for_a_person_is_not_checked_again(employee, django_assert_num_queries):
    item = ItemFactory()
    checked = selectors.item_get_enrollable(user=employee.user, slug=item.slug)

    with django_assert_num_queries(0):
        assert selectors.item_is_enrollable_by(user=employee.user, item=checked)


def test_an_item_checked_for_one_person_is_still_checked_for_another():
    pharmacy = DepartmentFactory(name="Pharmacy")
    pharmacist = EmployeeFactory(department=pharmacy)
    nurse = EmployeeFactory()
    item = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])
    checked = selectors.item_get_enrollable(user=pharmacist.user, slug=item.slug)

    assert selectors.item_is_enrollable_by(user=pharmacist.user, item=checked)
    assert not selectors.item_is_enrollable_by(user=nurse.user, item=checked)


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ({}, ("seat", None)),
        ({"status": Offering.Status.CANCELLED}, ("cancelled", None)),
        ({"capacity": 1, "waitlist_enabled": False}, ("full", None)),
        ({"capacity": 1, "waitlist_enabled": True}, ("waitlist", 2)),
    ],
)
def test_enrollment_outcome_preview_follows_the_enrollment_rules(session, expected):
    offering = OfferingFactory(**session)
    if session.get("capacity"):
        enroll(EmployeeFactory().user, offering)
        if session["waitlist_enabled"]:
            enroll(EmployeeFactory().user, offering)

    assert selectors.enrollment_outcome_preview(offering=offering, existing=None) == expected


def test_enrollment_outcome_preview_for_someone_already_enrolled():
    user = EmployeeFactory().user
    offering = OfferingFactory()
    existing = enroll(user, offering)

    assert selectors.enrollment_outcome_preview(offering=offering, existing=existing) == (
        "already",
        None,
    )
