"""Slack, behind the portal's own functions: the rest of the code never touches slack_sdk.

The Web API client takes its base URL from settings (SLACK_API_URL), so tests and a staging
setup point it at a local fake; the token, the signing secret and the URL are read when a
call is made, never at import.
"""

import re
from urllib.error import URLError

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

# Seconds one call to Slack may take; the task retries later rather than hold a worker.
TIMEOUT = 10
# Slack's API errors that no retry can mend: the post is marked failed at once.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "no_permission",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
    "no_service",
    "channel_is_archived",
}


class SlackError(Exception):
    """A call to Slack failed; `permanent` when retrying cannot help, `retry_after` (s)
    when Slack said when to come back (rate limits)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


def bot_configured() -> bool:
    return bool(settings.SLACK_BOT_TOKEN)


def webhook_url_allowed(url: str) -> bool:
    """Whether the portal may post to this incoming-webhook URL: Slack's own only
    (settings.SLACK_WEBHOOK_URL_PREFIX), never an address a person picked inside the network."""
    return url.startswith(settings.SLACK_WEBHOOK_URL_PREFIX)


def events_configured() -> bool:
    """Replies can come back only with both: the secret to trust a request, the token to
    learn who wrote (users.info gives the email)."""
    return bool(settings.SLACK_SIGNING_SECRET) and bot_configured()


def _client() -> WebClient:
    return WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL, timeout=TIMEOUT
    )


def _retry_after(headers) -> int | None:
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _api_error(exc: SlackApiError) -> SlackError:
    response = exc.response
    code = response.get("error") if hasattr(response, "get") else None
    status = getattr(response, "status_code", None)
    return SlackError(
        f"Slack answered {status}: {code or 'error'}",
        permanent=code in PERMANENT_ERRORS,
        retry_after=_retry_after(getattr(response, "headers", None)),
    )


def post_message(*, channel: str, text: str, blocks: list, webhook_url: str = "") -> str:
    """Post to a channel; returns the message's `ts` ("" through a webhook, which tells none).

    Raises SlackError.
    """
    try:
        if webhook_url:
            if not webhook_url_allowed(webhook_url):
                raise SlackError("The webhook URL is not Slack's.", permanent=True)
            response = WebhookClient(webhook_url, timeout=TIMEOUT).send(text=text, blocks=blocks)
            if response.status_code != 200:
                raise SlackError(
                    f"The webhook answered {response.status_code}: {response.body[:200]}",
                    permanent=response.status_code in (403, 404, 410),
                    retry_after=_retry_after(response.headers),
                )
            return ""
        response = _client().chat_postMessage(
            channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        return response["ts"]
    except SlackApiError as exc:
        raise _api_error(exc) from exc
    except (SlackClientError, URLError, OSError) as exc:
        raise SlackError(f"Slack did not answer: {exc}") from exc


def channel_info(channel_id: str) -> dict:
    """{"id", "name", "is_member", "is_private"} of a channel the bot can see.

    Raises SlackError.
    """
    try:
        channel = _client().conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        raise _api_error(exc) from exc
    except (SlackClientError, URLError, OSError) as exc:
        raise SlackError(f"Slack did not answer: {exc}") from exc
    return {
        "id": channel["id"],
        "name": channel.get("name", ""),
        "is_member": bool(channel.get("is_member")),
        "is_private": bool(channel.get("is_private")),
    }


def channel_join(channel_id: str) -> None:
    """The bot joins a public channel (a private one must invite it). Raises SlackError."""
    try:
        _client().conversations_join(channel=channel_id)
    except SlackApiError as exc:
        raise _api_error(exc) from exc
    except (SlackClientError, URLError, OSError) as exc:
        raise SlackError(f"Slack did not answer: {exc}") from exc


def user_email(user_id: str) -> str | None:
    """The email on a Slack user's profile (needs the users:read.email scope); None for
    bots, deleted accounts and users Slack does not know. Raises SlackError when Slack
    does not answer."""
    try:
        user = _client().users_info(user=user_id)["user"]
    except SlackApiError as exc:
        error = _api_error(exc)
        if "user_not_found" in str(error):
            return None
        raise error from exc
    except (SlackClientError, URLError, OSError) as exc:
        raise SlackError(f"Slack did not answer: {exc}") from exc
    if user.get("is_bot") or user.get("deleted"):
        return None
    return (user.get("profile") or {}).get("email") or None


def signature_valid(*, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's request signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
    secret, and a timestamp within five minutes of now (an old request replayed fails)."""
    if not settings.SLACK_SIGNING_SECRET or not timestamp or not signature:
        return False
    if not timestamp.isdigit():
        return False
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET)
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


# --- Slack's mrkdwn and the portal's Markdown ----------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_SLACK_BARE_LINK = re.compile(r"<(https?://[^|>]+)>")
_SLACK_MENTION = re.compile(r"<[@#!][^>]*>")
_SLACK_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")


def mrkdwn_escape(text: str) -> str:
    """Plain text for a mrkdwn field: Slack reads `<…>` as markup (`<!channel>` notifies the
    whole channel, `<url|text>` is a link that shows only its text), so &, < and > are
    escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_from_markdown(text: str) -> str:
    """The portal's Markdown as Slack's mrkdwn: links and bold differ, the rest reads the same."""
    # Slack reads & and < as markup: escaped first, then the links are written as markup.
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _MD_LINK.sub(r"<\2|\1>", text)
    return _MD_BOLD.sub(r"*\1*", text)


def markdown_from_slack(text: str) -> str:
    """A Slack message's text as the portal's Markdown: links, bold and the HTML escapes
    Slack uses; mentions of Slack users and channels (meaningless on the portal) dropped."""
    text = _SLACK_LINK.sub(r"[\2](\1)", text)
    text = _SLACK_BARE_LINK.sub(r"\1", text)
    text = _SLACK_MENTION.sub("", text)
    text = _SLACK_BOLD.sub(r"**\1**", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()
