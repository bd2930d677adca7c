"""Notion, behind the portal's own functions: the rest of the code never touches notion-client.

Pages are written with Notion's Markdown endpoints (a page created from a `markdown` body,
its content replaced whole), so what Notion shows is the Markdown the portal also offers
as a download. The token and the API URL are read when a call is made, never at import.
"""

import re
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from notion_client import Client
from notion_client.errors import APIResponseError, HTTPResponseError, RequestTimeoutError

# Milliseconds one call may take; the task retries later rather than hold a worker.
TIMEOUT_MS = 10_000
# A Notion ID: 32 hex digits, with or without dashes, alone or at the end of a page's URL.
_NOTION_ID = re.compile(r"([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$")
# Notion's errors that no retry can mend.
PERMANENT_CODES = {"unauthorized", "restricted_resource", "validation_error", "invalid_json"}


class NotionError(Exception):
    """A call to Notion failed. `not_found`: the page is gone (deleted, or no longer shared
    with the integration); `permanent`: retrying cannot help."""

    def __init__(self, message: str, *, not_found: bool = False, permanent: bool = False):
        super().__init__(message)
        self.not_found = not_found
        self.permanent = permanent or not_found


def configured() -> bool:
    return bool(settings.NOTION_TOKEN)


def parse_id(value: str) -> str | None:
    """The dashed ID in a Notion page's URL or an ID pasted as it is; None if there is none."""
    # A URL's query (?pvs=…) and the title before the ID in its last segment are not it.
    last = urlsplit(value.strip()).path.rstrip("/").rsplit("/", 1)[-1]
    found = _NOTION_ID.search(last.lower().replace("-", ""))
    return "-".join(found.groups()) if found else None


def _http_client() -> httpx.Client:
    return httpx.Client()


def _client() -> Client:
    # No retries inside the client: a Celery task retries with backoff, without holding a
    # worker asleep.
    return Client(
        client=_http_client(),
        auth=settings.NOTION_TOKEN,
        base_url=settings.NOTION_API_URL.rstrip("/"),
        timeout_ms=TIMEOUT_MS,
        retry=False,
    )


def _call(method, *args, **kwargs) -> dict:
    try:
        return method(*args, **kwargs)
    except APIResponseError as exc:
        raise NotionError(
            f"Notion answered {exc.status}: {exc.code}",
            not_found=exc.status == 404,
            permanent=exc.code in PERMANENT_CODES,
        ) from exc
    except (HTTPResponseError, RequestTimeoutError, httpx.HTTPError) as exc:
        raise NotionError(f"Notion did not answer: {exc}") from exc


def _parent(kind: str, parent_id: str) -> dict:
    return {"database_id": parent_id} if kind == "database" else {"page_id": parent_id}


def parent_title(*, kind: str, parent_id: str) -> str:
    """The title of a parent page or database the integration may write to.

    Raises NotionError (not_found when it is not shared with the integration).
    """
    client = _client()
    if kind == "database":
        found = _call(client.databases.retrieve, parent_id)
        parts = found.get("title") or []
    else:
        found = _call(client.pages.retrieve, parent_id)
        parts = next(
            (
                p.get("title") or []
                for p in (found.get("properties") or {}).values()
                if p.get("type") == "title"
            ),
            [],
        )
    return "".join(part.get("plain_text", "") for part in parts) or "Untitled"


def _title(title: str) -> dict:
    # "title" is the ID of every page's title property, under a page or in a database.
    return {"title": {"title": [{"type": "text", "text": {"content": title[:2000]}}]}}


def page_create(*, parent_kind: str, parent_id: str, title: str, markdown: str) -> tuple[str, str]:
    """A new page under the parent with this title and content; returns its (id, url).

    Raises NotionError.
    """
    page = _call(
        _client().pages.create,
        parent=_parent(parent_kind, parent_id),
        properties=_title(title),
        markdown=markdown,
    )
    return page["id"], page.get("url", "")


def page_replace(*, page_id: str, title: str, markdown: str) -> None:
    """Give a page this title and replace its whole content.

    Raises NotionError (not_found when the page is gone or in Notion's trash).
    """
    client = _client()
    page = _call(client.pages.update, page_id, properties=_title(title))
    if page.get("in_trash") or page.get("archived"):
        raise NotionError("The page is in Notion's trash.", not_found=True)
    _call(
        client.pages.update_markdown,
        page_id,
        type="replace_content",
        replace_content={"new_str": markdown},
    )


def page_trash(*, page_id: str) -> None:
    """Move a page to Notion's trash (where a workspace admin can still restore it for 30
    days). A page already gone or no longer shared counts as done.

    Raises NotionError.
    """
    try:
        _call(_client().pages.update, page_id, in_trash=True)
    except NotionError as exc:
        if not exc.not_found:
            raise
