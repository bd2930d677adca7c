import csv
import io
import json
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from enrollment import services
from enrollment.exports import STATEMENT_NAMESPACE
from enrollment.models import TranscriptEvent
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(employee):
    """Registered, withdrew, registered again, waitlisted elsewhere, completed."""
    user = employee.user
    book = ItemFactory(title='=HYPERLINK("http://evil")', summary="A book about care.")
    first = enroll(user, item=book)
    services.enrollment_withdraw(enrollment=first, actor=user)
    again = enroll(user, item=book)
    services.enrollment_complete(enrollment=again, actor=user, reflection="+cmd|' /C calc'!A0")
    full = OfferingFactory(capacity=1)
    enroll(EmployeeFactory().user, full)
    enroll(user, full)
    enroll(EmployeeFactory().user, item=ItemFactory(title="Someone else's item"))
    return book


def test_csv_export_holds_only_my_events_with_formulas_escaped(client_as, employee, history):
    response = client_as(employee).get(reverse("enrollment:transcript_csv"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Date and time (UTC)", "Event", "Learning item"]
    assert [row[1] for row in body] == [
        "Registered",
        "Withdrew",
        "Registered",
        "Completed",
        "Waitlisted",
    ]
    assert body[0][2] == '\'=HYPERLINK("http://evil")'
    assert body[3][7] == "'+cmd|' /C calc'!A0"
    assert "Someone else's item" not in response.content.decode()


def test_xapi_export_uses_adl_verbs_and_the_employee_account(
    client_as, employee, history, settings
):
    settings.PORTAL_BASE_URL = "https://learning.example.org"

    response = client_as(employee).get(reverse("enrollment:transcript_xapi"))
    statements = json.loads(response.content)

    assert response["Content-Type"].startswith("application/json")
    verbs = [s["verb"]["id"] for s in statements]
    assert verbs == [
        "http://adlnet.gov/expapi/verbs/registered",
        "http://adlnet.gov/expapi/verbs/unregistered",
        "http://adlnet.gov/expapi/verbs/registered",
        "http://adlnet.gov/expapi/verbs/completed",
    ]  # waitlisting has no xAPI verb
    first = statements[0]
    assert first["actor"]["account"] == {
        "homePage": "https://learning.example.org",
        "name": employee.employee_id,
    }
    assert first["object"]["id"] == "https://learning.example.org" + history.get_absolute_url()
    assert first["object"]["definition"]["name"] == {"en-US": history.title}
    assert first["object"]["definition"]["description"] == {"en-US": "A book about care."}
    assert "T" in first["timestamp"]
    assert statements[3]["result"]["completion"] is True
    event = TranscriptEvent.objects.filter(user=employee.user).order_by("occurred_at", "pk")[0]
    assert first["id"] == str(uuid.uuid5(STATEMENT_NAMESPACE, f"transcript-event:{event.pk}"))


def test_xapi_statement_ids_are_stable_across_exports(client_as, employee, history):
    client = client_as(employee)

    first = json.loads(client.get(reverse("enrollment:transcript_xapi")).content)
    second = json.loads(client.get(reverse("enrollment:transcript_xapi")).content)

    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert len({s["id"] for s in first}) == len(first)


def test_printable_transcript_shows_only_my_record(client_as, employee, history):
    html = client_as(employee).get(reverse("enrollment:transcript")).content.decode()

    assert employee.employee_id in html
    assert "Withdrew" in html
    assert "Someone else&#x27;s item" not in html


def test_transcript_urls_take_no_user_id_and_need_sign_in(client):
    for name in ("transcript", "transcript_csv", "transcript_xapi", "my_learning"):
        response = client.get(reverse(f"enrollment:{name}"))
        assert response.status_code == 302
        assert reverse("account_login") in response.url


def test_print_stylesheet_hides_navigation():
    css = Path(finders.find("css/portal.css")).read_text()
    block = css[css.index("@media print") :]
    assert ".site-header" in block
    assert ".transcript-table" in block
