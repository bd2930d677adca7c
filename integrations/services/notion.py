"""A circle's archive in Notion: the link to a parent page or database, and its pages,
created once and then updated in place (the page ID is kept)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from circles.models import Circle
from notifications.services import outbox_schedule
from people.models import User

from .. import markdown, notion
from ..models import NotionLink, NotionPage
from .slack import require_manager

logger = logging.getLogger(__name__)

PUBLISH_WEEK_TASK = "integrations.tasks.publish_notion_week"
PUSH_ARCHIVE_TASK = "integrations.tasks.push_notion_archive"

NOTION_NOT_CONFIGURED = (
    "This portal has no Notion integration (NOTION_TOKEN): use “Download for Notion” and "
    "import the files in Notion, or ask an administrator to set it up."
)
NOTION_PARENT_INVALID = (
    "Paste the link of a Notion page or database (Share → Copy link), or its 32-character ID."
)
NOTION_PARENT_UNREACHABLE = (
    "The portal's Notion integration cannot open that {kind}. In Notion, open it, choose "
    "••• → Connections and add the integration, then try again. ({error})"
)
NOTION_NOT_LINKED = "The circle is not linked to Notion."


def notion_link_save(*, circle: Circle, actor: User, parent: str, kind: str) -> NotionLink:
    """Link the circle to a Notion parent page or database (a link or an ID), checked with
    Notion before it is saved. Call it outside a transaction (it calls Notion first).

    Raises ValidationError: LINK_NOT_ALLOWED, NOTION_NOT_CONFIGURED, NOTION_PARENT_INVALID,
    NOTION_PARENT_UNREACHABLE.
    """
    require_manager(circle=circle, actor=actor)
    if not notion.configured():
        raise ValidationError(NOTION_NOT_CONFIGURED)
    kind = NotionLink.ParentKind(kind)
    parent_id = notion.parse_id(parent)
    if parent_id is None:
        raise ValidationError(NOTION_PARENT_INVALID)
    try:
        title = notion.parent_title(kind=kind, parent_id=parent_id)
    except notion.NotionError as exc:
        label = "database" if kind == NotionLink.ParentKind.DATABASE else "page"
        raise ValidationError(NOTION_PARENT_UNREACHABLE.format(kind=label, error=exc)) from exc
    with transaction.atomic():
        link, _ = NotionLink.objects.update_or_create(
            circle=circle,
            defaults={
                "parent_kind": kind,
                "parent_id": parent_id,
                "parent_title": title[:300],
                "linked_by": actor,
                "linked_at": timezone.now(),
                "last_error": "",
            },
        )
        # Pages under another parent are not moved: the next push creates them anew.
        NotionPage.objects.filter(circle=circle).exclude(parent_id=parent_id).delete()
    return link


@transaction.atomic
def notion_link_remove(*, circle: Circle, actor: User) -> None:
    """Unlink the circle from Notion. Its pages stay in Notion, as they are.

    Raises ValidationError: LINK_NOT_ALLOWED.
    """
    require_manager(circle=circle, actor=actor)
    NotionLink.objects.filter(circle=circle).delete()
    NotionPage.objects.filter(circle=circle).delete()


def notion_week_schedule(*, circle_id: int, week: int) -> bool:
    """A week of the archive changed: its page is written (or trashed, when the week is no
    longer published) after the commit, when the circle is linked to Notion. Call it inside
    the transaction of the change."""
    if not notion.configured() or not NotionLink.objects.filter(circle_id=circle_id).exists():
        return False
    outbox_schedule(task=PUBLISH_WEEK_TASK, args=[circle_id, week])
    return True


def _upsert(*, link: NotionLink, file: markdown.NotionFile) -> NotionPage:
    page = NotionPage.objects.filter(circle_id=link.circle_id, week=file.week).first()
    if page is not None:
        try:
            notion.page_replace(page_id=page.page_id, title=file.title, markdown=file.body)
        except notion.NotionError as exc:
            if not exc.not_found:
                raise
            # Deleted in Notion (or no longer shared): written anew, and the new ID kept.
            page.delete()
            page = None
        else:
            page.updated_at = timezone.now()
            page.save(update_fields=["updated_at"])
            return page
    page_id, url = notion.page_create(
        parent_kind=link.parent_kind, parent_id=link.parent_id, title=file.title, markdown=file.body
    )
    return NotionPage.objects.create(
        circle_id=link.circle_id, week=file.week, page_id=page_id, url=url, parent_id=link.parent_id
    )


def _trash_unpublished(*, link: NotionLink, published: set[int]) -> notion.NotionError | None:
    """Move to Notion's trash the pages of weeks no longer published, whichever week this
    push is for: what the archive took out leaves Notion too, and a trash that failed
    before is tried again by the next push. The archive's own page (week 0) is left.

    Page by page: one that cannot be trashed keeps its row (the next push tries again) and
    its error is returned, the others go on.
    """
    first_error = None
    stale = NotionPage.objects.filter(circle_id=link.circle_id).exclude(week=0)
    for page in stale.exclude(week__in=published):
        try:
            notion.page_trash(page_id=page.page_id)
        except notion.NotionError as exc:
            first_error = first_error or notion.NotionError(
                f"Week {page.week}'s page could not be moved to Notion's trash: {exc}",
                permanent=exc.permanent,
            )
            continue
        page.delete()
    return first_error


def _push(circle_id: int, *, week: int | None) -> list[NotionPage]:
    # The link's row lock makes one push at a time per circle, so two publications of the
    # same week never create two pages. Notion is called under it: each call is short and
    # bounded by notion.TIMEOUT_MS.
    with transaction.atomic():
        link = (
            NotionLink.objects.select_for_update(of=("self",))
            .select_related("circle")
            .filter(circle_id=circle_id)
            .first()
        )
        if link is None or not notion.configured():
            return []
        circle = link.circle
        files = markdown.week_files(circle)
        published = {file.week for file in files}
        if week is not None:
            files = [file for file in files if file.week == week]
        # The archive's own page holds every week too: once pushed, it follows each change.
        if week is None or NotionPage.objects.filter(circle_id=circle_id, week=0).exists():
            files.insert(0, markdown.archive_file(circle))
        pages = []
        error = _trash_unpublished(link=link, published=published)
        try:
            for file in files:
                pages.append(_upsert(link=link, file=file))
        except notion.NotionError as exc:
            error = exc
        # Committed also on an error: the pages written before it keep their IDs, so the
        # retry updates them rather than creating them twice.
        if error is None:
            NotionLink.objects.filter(pk=link.pk).update(pushed_at=timezone.now(), last_error="")
        else:
            NotionLink.objects.filter(pk=link.pk).update(last_error=str(error)[:500])
    if error is not None:
        raise error
    return pages


def notion_week_publish(*, circle_id: int, week: int) -> list[NotionPage]:
    """Create or update (by its stored page ID) the Notion page of one published week, or
    move it to Notion's trash when the week's summary is no longer published.

    Nothing when the circle is no longer linked.
    Raises NotionError (the link keeps it as its last error) for the task to retry.
    """
    return _push(circle_id, week=week)


def notion_archive_push(*, circle_id: int) -> list[NotionPage]:
    """Push the whole archive: its own page and each published week's, created or updated;
    pages of weeks taken out of the archive are moved to Notion's trash.

    Raises NotionError (the link keeps it as its last error) for the task to retry.
    """
    return _push(circle_id, week=None)


@transaction.atomic
def notion_archive_schedule(*, circle: Circle, actor: User) -> None:
    """The facilitator's "Push the archive to Notion": queued, written by a task.

    Raises ValidationError: LINK_NOT_ALLOWED, NOTION_NOT_CONFIGURED, NOTION_NOT_LINKED.
    """
    require_manager(circle=circle, actor=actor)
    if not notion.configured():
        raise ValidationError(NOTION_NOT_CONFIGURED)
    if not NotionLink.objects.filter(circle=circle).exists():
        raise ValidationError(NOTION_NOT_LINKED)
    outbox_schedule(task=PUSH_ARCHIVE_TASK, args=[circle.pk])
