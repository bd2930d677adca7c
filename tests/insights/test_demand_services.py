"""The demand board's services: proposing, one vote per person, moderation."""

import pytest
from django.core.exceptions import ValidationError

from insights.demand import services
from insights.demand.selectors import proposal_list_for_board
from insights.models import Proposal, Vote
from tests.catalog.factories import TopicFactory
from tests.insights.demand_helpers import learning_admin
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return EmployeeFactory().user


def test_proposing_puts_it_on_the_board_with_the_proposers_own_vote(person):
    proposal = services.proposal_create(user=person, title="  Giving   feedback that lands ")

    assert proposal.title == "Giving feedback that lands"
    assert proposal.status == Proposal.Status.OPEN
    assert list(proposal.votes.values_list("user", flat=True)) == [person.pk]


def test_the_same_title_in_another_case_is_refused_with_a_pointer_to_vote(person):
    services.proposal_create(user=person, title="Purple Cow")

    with pytest.raises(ValidationError) as error:
        services.proposal_create(user=EmployeeFactory().user, title="purple cow")

    assert error.value.message_dict["title"] == [
        "“purple cow” is already on the board: give it a +1 instead."
    ]


def test_a_hidden_proposals_title_may_be_proposed_again(person):
    first = services.proposal_create(user=person, title="Excel tricks")
    services.proposal_hide(proposal=first, actor=learning_admin(), reason="Spam")

    again = services.proposal_create(user=EmployeeFactory().user, title="Excel tricks")

    assert again.pk != first.pk


def test_a_sixth_proposal_in_a_day_is_refused(person):
    for n in range(services.PROPOSAL_DAILY_LIMIT):
        services.proposal_create(user=person, title=f"Topic number {n}")

    with pytest.raises(ValidationError) as error:
        services.proposal_create(user=person, title="One too many")

    assert error.value.message_dict["title"] == [services.PROPOSAL_LIMIT_REACHED]


def test_a_second_vote_by_the_same_person_counts_once(person):
    proposal = services.proposal_create(user=person, title="Lean thinking")
    voter = EmployeeFactory().user

    assert services.vote_add(user=voter, proposal=proposal) is True
    assert services.vote_add(user=voter, proposal=proposal) is False
    assert proposal.votes.count() == 2


def test_withdrawing_a_vote_removes_it_and_only_it(person):
    proposal = services.proposal_create(user=person, title="Lean thinking")
    voter = EmployeeFactory().user
    services.vote_add(user=voter, proposal=proposal)

    assert services.vote_withdraw(user=voter, proposal=proposal) is True
    assert services.vote_withdraw(user=voter, proposal=proposal) is False
    assert list(proposal.votes.values_list("user", flat=True)) == [person.pk]


def test_a_hidden_proposal_takes_no_votes_and_needs_a_reason(person):
    proposal = services.proposal_create(user=person, title="Off topic")
    admin = learning_admin()

    with pytest.raises(ValidationError) as error:
        services.proposal_hide(proposal=proposal, actor=admin, reason="  ")
    assert error.value.message_dict["reason"] == [services.REASON_REQUIRED]

    services.proposal_hide(proposal=proposal, actor=admin, reason="Not a learning topic")
    with pytest.raises(ValidationError, match="no longer takes votes"):
        services.vote_add(user=EmployeeFactory().user, proposal=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason, proposal.moderated_by) == (
        "hidden",
        "Not a learning topic",
        admin,
    )


def test_hidden_proposals_are_listed_for_moderators_only(person):
    proposal = services.proposal_create(user=person, title="Off topic")
    admin = learning_admin()
    services.proposal_hide(proposal=proposal, actor=admin, reason="Not a learning topic")

    assert list(proposal_list_for_board(user=person, status="hidden")) == []
    assert list(proposal_list_for_board(user=admin, status="hidden")) == [proposal]


def test_planned_proposals_still_take_votes_and_reopen_clears_the_reason(person):
    proposal = services.proposal_create(user=person, title="Coaching skills")
    admin = learning_admin()
    services.proposal_plan(proposal=proposal, actor=admin, reason="A circle starts in March")

    assert services.vote_add(user=EmployeeFactory().user, proposal=proposal) is True
    services.proposal_reopen(proposal=proposal, actor=admin)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == ("open", "")


def test_merging_moves_the_votes_and_keeps_one_for_people_who_voted_both(person):
    target = services.proposal_create(user=person, title="Giving feedback")
    duplicate = services.proposal_create(user=EmployeeFactory().user, title="Feedback skills")
    both, only_duplicate = EmployeeFactory().user, EmployeeFactory().user
    for user in (both, only_duplicate):
        services.vote_add(user=user, proposal=duplicate)
    services.vote_add(user=both, proposal=target)
    topic = TopicFactory(name="Communication")
    services.proposal_set_topic(proposal=duplicate, topic=topic, actor=learning_admin())

    services.proposal_merge(
        proposal=duplicate, into=target, actor=learning_admin(), reason="Same wish"
    )

    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert duplicate.status == "merged"
    assert duplicate.merged_into == target
    assert duplicate.votes.count() == 0
    assert target.votes.count() == 4
    assert Vote.objects.filter(proposal=target, user=both).count() == 1
    assert target.topic == topic


def test_merging_into_itself_or_into_a_hidden_proposal_is_refused(person):
    proposal = services.proposal_create(user=person, title="Giving feedback")
    hidden = services.proposal_create(user=person, title="Spam")
    admin = learning_admin()
    services.proposal_hide(proposal=hidden, actor=admin, reason="Spam")

    with pytest.raises(ValidationError) as error:
        services.proposal_merge(proposal=proposal, into=proposal, actor=admin, reason="x")
    assert error.value.message_dict["into"] == [services.MERGE_INTO_ITSELF]
    with pytest.raises(ValidationError) as error:
        services.proposal_merge(proposal=proposal, into=hidden, actor=admin, reason="x")
    assert error.value.message_dict["into"] == [services.MERGE_TARGET_CLOSED]


def test_a_chain_of_merges_points_at_the_last_target(person):
    a = services.proposal_create(user=person, title="A topic")
    b = services.proposal_create(user=person, title="B topic")
    c = services.proposal_create(user=person, title="C topic")
    admin = learning_admin()

    services.proposal_merge(proposal=a, into=b, actor=admin, reason="same")
    services.proposal_merge(proposal=b, into=c, actor=admin, reason="same")

    a.refresh_from_db()
    assert a.merged_into == c


def test_a_suggestion_from_a_discussion_belongs_to_no_one_and_is_not_duplicated():
    first = services.proposal_suggest_from_discussion(title="conflict resolution")
    again = services.proposal_suggest_from_discussion(title="Conflict Resolution")

    assert first.pk == again.pk
    assert (first.title, first.proposed_by, first.origin) == (
        "Conflict resolution",
        None,
        "discussion",
    )
    assert first.votes.count() == 0
