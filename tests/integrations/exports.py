"""Slack exports written by hand, as Slack lays them out: channels.json, users.json and a
file per channel and day."""

import datetime as dt
import io
import json
import zipfile

USERS = [
    {"id": "U0ADA", "name": "ada", "profile": {"real_name": "Ada L", "email": "ada@example.org"}},
    {
        "id": "U0GRACE",
        "name": "grace",
        "profile": {"real_name": "Grace H", "email": "grace@example.org"},
    },
    {
        "id": "U0OUT",
        "name": "out",
        "profile": {"real_name": "Out Sider", "email": "out@elsewhere.com"},
    },
    {"id": "U0BOT", "name": "bot", "is_bot": True, "profile": {"real_name": "Bot"}},
]
CHANNELS = [{"id": "C0CIRCLE1", "name": "purple-cow"}, {"id": "C0RANDOM", "name": "random"}]


def ts_at(when: dt.datetime, n: int = 0) -> str:
    return f"{int(when.timestamp())}.{n:06d}"


def export_zip(
    days: dict[str, list[dict]],
    *,
    channels=CHANNELS,
    users=USERS,
    channel="purple-cow",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", json.dumps(channels))
        archive.writestr("users.json", json.dumps(users))
        for day, messages in days.items():
            archive.writestr(f"{channel}/{day}.json", json.dumps(messages))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def message(user: str, text: str, ts: str, **extra) -> dict:
    return {"type": "message", "user": user, "text": text, "ts": ts, **extra}


def history(circle):
    """Two days of a channel before the first meeting: a thread, a join, a bot, an outsider."""
    first = circle.meetings.get(week=1).starts_at
    day1, day2 = first - dt.timedelta(days=3), first - dt.timedelta(days=2)
    top = ts_at(day1, 1)
    return export_zip(
        {
            day1.date().isoformat(): [
                message("U0ADA", "What makes a *purple cow*?", top, thread_ts=top),
                message("U0GRACE", "Being worth talking about", ts_at(day1, 2), thread_ts=top),
                message("U0ADA", "joined", ts_at(day1, 3), subtype="channel_join"),
            ],
            day2.date().isoformat(): [
                message("U0OUT", "I am not on staff", ts_at(day2, 1)),
                {"type": "message", "bot_id": "B1", "text": "beep", "ts": ts_at(day2, 2)},
                message("U0GRACE", "Safe is risky", ts_at(day2, 3)),
            ],
        }
    )
