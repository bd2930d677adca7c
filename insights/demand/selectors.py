"""Reads of the demand board: what each person sees, with vote counts and their own +1."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from people.models import User
from people.roles import LEARNING_ADMIN

from ..models import Proposal, Vote

SORTS = {"top": ("-vote_count", "-created_at", "-pk"), "new": ("-created_at", "-pk")}


def can_moderate(user: User) -> bool:
    """Learning admins moderate the board (hide, merge, mark as planned)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=LEARNING_ADMIN.name).exists()


def _annotated(user: User) -> QuerySet[Proposal]:
    return Proposal.objects.select_related("topic", "merged_into").annotate(
        vote_count=Count("votes", distinct=True),
        has_voted=Exists(Vote.objects.filter(proposal=OuterRef("pk"), user_id=user.pk)),
    )


def proposal_list_for_board(
    *, user: User, status: str = Proposal.Status.OPEN, sort: str = "top", query: str = ""
) -> QuerySet[Proposal]:
    """The board's proposals in one status, each with `vote_count` and `has_voted`.

    Hidden proposals are listed for moderators only; merged ones never (they live on in
    their target).
    """
    if status == Proposal.Status.MERGED or (
        status == Proposal.Status.HIDDEN and not can_moderate(user)
    ):
        return Proposal.objects.none()
    proposals = _annotated(user).filter(status=status)
    if query:
        proposals = proposals.filter(
            Q(title__icontains=query)
            | Q(details__icontains=query)
            | Q(topic__name__icontains=query)
        )
    return proposals.order_by(*SORTS.get(sort, SORTS["top"]))


def proposal_get_for(*, user: User, pk: int) -> Proposal | None:
    """One proposal as the person may see it (hidden ones: moderators only), else None."""
    proposals = _annotated(user)
    if not can_moderate(user):
        proposals = proposals.exclude(status=Proposal.Status.HIDDEN)
    return proposals.filter(pk=pk).first()


def proposal_merge_targets(*, proposal: Proposal) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(status__in=(Proposal.Status.OPEN, Proposal.Status.PLANNED))
        .exclude(pk=proposal.pk)
        .order_by("title")
    )


def proposal_similar(*, title: str, limit: int = 5) -> list[Proposal]:
    """Open proposals sharing a word of at least 4 letters with a title (before proposing)."""
    words = [word for word in title.split() if len(word) >= 4][:6]
    if not words:
        return []
    rule = Q()
    for word in words:
        rule |= Q(title__icontains=word)
    return list(
        Proposal.objects.filter(rule, status__in=(Proposal.Status.OPEN, Proposal.Status.PLANNED))
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count")[:limit]
    )
