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
# Privacy and insights
# ---------------------------------------------------------------------------------------------
# The smallest group any report shows (learning_portal.core.privacy): 5 unless set higher.
PRIVACY_MIN_GROUP_SIZE = env.int("PRIVACY_MIN_GROUP_SIZE", default=5)
# The year's target for managers engaged in elective learning, in percent (the band).
INSIGHTS_TARGET_LOW = env.float("INSIGHTS_TARGET_LOW", default=20.0)
INSIGHTS_TARGET_HIGH = env.float("INSIGHTS_TARGET_HIGH", default=25.0)

# ---------------------------------------------------------------------------------------------
# Widget
# ---------------------------------------------------------------------------------------------
# Topic slugs whose items the manager variant offers "for people leaders".
WIDGET_LEADERSHIP_TOPICS = env.list(
    "WIDGET_LEADERSHIP_TOPICS", default=["leadership", "coaching", "people-management"]
)
