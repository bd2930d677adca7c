"""A Slack export (the ZIP Slack's admins download) of a circle's channel, into its
discussion: previewed first, then applied; each message (by its `ts`) imported once.

The ZIP holds `channels.json`, `users.json` and one folder per channel with a file per day
(`<channel>/YYYY-MM-DD.json`). A message goes into the week whose meeting it led up to (the
first meeting at or after it), a reply in a Slack thread becomes a reply to the thread's
first message, and the author is the employee with the email Slack's `users.json` gives.
A ZIP that cannot be read as such is refused whole, with nothing written; a message that
cannot be imported (an author not in the HR feed or not a member) is reported by its row
and the rest go in. The report is the kernel's import report, as for the CSV importers.
"""

import datetime
import io
import json
import re
import zipfile

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from circles.models import Circle, Meeting, Post, Thread
from circles.services import post_create
from learning_portal.core.csvfiles.report import ImportReport, RowAction, RowResult
from people.models import User

from .. import slack
from ..models import SlackChannelLink, SlackMessage, SlackPost
from .slack import require_manager

# Past this much uncompressed data the file is refused before it is read (a ZIP bomb).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
_DAY_FILE = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})\.json$")

EXPORT_NOT_ZIP = "This is not a ZIP file. Upload the ZIP that Slack's export gives, unchanged."
EXPORT_TOO_LARGE = "The export unpacks to more than 200 MB; export only the circle's channel."
EXPORT_MISSING_FILE = "The ZIP has no {name} at its top level: upload the export as Slack made it."
EXPORT_BAD_JSON = "{name} is not valid JSON ({error})."
EXPORT_BAD_SHAPE = "{name} does not look like a Slack export file: {what}."
EXPORT_CHANNEL_UNKNOWN = (
    "The export has no channel “{channel}”, the one this circle is linked to. Export that "
    "channel, or choose another."
)
EXPORT_CHANNEL_MISSING = "The export holds several channels ({names}): choose the circle's."
EXPORT_NO_MESSAGES = "The export has no messages in #{name}."
ROW_NOT_EMPLOYEE = "{who} is not in the HR feed (no employee with that email)."
ROW_NO_EMAIL = "{who} has no email in users.json (a bot, or the export lacks emails)."
ROW_NO_WEEK = "No week's discussion on the portal for {day}: it is not open yet."
ROW_ORPHAN_REPLY = "A reply to a message that was not imported."
ROW_TAKEN = "Imported at the same time by another import."
ROW_DELETED = "Deleted from the portal's discussion since it was imported: not imported again."

# Messages that are someone writing; joins, topic changes and bots are left out of the rows.
WRITTEN_SUBTYPES = {None, "thread_broadcast", "file_share"}


class ExportError(Exception):
    pass


def _read_json(archive: zipfile.ZipFile, name: str):
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(EXPORT_BAD_JSON.format(name=name, error=exc)) from exc


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ExportError(EXPORT_NOT_ZIP) from exc
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ExportError(EXPORT_TOO_LARGE)
    names = {info.filename for info in infos}
    for required in ("channels.json", "users.json"):
        if required not in names:
            raise ExportError(EXPORT_MISSING_FILE.format(name=required))
    return archive


def _channel(channels, *, link: SlackChannelLink | None, chosen: str) -> dict:
    if not isinstance(channels, list) or not all(
        isinstance(c, dict) and c.get("id") and c.get("name") for c in channels
    ):
        raise ExportError(
            EXPORT_BAD_SHAPE.format(
                name="channels.json", what="a list of channels with id and name"
            )
        )
    wanted = link.channel_id if link else chosen.strip().lstrip("#")
    if wanted:
        for channel in channels:
            if wanted in (channel["id"], channel["name"]):
                return channel
        raise ExportError(EXPORT_CHANNEL_UNKNOWN.format(channel=wanted))
    if len(channels) == 1:
        return channels[0]
    names = ", ".join(sorted(f"#{c['name']}" for c in channels))
    raise ExportError(EXPORT_CHANNEL_MISSING.format(names=names))


def _emails(users) -> dict[str, tuple[str, str]]:
    if not isinstance(users, list) or not all(isinstance(u, dict) and u.get("id") for u in users):
        raise ExportError(
            EXPORT_BAD_SHAPE.format(name="users.json", what="a list of users with id")
        )
    found = {}
    for user in users:
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or user["id"]
        found[user["id"]] = ((profile.get("email") or "").strip().lower(), name)
    return found


def _messages(archive: zipfile.ZipFile, channel: dict) -> list[tuple[str, dict]]:
    """(day, message) of the channel's folder, oldest first; raises ExportError."""
    prefix = f"{channel['name']}/"
    found = []
    for name in sorted(archive.namelist()):
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        match = _DAY_FILE.match(name[len(prefix) :])
        if not match:
            continue
        day = _read_json(archive, name)
        if not isinstance(day, list) or not all(isinstance(m, dict) and m.get("ts") for m in day):
            raise ExportError(EXPORT_BAD_SHAPE.format(name=name, what="a list of messages with ts"))
        for message in day:
            if message.get("type", "message") != "message":
                continue
            if message.get("subtype") not in WRITTEN_SUBTYPES or message.get("bot_id"):
                continue
            found.append((match["day"], message))
    if not found:
        raise ExportError(EXPORT_NO_MESSAGES.format(name=channel["name"]))
    found.sort(key=lambda pair: float(pair[1]["ts"]))
    return found


