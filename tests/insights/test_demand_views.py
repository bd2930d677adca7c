"""The demand pages: who may see what, bad input, HTMX and no-JS voting, the CSV."""

import csv
import io

import pytest
from django.urls import reverse

from insights.demand import services
from insights.models import Proposal, Vote
from learning_portal.core.csvfiles import read_csv
from tests.catalog.factories import ItemFactory, TopicFactory
from tests.enrollment.factories import SessionInterestFactory
from tests.insights.demand_helpers import hr_user, learning_admin
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

HR_URLS = ["/insights/demand/", "/insights/demand.csv", "/insights/demand/topics/leadership/"]


@pytest.fixture
def leadership():
    return TopicFactory(name="Leadership", slug="leadership")


@pytest.mark.parametrize("url", HR_URLS)
def test_employees_and_managers_get_403_on_every_demand_page_and_export(
    url, leadership, employee, manager, client_as
):
    for person in (employee, manager):
        assert client_as(person).get(url).status_code == 403


@pytest.mark.parametrize("url", HR_URLS)
def test_signed_out_visitors_are_sent_to_sign_in(url, leadership, client):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", HR_URLS)
def test_hr_and_learning_admins_see_the_demand_pages(url, leadership, client_as):
    for person in (hr_user(), learning_admin()):
        assert client_as(person).get(url).status_code == 200


def test_an_unknown_topic_is_404(client_as):
    assert client_as(hr_user()).get("/insights/demand/topics/nope/").status_code == 404


def test_the_board_needs_sign_in(client):
    assert client.get("/demand/").status_code == 302


def test_the_board_lists_open_proposals_by_votes_without_names(employee, client_as):
    low = services.proposal_create(user=employee.user, title="Knitting for calm")
    high = services.proposal_create(user=EmployeeFactory().user, title="Conflict resolution")
    services.vote_add(user=EmployeeFactory().user, proposal=high)

    response = client_as(employee).get("/demand/")

    text = response.content.decode()
    assert text.index("Conflict resolution") < text.index("Knitting for calm")
    assert employee.user.get_full_name() not in text
    assert low.get_absolute_url() in text


def test_proposing_with_a_blank_title_says_what_is_wrong_and_saves_nothing(employee, client_as):
    response = client_as(employee).post(
        "/demand/propose/", {"title": " ", "kind": "topic", "wanted": "either"}
    )

    assert response.status_code == 400
    assert "Say what you would like to learn." in response.content.decode()
    assert Proposal.objects.count() == 0


def test_proposing_a_duplicate_shows_the_existing_one(employee, client_as):
    existing = services.proposal_create(user=EmployeeFactory().user, title="Purple Cow")

    response = client_as(employee).post(
        "/demand/propose/", {"title": "PURPLE COW", "kind": "book", "wanted": "circle"}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "already on the board" in text
    assert existing.get_absolute_url() in text


def test_proposing_redirects_to_the_new_proposal(employee, client_as):
    response = client_as(employee).post(
        "/demand/propose/",
        {"title": "Purple Cow", "kind": "book", "wanted": "circle", "details": "Seth Godin"},
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.kind, proposal.wanted, proposal.proposed_by) == (
        "book",
        "circle",
        employee.user,
    )


def test_voting_with_htmx_returns_the_vote_control(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")

    response = client_as(employee).post(
        f"/demand/{proposal.pk}/vote/", {"action": "add"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="vote-' in text
    assert "<strong>2</strong>" in text
    assert "You +1" in text
    assert "<html" not in text


def test_voting_without_javascript_goes_back_to_the_page_it_came_from(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")

    response = client_as(employee).post(
        f"/demand/{proposal.pk}/vote/", {"action": "add", "next": "/demand/?sort=new"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/demand/?sort=new"
    assert Vote.objects.filter(proposal=proposal, user=employee.user).exists()


def test_a_vote_never_redirects_off_site(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")

    response = client_as(employee).post(
        f"/demand/{proposal.pk}/vote/", {"action": "withdraw", "next": "https://evil.example/"}
    )

    assert response["Location"] == proposal.get_absolute_url()


def test_voting_needs_post(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")
    assert client_as(employee).get(f"/demand/{proposal.pk}/vote/").status_code == 405


def test_a_vote_on_a_hidden_proposal_is_404_for_employees(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Spam")
    services.proposal_hide(proposal=proposal, actor=learning_admin(), reason="Spam")

    response = client_as(employee).post(f"/demand/{proposal.pk}/vote/", {"action": "add"})

    assert response.status_code == 404
    assert client_as(employee).get(proposal.get_absolute_url()).status_code == 404


def test_employees_and_hr_cannot_moderate(employee, client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Spam")
    for person in (employee, hr_user()):
        response = client_as(person).post(
            f"/demand/{proposal.pk}/moderate/", {"action": "hide", "reason": "x"}
        )
        assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "open"


def test_a_learning_admin_marks_a_proposal_planned_with_a_reason(client_as):
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Coaching")
    admin = learning_admin()

    missing = client_as(admin).post(f"/demand/{proposal.pk}/moderate/", {"action": "plan"})
    assert missing.status_code == 400
    assert services.REASON_REQUIRED in missing.content.decode()

    done = client_as(admin).post(
        f"/demand/{proposal.pk}/moderate/", {"action": "plan", "reason": "Circle in March"}
    )
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == ("planned", "Circle in March")
    board = client_as(EmployeeFactory()).get("/demand/?show=planned").content.decode()
    assert "Circle in March" in board


def test_a_learning_admin_merges_through_the_page(client_as):
    target = services.proposal_create(user=EmployeeFactory().user, title="Feedback")
    source = services.proposal_create(user=EmployeeFactory().user, title="Feedback skills")

    response = client_as(learning_admin()).post(
        f"/demand/{source.pk}/moderate/",
        {"action": "merge", "into": target.pk, "reason": "Same wish"},
    )

    assert response.status_code == 302
    assert target.votes.count() == 2
    # An employee following an old link lands on the proposal it was merged into.
    followed = client_as(EmployeeFactory()).get(source.get_absolute_url())
    assert followed["Location"] == target.get_absolute_url()


def test_the_csv_is_formula_safe_and_keeps_small_people_counts_hidden(client_as, leadership):
    nasty = TopicFactory(name='=HYPERLINK("http://x")', slug="nasty")
    item = ItemFactory(topics=[nasty, leadership])
    for _ in range(2):
        SessionInterestFactory(item=item)

    response = client_as(hr_user()).get("/insights/demand.csv?days=30")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[0] for row in raw[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    notify = raw[0].index("“Notify me” requests")
    assert {row[notify] for row in raw[1:]} == {"<5"}
    # It reads back with the portal's own CSV reader unchanged.
    table = read_csv(response.content, required=["topic"], unknown_columns="ignore")
    assert '=HYPERLINK("http://x")' in [row.values["topic"] for row in table.rows]


def test_the_topic_page_draws_the_trend_and_leaves_hidden_months_out(client_as, leadership):
    item = ItemFactory(topics=[leadership])
    for _ in range(6):
        SessionInterestFactory(item=item)

    page = client_as(hr_user()).get("/insights/demand/topics/leadership/").content.decode()

    assert "<svg" in page
    # 6 people, shown rounded to the nearest 5.
    assert "“Notify me” requests is the strongest signal: 5 over the 12 months" in page
    assert "rounded to the nearest 5" in page
