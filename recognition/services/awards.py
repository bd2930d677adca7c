"""Badge awards: automatic when the rule is met, exactly once, revocable with a reason."""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import User

from .. import criteria
from ..models import BadgeAward, BadgeClass

logger = logging.getLogger(__name__)

REVOKE_NEEDS_REASON = "Say why the badge is revoked: the reason is kept with the award."
ALREADY_REVOKED = "This badge was already revoked."


def badge_award(*, badge_class: BadgeClass, recipient_id: int, evidence: str, now) -> bool:
    """Insert the award unless it exists; True when this call created it.

    The caller holds the recipient's row lock, so two checks for one person run one after
    the other; the unique constraint is the last line of defence (a savepoint keeps the
    caller's transaction usable when it fires).
    """
    if BadgeAward.objects.filter(badge_class=badge_class, recipient_id=recipient_id).exists():
        return False
    try:
        with transaction.atomic():
            BadgeAward.objects.create(
                badge_class=badge_class,
                recipient_id=recipient_id,
                awarded_at=now,
                evidence=evidence[:300],
            )
    except IntegrityError:
        return False
    logger.debug("Badge %s awarded to user %s", badge_class.slug, recipient_id)
    return True


def _lock_people(user_ids: Iterable[int]) -> list[int]:
    # Uses the primary key; ordered, so two sweeps over overlapping people cannot deadlock.
    return list(
        User.objects.select_for_update()
        .filter(pk__in=list(user_ids), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def badge_awards_check(*, user_ids: Iterable[int], now=None) -> int:
    """Award every active badge these people now meet and do not hold yet.

    Called after the writes that can earn a badge (attendance, wrap-ups, facilitators,
    enrollments: see recognition.signals), from a task. Each person's row is locked for
    the check, so parallel triggers award each badge once. A revoked badge is not awarded
    again. Returns how many awards were made.
    """
    now = now or timezone.now()
    people = _lock_people(user_ids)
    if not people:
        return 0
    made = 0
    for badge in BadgeClass.objects.filter(is_active=True).select_related("circle", "theme"):
        held = set(
            BadgeAward.objects.filter(badge_class=badge, recipient_id__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        missing = [pk for pk in people if pk not in held]
        if not missing:
            continue
        for user_id, evidence in criteria.qualifying(badge, user_ids=missing).items():
            made += badge_award(badge_class=badge, recipient_id=user_id, evidence=evidence, now=now)
    return made


def badge_awards_sweep(*, badge_class: BadgeClass | None = None, batch: int = 500) -> int:
    """Award what anyone meets and was not awarded yet (one badge, or every active one).

    For the hourly beat task and for a badge just defined: it finds who qualifies in one
    query per badge, then awards in batches through `badge_awards_check`, each its own
    transaction. Idempotent. Returns how many awards were made.
    """
    badges = BadgeClass.objects.filter(is_active=True)
    if badge_class is not None:
        badges = badges.filter(pk=badge_class.pk)
    candidates: set[int] = set()
    for badge in badges.select_related("circle", "theme"):
        qualifying = set(criteria.qualifying(badge))
        held = set(badge.awards.values_list("recipient_id", flat=True))
        candidates |= qualifying - held
    ordered = sorted(candidates)
    made = sum(
        badge_awards_check(user_ids=ordered[start : start + batch])
        for start in range(0, len(ordered), batch)
    )
    if made:
        logger.info("Badge sweep: %s awards made", made)
    return made


@transaction.atomic
def badge_award_revoke(*, award: BadgeAward, actor: User, reason: str) -> BadgeAward:
    """Revoke an award: its credential then verifies as revoked, and it is not awarded again.

    Raises ValidationError: REVOKE_NEEDS_REASON, ALREADY_REVOKED.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(REVOKE_NEEDS_REASON)
    award = BadgeAward.objects.select_for_update().get(pk=award.pk)
    if award.is_revoked:
        raise ValidationError(ALREADY_REVOKED)
    award.revoked_at = timezone.now()
    award.revoked_by = actor
    award.revocation_reason = reason[:300]
    award.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    logger.info("Badge award %s revoked by %s", award.uid, actor.pk)
    return award
