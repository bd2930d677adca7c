"""Writes of the demand board: proposing, voting, moderating.

One vote per person and proposal rests on the `demand_vote_once` constraint; each write also
locks the proposal's row first, so a vote cannot land on a proposal while it is being merged
or hidden (it either counts before the merge, and moves with it, or sees the new status).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Topic
from people.models import User

from ..models import Proposal, Vote

PROPOSAL_DUPLICATE = "“%(title)s” is already on the board: give it a +1 instead."
PROPOSAL_DAILY_LIMIT = 5
PROPOSAL_LIMIT_REACHED = (
    "You have made 5 proposals today. Give the others a +1, or come back tomorrow."
)
PROPOSAL_NOT_VOTABLE = "This proposal no longer takes votes."
REASON_REQUIRED = "Give a reason in a sentence: the board shows it with the proposal."
MERGE_INTO_ITSELF = "Pick another proposal to merge into."
MERGE_TARGET_CLOSED = "Merge into a proposal that is open or planned."
ALREADY_MODERATED = "This proposal was already merged: change the one it was merged into."

VOTABLE = (Proposal.Status.OPEN, Proposal.Status.PLANNED)


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_create(
    *,
    user: User,
    title: str,
    kind: str = Proposal.Kind.TOPIC,
    wanted: str = Proposal.Wanted.EITHER,
    details: str = "",
    topic: Topic | None = None,
) -> Proposal:
    """Put a topic or book on the board, with the proposer's own +1.

    Raises ValidationError (on "title") when an open or planned proposal has the same title,
    whatever its case (PROPOSAL_DUPLICATE), and when the person has made
    PROPOSAL_DAILY_LIMIT proposals in the last 24 hours (PROPOSAL_LIMIT_REACHED).
    """
    title = _tidy(title)
    # The person's row is the lock that makes "count, then create" one step: without it, two
    # submits at the same moment both count 4 and make a sixth proposal.
    User.objects.select_for_update().filter(pk=user.pk).first()
    since = timezone.now() - timezone.timedelta(days=1)
    if (
        Proposal.objects.filter(proposed_by=user, created_at__gte=since).count()
        >= PROPOSAL_DAILY_LIMIT
    ):
        raise ValidationError({"title": PROPOSAL_LIMIT_REACHED})
    duplicate = ValidationError(
        {"title": ValidationError(PROPOSAL_DUPLICATE, params={"title": title})}
    )
    if Proposal.objects.filter(title__iexact=title, status__in=VOTABLE).exists():
        raise duplicate
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                title=title,
                kind=kind,
                wanted=wanted,
                details=details.strip(),
                topic=topic,
                proposed_by=user,
            )
    except IntegrityError:
        # The same title proposed at the same moment by someone else.
        raise duplicate from None
    Vote.objects.create(proposal=proposal, user=user)
    return proposal


@transaction.atomic
def vote_add(*, user: User, proposal: Proposal) -> bool:
    """+1 a proposal; True when the vote is new, False when the person had voted already.

    Raises ValidationError(PROPOSAL_NOT_VOTABLE) for a hidden or merged proposal.
    """
    proposal = _locked(proposal)
    if not proposal.is_votable:
        raise ValidationError(PROPOSAL_NOT_VOTABLE)
    _, created = Vote.objects.get_or_create(proposal=proposal, user=user)
    return created


@transaction.atomic
def vote_withdraw(*, user: User, proposal: Proposal) -> bool:
    """Take one's +1 back; True when there was one. Allowed whatever the status."""
    deleted, _ = Vote.objects.filter(proposal_id=proposal.pk, user=user).delete()
    return deleted > 0


def _moderated(proposal: Proposal, *, actor: User, status: str, reason: str) -> Proposal:
    proposal.status = status
    proposal.status_reason = reason
    proposal.moderated_by = actor
    proposal.moderated_at = timezone.now()
    return proposal


def _reason(reason: str) -> str:
    reason = _tidy(reason)
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


def _moderated_with_reason(
    proposal: Proposal, *, actor: User, status: str, reason: str
) -> Proposal:
    """Hide or plan: the reason is required, and a merged proposal stays merged."""
    reason = _reason(reason)
    proposal = _locked(proposal)
    if proposal.status == Proposal.Status.MERGED:
        raise ValidationError(ALREADY_MODERATED)
    _moderated(proposal, actor=actor, status=status, reason=reason)
    proposal.save()
    return proposal


