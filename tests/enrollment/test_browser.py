import pytest
from django.core import mail

from catalog.models import Item
from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_employee_enrolls_sees_my_learning_withdraws_and_the_waitlist_moves_up(
    browser_login,
):
    item = ItemFactory(
        title="Compassionate conversations",
        delivery=Item.Delivery.SCHEDULED,
        format=Item.Format.LIVE_SESSION,
    )
    offering = OfferingFactory(item=item, capacity=1, location="Education Centre, Room 2")
    employee = EmployeeFactory(user__email="nurse@example.org")
    waiting = EmployeeFactory(user__email="waiting@example.org").user
    page = browser_login(employee.user)

    # Finds the item in the catalog.
    page.goto("/catalog/")
    page.get_by_role("link", name="Compassionate conversations").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Enroll for").first.click()

    # The confirmation step says what will happen; nothing is written until confirmed.
    page.wait_for_load_state()
    assert page.get_by_text("Education Centre, Room 2").first.is_visible()
    assert page.get_by_text("recorded on your transcript").first.is_visible()
    assert not Enrollment.objects.exists()
    page.get_by_role("button", name="Confirm enrollment").click()

    # My learning shows the upcoming session.
    page.wait_for_url("**/me/learning/**")
    assert page.get_by_role("heading", name="Upcoming sessions").is_visible()
    assert page.get_by_role("link", name="Compassionate conversations").first.is_visible()
    seat = Enrollment.objects.get(user=employee.user)
    assert seat.status == Enrollment.Status.ENROLLED

    # Someone else joins the (now full) session's waitlist.
    assert enroll(waiting, offering).status == Enrollment.Status.WAITLISTED
    mail.outbox.clear()

    # Withdraw, with a confirmation step.
    page.get_by_role("link", name="Withdraw").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_url("**/me/learning/")
    assert page.get_by_text("You have withdrawn").is_visible()

    seat.refresh_from_db()
    assert seat.status == Enrollment.Status.WITHDRAWN
    assert Enrollment.objects.get(user=waiting).status == Enrollment.Status.ENROLLED
    assert TranscriptEvent.objects.filter(user=waiting, kind="promoted").count() == 1
    assert waiting.email in [message.to[0] for message in mail.outbox]
