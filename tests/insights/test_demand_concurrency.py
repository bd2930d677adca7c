"""One vote per person on the demand board, under parallel requests on PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from insights.demand import services
from insights.models import Proposal, Vote
from tests.helpers import run_concurrently
from tests.insights.demand_helpers import learning_admin
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _post_vote(user, proposal, action="add"):
    client = Client()
    client.force_login(user)
    return client.post(f"/demand/{proposal.pk}/vote/", {"action": action}).status_code


def test_twenty_parallel_vote_requests_by_one_person_count_one_vote():
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")
    voter = EmployeeFactory().user

    statuses, errors = run_concurrently([lambda: _post_vote(voter, proposal)] * 20)

    assert errors == []
    assert set(statuses) == {302}
    assert Vote.objects.filter(proposal=proposal, user=voter).count() == 1


def test_twenty_people_voting_at_once_each_count_once():
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Lean thinking")
    voters = [EmployeeFactory().user for _ in range(20)]

    _, errors = run_concurrently(
        [lambda u=u: services.vote_add(user=u, proposal=proposal) for u in voters * 2]
    )

    assert errors == []
    assert proposal.votes.count() == 21


def test_votes_arriving_during_a_merge_all_end_up_on_the_target_once():
    target = services.proposal_create(user=EmployeeFactory().user, title="Feedback")
    source = services.proposal_create(user=EmployeeFactory().user, title="Feedback skills")
    voters = [EmployeeFactory().user for _ in range(12)]
    admin = learning_admin()

    def vote(user):
        try:
            services.vote_add(user=user, proposal=source)
        except Exception:  # noqa: BLE001 - a vote after the merge is refused, as it should be
            return "refused"
        return "counted"

    def merge():
        services.proposal_merge(proposal=source, into=target, actor=admin, reason="Same")
        return "merged"

    results, errors = run_concurrently([merge, *[lambda u=u: vote(u) for u in voters]])

    assert errors == []
    counted = results.count("counted")
    assert Proposal.objects.get(pk=source.pk).status == "merged"
    assert Vote.objects.filter(proposal=source).count() == 0
    # The two proposers, and every vote that counted before the merge moved with it.
    assert Vote.objects.filter(proposal=target).count() == 2 + counted
    assert results.count("refused") == 12 - counted


def test_the_same_title_proposed_at_once_is_one_proposal():
    people = [EmployeeFactory().user for _ in range(10)]

    _, errors = run_concurrently(
        [lambda u=u: services.proposal_create(user=u, title="Purple Cow") for u in people]
    )

    assert Proposal.objects.filter(title="Purple Cow").count() == 1
    assert len(errors) == 9
    assert all("already on the board" in str(e) for e in errors)


def test_parallel_proposals_by_one_person_stop_at_the_daily_limit():
    user = EmployeeFactory().user
    for n in range(services.PROPOSAL_DAILY_LIMIT - 1):
        services.proposal_create(user=user, title=f"Earlier idea {n}")

    def propose(n):
        try:
            services.proposal_create(user=user, title=f"Parallel idea {n}")
        except ValidationError:
            return "refused"
        return "made"

    results, errors = run_concurrently([lambda n=n: propose(n) for n in range(8)])

    assert errors == []
    assert sorted(results) == ["made"] + ["refused"] * 7
    assert Proposal.objects.filter(proposed_by=user).count() == services.PROPOSAL_DAILY_LIMIT
