import hashlib
import hmac
import json
import time

import httpx
import pytest

from integrations import notion
from tests.integrations.fake_notion import FakeNotion
from tests.integrations.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"  # noqa: S105


@pytest.fixture
def fake_slack(settings):
    """The portal's Slack app, configured against a local fake Slack."""
    fake = FakeSlack().start()
    fake.add_channel("C0CIRCLE1", "purple-cow")
    settings.SLACK_API_URL = fake.api_url
    settings.SLACK_WEBHOOK_URL_PREFIX = f"{fake.url}/services/"
    settings.SLACK_BOT_TOKEN = "xoxb-test-token"  # noqa: S105
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_RETRY_BACKOFF = 1
    settings.SLACK_RETRY_BACKOFF_MAX = 1
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_notion(settings, monkeypatch):
    """Notion's API as an httpx.MockTransport over an in-memory set of pages."""
    fake = FakeNotion()
    settings.NOTION_TOKEN = "ntn_test_token"  # noqa: S105
    monkeypatch.setattr(notion, "_http_client", lambda: httpx.Client(transport=fake.transport))
    return fake


def signed(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """The headers Slack sends with a request: its timestamp and v0 signature."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp), "HTTP_X_SLACK_SIGNATURE": signature}


def message_event(
    *,
    event_id: str,
    text: str,
    user: str = "U0MEMBER",
    ts: str,
    thread_ts=None,
    channel: str = "C0CIRCLE1",
    **extra,
) -> bytes:
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return json.dumps(
        {"type": "event_callback", "team_id": "T000", "event_id": event_id, "event": event}
    ).encode()
