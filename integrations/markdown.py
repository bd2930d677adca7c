"""The Markdown files of a circle's archive for Notion: one page for the whole archive and
one per published week. The same files are pushed through the API and offered as a
download ("Download for Notion") for Notion's Markdown import."""

import io
import zipfile
from dataclasses import dataclass

from circles.exporting import archive_markdown, week_markdown
from circles.models import Circle
from circles.selectors import circle_archive_weeks
from notifications.services import absolute_url


@dataclass(frozen=True)
class NotionFile:
    week: int  # 0: the whole archive
    filename: str
    title: str
    body: str

    @property
    def text(self) -> str:
        """The file as Notion's import reads it: the first heading is the page's title."""
        return f"# {self.title}\n\n{self.body}\n"


def _without_title(markdown: str) -> str:
    first, _, rest = markdown.partition("\n")
    return rest.strip() if first.startswith("# ") else markdown.strip()


def archive_file(circle: Circle) -> NotionFile:
    return NotionFile(
        week=0,
        filename=f"{circle.slug}.md",
        title=circle.title,
        body=_without_title(archive_markdown(circle=circle)),
    )


def week_files(circle: Circle, *, week: int | None = None) -> list[NotionFile]:
    """A file per week whose summary is published (or only `week`'s)."""
    source = absolute_url(circle.get_absolute_url())
    files = []
    for entry in circle_archive_weeks(circle=circle):
        if entry.wrapup is None or (week is not None and entry.week.week != week):
            continue
        files.append(
            NotionFile(
                week=entry.week.week,
                filename=f"{circle.slug}-week-{entry.week.week:02d}.md",
                title=f"{circle.title} — week {entry.week.week}: {entry.week.title}",
                body=f"{week_markdown(entry)}\n\nSource: {source}",
            )
        )
    return files


def archive_zip(circle: Circle) -> bytes:
    """The archive page and the week pages, as the ZIP Notion's Markdown import takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in [archive_file(circle), *week_files(circle)]:
            archive.writestr(file.filename, file.text)
    return buffer.getvalue()