def _at(ts: str) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(float(ts), tz=datetime.UTC)


class _Weeks:
    """Which week's thread a top-level message led up to, by the meeting times."""

    def __init__(self, circle: Circle):
        self.meetings = list(
            Meeting.objects.filter(circle=circle)
            .order_by("starts_at")
            .values_list("week", "starts_at")
        )
        self.threads = {t.week: t for t in Thread.objects.filter(circle=circle)}

    def thread_at(self, when: datetime.datetime) -> Thread | None:
        if not self.meetings:
            return None
        week = next((w for w, starts in self.meetings if starts >= when), self.meetings[-1][0])
        return self.threads.get(week)


def slack_export_import(
    *, circle: Circle, actor: User, data: bytes, dry_run: bool, channel: str = ""
) -> ImportReport:
    """Import (or, with `dry_run`, preview) the circle's channel from a Slack export.

    The channel is the circle's linked channel, else `channel` (an ID or a name), else the
    export's only channel. A message already imported (same channel and ts) is reported
    unchanged, so applying the same export again changes nothing. Mentions are not emailed
    for imported history. A preview runs every check and writes, then rolls back, so it
    reports what applying would do.

    Raises ValidationError: LINK_NOT_ALLOWED. Problems with the file are the report's
    `file_error` (nothing written); problems with a message are its row's errors.
    """
    require_manager(circle=circle, actor=actor)
    report = ImportReport(kind="Slack export", dry_run=dry_run)
    link = SlackChannelLink.objects.filter(circle=circle).first()
    try:
        archive = _open(data)
        source = _channel(_read_json(archive, "channels.json"), link=link, chosen=channel)
        people = _emails(_read_json(archive, "users.json"))
        messages = _messages(archive, source)
    except ExportError as exc:
        report.file_error = str(exc)
        return report
    channel_id = source["id"]
    emails = {email for email, _ in people.values() if email}
    employees = {
        u.email.lower(): u
        for u in User.objects.filter(is_active=True, employee__isnull=False).filter(
            email__in=emails
        )
    }
    with transaction.atomic():
        weeks = _Weeks(circle)
        for number, (day, message) in enumerate(messages, start=1):
            report.add(
                _import_message(
                    number=number,
                    day=day,
                    message=message,
                    channel_id=channel_id,
                    circle=circle,
                    people=people,
                    employees=employees,
                    weeks=weeks,
                )
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _parent_of(
    *, circle: Circle, channel_id: str, thread_ts: str
) -> tuple[Thread, Post | None] | None:
    ours = SlackMessage.objects.filter(
        channel_id=channel_id, ts=thread_ts, circle=circle, week__isnull=False
    ).first()
    if ours is not None:
        thread = Thread.objects.filter(circle=circle, week=ours.week).first()
        return (thread, None) if thread else None
    known = (
        SlackPost.objects.filter(channel_id=channel_id, ts=thread_ts)
        .select_related("post__parent", "post__thread")
        .first()
    )
    if known is None or known.post is None or known.post.thread.circle_id != circle.pk:
        return None
    return known.post.thread, known.post.parent or known.post


def _import_message(
    *, number, day, message, channel_id, circle, people, employees, weeks
) -> RowResult:
    ts = str(message["ts"])
    key = f"{_at(ts):%Y-%m-%d %H:%M} UTC"
    known = SlackPost.objects.filter(channel_id=channel_id, ts=ts).values_list("post_id").first()
    if known is not None:
        # Its post may have been deleted since (by its author, or by retention): an
        # export is never a way to bring back what was taken out of the discussion.
        notes = [] if known[0] else [ROW_DELETED]
        return RowResult(number, key, RowAction.UNCHANGED, notes=notes)
    user_id = message.get("user", "")
    email, who = people.get(user_id, ("", user_id or "An unknown user"))
    if not email:
        return RowResult(number, key, RowAction.ERROR, errors=[ROW_NO_EMAIL.format(who=who)])
    author = employees.get(email)
    if author is None:
        return RowResult(number, key, RowAction.ERROR, errors=[ROW_NOT_EMPLOYEE.format(who=who)])
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != ts:
        target = _parent_of(circle=circle, channel_id=channel_id, thread_ts=str(thread_ts))
        if target is None:
            return RowResult(number, key, RowAction.ERROR, errors=[ROW_ORPHAN_REPLY])
        thread, parent = target
    else:
        thread, parent = weeks.thread_at(_at(ts)), None
        if thread is None:
            return RowResult(number, key, RowAction.ERROR, errors=[ROW_NO_WEEK.format(day=day)])
    try:
        with transaction.atomic():
            post = post_create(
                thread=thread,
                author=author,
                body=slack.markdown_from_slack(str(message.get("text", ""))),
                parent=parent,
                source=Post.Source.SLACK,
                created_at=_at(ts),
                notify_mentions=False,
            )
            SlackPost.objects.create(channel_id=channel_id, ts=ts, post=post, imported=True)
    except ValidationError as exc:
        return RowResult(number, key, RowAction.ERROR, errors=exc.messages)
    except IntegrityError:
        return RowResult(number, key, RowAction.ERROR, errors=[ROW_TAKEN])
    return RowResult(
        number,
        key,
        RowAction.CREATE,
        notes=[f"week {thread.week}" + (", a reply" if parent else "")],
    )
