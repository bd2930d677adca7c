"""Settings of the portal's own features, one headed section per app."""

from .core import BASE_DIR, PORTAL_NAME, env

# ---------------------------------------------------------------------------------------------
# Learning circles
# ---------------------------------------------------------------------------------------------
# True: a proposed circle waits for a learning admin's approval before it opens for sign-up.
CIRCLES_REQUIRE_APPROVAL = env.bool("CIRCLES_REQUIRE_APPROVAL", default=False)
# Months a finished circle's discussion is kept before it is deleted (published summaries,
# key insights and consented quotes stay).
CIRCLES_DISCUSSION_RETENTION_MONTHS = env.int("CIRCLES_DISCUSSION_RETENTION_MONTHS", default=12)

# ---------------------------------------------------------------------------------------------
# Recognition: badges (Open Badges 3.0 credentials) and peer kudos
# ---------------------------------------------------------------------------------------------
# The badge issuer's private signing key, an RSA JWK in JSON (`manage.py badge_key generate`);
# production requires it, local.py and test.py use a development key. Earlier keys' public
# halves stay in BADGE_RETIRED_KEYS (a JWKS) so credentials signed before a rotation verify.
BADGE_SIGNING_KEY = env("BADGE_SIGNING_KEY", default="")
BADGE_RETIRED_KEYS = env("BADGE_RETIRED_KEYS", default="")
# The development key's file: committed, so `check --deploy` refuses it (recognition.E003).
BADGE_DEVELOPMENT_KEY_FILE = BASE_DIR / "learning_portal/settings/badge_development_key.json"
# The issuer named in each credential: the organization, not the software.
BADGE_ISSUER_NAME = env("BADGE_ISSUER_NAME", default=PORTAL_NAME)
# Kudos one person may send in 24 hours.
KUDOS_DAILY_LIMIT = env.int("KUDOS_DAILY_LIMIT", default=10)

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

# ---------------------------------------------------------------------------------------------
# Integrations (README "Slack and Notion"): each optional, off while its token is empty
# ---------------------------------------------------------------------------------------------
# Slack: the bot token (xoxb-…) posts and reads users' emails; the signing secret verifies
# the Events API's requests. A circle may instead post through an incoming-webhook URL
# (set on its link), which needs neither.
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="")
SLACK_SIGNING_SECRET = env("SLACK_SIGNING_SECRET", default="")
SLACK_API_URL = env("SLACK_API_URL", default="https://slack.com/api/")
# Where a circle's incoming-webhook URL may point: Slack's webhooks only. A facilitator types
# the URL and the worker posts to it, so anything else (an intranet address) is refused.
SLACK_WEBHOOK_URL_PREFIX = env("SLACK_WEBHOOK_URL_PREFIX", default="https://hooks.slack.com/")
# A failed post is retried after 30 s, then doubling, at most SLACK_RETRY_BACKOFF_MAX apart
# (under the broker's visibility timeout, like the email retries), SLACK_MAX_RETRIES times.
SLACK_RETRY_BACKOFF = env.int("SLACK_RETRY_BACKOFF", default=30)
SLACK_RETRY_BACKOFF_MAX = env.int("SLACK_RETRY_BACKOFF_MAX", default=4 * 60)
SLACK_MAX_RETRIES = env.int("SLACK_MAX_RETRIES", default=10)
# Notion: an internal integration's secret (ntn_…), shared with the parent pages it writes to.
NOTION_TOKEN = env("NOTION_TOKEN", default="")
NOTION_API_URL = env("NOTION_API_URL", default="https://api.notion.com")
