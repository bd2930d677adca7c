"""Settings of the portal's own features, one headed section per app."""

from .core import env

# ---------------------------------------------------------------------------------------------
# Learning circles
# ---------------------------------------------------------------------------------------------
# True: a proposed circle waits for a learning admin's approval before it opens for sign-up.
CIRCLES_REQUIRE_APPROVAL = env.bool("CIRCLES_REQUIRE_APPROVAL", default=False)
# Months a finished circle's discussion is kept before it is deleted (published summaries,
# key insights and consented quotes stay).
CIRCLES_DISCUSSION_RETENTION_MONTHS = env.int("CIRCLES_DISCUSSION_RETENTION_MONTHS", default=12)

# ---------------------------------------------------------------------------------------------
# Widget
# ---------------------------------------------------------------------------------------------
# Topic slugs whose items the manager variant offers "for people leaders".
WIDGET_LEADERSHIP_TOPICS = env.list(
    "WIDGET_LEADERSHIP_TOPICS", default=["leadership", "coaching", "people-management"]
)