@transaction.atomic
def proposal_hide(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """Take a proposal off the board (off-topic, a duplicate in other words, not allowed).

    Its votes are kept, so reopening it restores them. Raises ValidationError on "reason"
    (REASON_REQUIRED) and ALREADY_MODERATED for a merged proposal.
    """
    status = Proposal.Status.HIDDEN
    return _moderated_with_reason(proposal, actor=actor, status=status, reason=reason)


@transaction.atomic
def proposal_plan(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """Mark as planned, saying what is planned ("A circle starts in March"). Still votable.

    Raises ValidationError on "reason" (REASON_REQUIRED) and ALREADY_MODERATED for a merged
    proposal.
    """
    status = Proposal.Status.PLANNED
    return _moderated_with_reason(proposal, actor=actor, status=status, reason=reason)


@transaction.atomic
def proposal_reopen(*, proposal: Proposal, actor: User) -> Proposal:
    """Back on the board as open (undoes hide or plan). Raises ValidationError on "title"
    (PROPOSAL_DUPLICATE) if an open proposal with its title appeared meanwhile."""
    proposal = _locked(proposal)
    if proposal.status == Proposal.Status.MERGED:
        raise ValidationError(ALREADY_MODERATED)
    if (
        Proposal.objects.filter(title__iexact=proposal.title, status__in=VOTABLE)
        .exclude(pk=proposal.pk)
        .exists()
    ):
        raise ValidationError(
            {"title": ValidationError(PROPOSAL_DUPLICATE, params={"title": proposal.title})}
        )
    _moderated(proposal, actor=actor, status=Proposal.Status.OPEN, reason="")
    proposal.save()
    return proposal


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, actor: User, reason: str) -> Proposal:
    """Fold a proposal into another that asks for the same thing; its votes move along.

    A person who had voted for both keeps one vote. Proposals merged earlier into this one
    now point to the target too, so no chain forms. Raises ValidationError: MERGE_INTO_ITSELF,
    MERGE_TARGET_CLOSED, ALREADY_MODERATED, or REASON_REQUIRED on "reason".
    """
    reason = _reason(reason)
    if proposal.pk == into.pk:
        raise ValidationError({"into": MERGE_INTO_ITSELF})
    # Both rows locked in id order, so two opposite merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update()
        .filter(pk__in=[proposal.pk, into.pk])
        .order_by("pk")
    }
    proposal, into = locked[proposal.pk], locked[into.pk]
    if proposal.status == Proposal.Status.MERGED:
        raise ValidationError(ALREADY_MODERATED)
    if not into.is_votable:
        raise ValidationError({"into": MERGE_TARGET_CLOSED})
    both = Vote.objects.filter(proposal=into).values("user_id")
    Vote.objects.filter(proposal=proposal, user_id__in=both).delete()
    Vote.objects.filter(proposal=proposal).update(proposal=into)
    Proposal.objects.filter(merged_into=proposal).update(merged_into=into)
    if into.topic_id is None and proposal.topic_id is not None:
        into.topic_id = proposal.topic_id
        into.save(update_fields=["topic"])
    _moderated(proposal, actor=actor, status=Proposal.Status.MERGED, reason=reason)
    proposal.merged_into = into
    proposal.save()
    return proposal


@transaction.atomic
def proposal_set_topic(*, proposal: Proposal, topic: Topic | None, actor: User) -> Proposal:
    """Tie a proposal (and so its votes) to a catalog topic in HR's demand list, or untie it."""
    proposal = _locked(proposal)
    proposal.topic = topic
    proposal.save(update_fields=["topic"])
    return proposal


@transaction.atomic
def proposal_suggest_from_discussion(*, title: str, topic: Topic | None = None) -> Proposal:
    """A wish a facilitator published from a circle's takeaways, on the board for votes.

    Belongs to no one (no proposer, no vote): it came from a group's conversation. An open or
    planned proposal with the same title is returned instead of a second one.
    """
    title = _tidy(title)[:120]
    existing = Proposal.objects.filter(title__iexact=title, status__in=VOTABLE).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Proposal.objects.create(
                title=title[:1].upper() + title[1:],
                topic=topic,
                origin=Proposal.Origin.DISCUSSION,
            )
    except IntegrityError:
        return Proposal.objects.get(title__iexact=title, status__in=VOTABLE)
