"""Recognition's writes, split by job: awards, kudos, preferences."""

from .awards import (
    ALREADY_REVOKED,
    REVOKE_NEEDS_REASON,
    badge_award,
    badge_award_revoke,
    badge_awards_check,
    badge_awards_sweep,
)
from .kudos import (
    KUDOS_EMPTY,
    KUDOS_LIMIT,
    KUDOS_NOT_IN_CIRCLE,
    KUDOS_NOT_YOURS,
    KUDOS_SELF,
    KUDOS_TOO_LONG,
    REPORT_NEEDS_REASON,
    REPORT_NOT_SEEN,
    RESOLVE_NEEDS_REASON,
    kudos_give,
    kudos_recipients,
    kudos_report,
    kudos_report_resolve,
    kudos_share,
)
from .preferences import recognition_preference_set

__all__ = [
    "ALREADY_REVOKED",
    "KUDOS_EMPTY",
    "KUDOS_LIMIT",
    "KUDOS_NOT_IN_CIRCLE",
    "KUDOS_NOT_YOURS",
    "KUDOS_SELF",
    "KUDOS_TOO_LONG",
    "REPORT_NEEDS_REASON",
    "REPORT_NOT_SEEN",
    "RESOLVE_NEEDS_REASON",
    "REVOKE_NEEDS_REASON",
    "badge_award",
    "badge_award_revoke",
    "badge_awards_check",
    "badge_awards_sweep",
    "kudos_give",
    "kudos_recipients",
    "kudos_report",
    "kudos_report_resolve",
    "kudos_share",
    "recognition_preference_set",
]
