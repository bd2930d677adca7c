"""Reads of badges and kudos, with who may see what.

A person's badges and the kudos they received are theirs alone. Others see only what the
person chose to show, and only as members of the same circle: badges when they switched
"show my badges" on, a kudos message when they shared it. No read here returns a count or
a ranking; nothing here is meant for HR or manager views, and none of them call it.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from circles.models import Circle
from circles.selectors import circle_member_users, circle_membership, circle_visible_q
from people.models import User

from .models import BadgeAward, BadgeClass, Kudos, RecognitionPreference


def award_list_for(*, user: User) -> QuerySet[BadgeAward]:
    """The person's own badges, newest first (revoked ones too, marked, with the reason)."""
    return BadgeAward.objects.filter(recipient=user).select_related("badge_class")


def award_get_for(*, user: User, uid) -> BadgeAward | None:
    """One of the person's own awards, or None (someone else's answers 404)."""
    return award_list_for(user=user).filter(uid=uid).first()


def badge_class_get(*, slug: str, now=None) -> BadgeClass | None:
    """A badge as its public page shows it (to anyone: verifiers are outside the portal).

    A badge someone holds is always shown, so their credential's badge URL keeps resolving.
    One nobody holds yet is shown only once it could be earned and everyone may know of it:
    active, its circle past the draft and open to the whole organization (the page needs no
    sign-in, so it cannot ask who is looking), its theme released. Otherwise its page would
    name a circle or a theme not announced to whoever reads it.
    """
    badge = (
        BadgeClass.objects.select_related("circle", "theme")
        .annotate(held=Exists(BadgeAward.objects.filter(badge_class=OuterRef("pk"))))
        .filter(slug=slug)
        .first()
    )
    if badge is None or badge.held:
        return badge
    if not badge.is_active:
        return None
    if (
        badge.circle_id
        and not Circle.objects.filter(
            circle_visible_q(AnonymousUser()), pk=badge.circle_id
        ).exists()
    ):
        return None
    if badge.theme_id and not badge.theme.is_released(now):
        return None
    return badge


def shows_badges(*, user: User) -> bool:
    return RecognitionPreference.objects.filter(user=user, show_badges_in_circles=True).exists()


def circle_badges_shown(*, circle: Circle, viewer: User) -> list[tuple[User, list[BadgeAward]]]:
    """The badges of this circle's members who chose to show them, for another member."""
    if not circle_membership(user=viewer, circle=circle).is_member:
        return []
    showing = (
        circle_member_users(circle=circle)
        .filter(recognition_preference__show_badges_in_circles=True)
        .prefetch_related(
            Prefetch(
                "badge_awards",
                queryset=BadgeAward.objects.filter(revoked_at__isnull=True).select_related(
                    "badge_class"
                ),
                to_attr="shown_awards",
            )
        )
        .order_by("first_name", "last_name", "pk")
    )
    return [(person, person.shown_awards) for person in showing if person.shown_awards]


def kudos_received(*, user: User) -> QuerySet[Kudos]:
    """The kudos the person received: the only list that shows their messages."""
    return Kudos.objects.filter(recipient=user).select_related("sender", "circle")


def kudos_sent(*, user: User) -> QuerySet[Kudos]:
    """What the person sent (never whether it was shared: that is the recipient's choice)."""
    return Kudos.objects.filter(sender=user).select_related("recipient", "circle")


def kudos_get_received(*, user: User, pk: int) -> Kudos | None:
    return kudos_received(user=user).filter(pk=pk).first()


def kudos_shared_in(*, circle: Circle, viewer: User) -> QuerySet[Kudos]:
    """Kudos their recipients shared on this circle's page, for its members only."""
    if not circle_membership(user=viewer, circle=circle).is_member:
        return Kudos.objects.none()
    return (
        Kudos.objects.filter(circle=circle, shared_at__isnull=False, hidden_at__isnull=True)
        .select_related("sender", "recipient")
        .order_by("-shared_at", "-pk")
    )


def kudos_get_shared(*, circle: Circle, viewer: User, pk: int) -> Kudos | None:
    return kudos_shared_in(circle=circle, viewer=viewer).filter(pk=pk).first()
