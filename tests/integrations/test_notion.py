import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from circles import services as circles
from integrations import markdown, notion, services, tasks
from integrations.models import NotionLink, NotionPage
from tests.integrations.helpers import member_of, running_circle

pytestmark = pytest.mark.django_db(transaction=True)

PARENT = "https://www.notion.so/acme/Learning-circles-1f2e3d4c5b6a79881f2e3d4c5b6a7988"
PARENT_ID = "1f2e3d4c-5b6a-7988-1f2e-3d4c5b6a7988"


def publish(circle, *, summary="Safe is risky.", insights="Be remarkable", week=1):
    meeting = circle.meetings.get(week=week)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        return circles.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            summary=summary,
            insights=insights,
            publish=True,
        )


@pytest.fixture
def linked(fake_notion):
    circle = running_circle()
    services.notion_link_save(circle=circle, actor=circle.proposed_by, parent=PARENT, kind="page")
    return circle


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PARENT, PARENT_ID),
        (PARENT_ID, PARENT_ID),
        ("1F2E3D4C5B6A79881F2E3D4C5B6A7988", PARENT_ID),
        ("https://www.notion.so/acme/Page-1f2e3d4c5b6a79881f2e3d4c5b6a7988?pvs=4", PARENT_ID),
        ("not a page", None),
    ],
)
def test_a_notion_link_or_id_gives_the_page_id(value, expected):
    assert notion.parse_id(value) == expected


def test_linking_checks_the_parent_with_notion(fake_notion):
    circle = running_circle()
    link = services.notion_link_save(
        circle=circle, actor=circle.proposed_by, parent=PARENT, kind="page"
    )
    assert (link.parent_id, link.parent_title) == (PARENT_ID, "Learning circles")

    with pytest.raises(ValidationError) as error:
        services.notion_link_save(
            circle=circle,
            actor=circle.proposed_by,
            parent="00000000000000000000000000000000",
            kind="page",
        )
    assert "cannot open that page" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.notion_link_save(circle=circle, actor=circle.proposed_by, parent="x", kind="page")
    assert error.value.messages == [services.NOTION_PARENT_INVALID]


def test_without_a_token_linking_says_how_to_use_the_download(settings):
    settings.NOTION_TOKEN = ""
    circle = running_circle()
    with pytest.raises(ValidationError) as error:
        services.notion_link_save(
            circle=circle, actor=circle.proposed_by, parent=PARENT, kind="page"
        )
    assert error.value.messages == [services.NOTION_NOT_CONFIGURED]


def test_publishing_a_summary_creates_the_weeks_page_once_then_updates_it(linked, fake_notion):
    publish(linked, summary="First take.")
    [page] = NotionPage.objects.all()
    assert page.week == 1
    stored = fake_notion.pages[page.page_id]
    assert stored["parent"] == PARENT_ID
    assert stored["title"] == "Purple Cow circle — week 1: " + linked.plan.get(week=1).title
    assert stored["markdown"].startswith("First take.\n\n**Key insights**\n\n- Be remarkable")

    publish(linked, summary="Second take.")  # unpublish-free re-save: no new publication
    tasks.publish_notion_week(linked.pk, 1)
    tasks.publish_notion_week(linked.pk, 1)

    assert NotionPage.objects.count() == 1
    assert len(fake_notion.pages) == 1
    assert fake_notion.pages[page.page_id]["markdown"].startswith("Second take.")
    assert [r for r in fake_notion.requests if r == ("POST", "pages")] == [("POST", "pages")]


def test_a_page_deleted_in_notion_is_created_again_and_its_new_id_kept(linked, fake_notion):
    publish(linked)
    old = NotionPage.objects.get()
    del fake_notion.pages[old.page_id]

    tasks.publish_notion_week(linked.pk, 1)

    new = NotionPage.objects.get()
    assert new.page_id != old.page_id
    assert new.page_id in fake_notion.pages


def test_the_whole_archive_is_pushed_with_its_own_page_and_each_weeks(linked, fake_notion):
    member_of(linked)
    publish(linked, week=1)
    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)
    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)

    pages = {p.week: p for p in NotionPage.objects.all()}
    assert set(pages) == {0, 1}
    assert len(fake_notion.pages) == 2
    archive = fake_notion.pages[pages[0].page_id]
    assert archive["title"] == "Purple Cow circle"
    assert "## Week 1:" in archive["markdown"]
    assert "## Week 2:" in archive["markdown"]
    assert NotionLink.objects.get().pushed_at is not None


def test_a_failed_push_is_kept_as_the_links_last_error_and_pages_written_stay(linked, fake_notion):
    publish(linked)  # the week's page exists
    fake_notion.fail_next = [503]
    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)

    link = NotionLink.objects.get()
    assert "503" in link.last_error
    assert NotionPage.objects.filter(week=1).exists()

    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)
    assert NotionLink.objects.get().last_error == ""
    assert NotionPage.objects.count() == 2


def test_circles_not_linked_to_notion_send_nothing(fake_notion):
    circle = running_circle()
    publish(circle)
    assert fake_notion.requests == []


def test_the_download_for_notion_has_the_archive_and_each_published_week():
    circle = running_circle()
    publish(circle)
    files = [markdown.archive_file(circle), *markdown.week_files(circle)]
    assert [f.filename for f in files] == [
        f"{circle.slug}.md",
        f"{circle.slug}-week-01.md",
    ]
    assert files[1].text.startswith("# Purple Cow circle — week 1:")
    assert "Safe is risky." in files[1].text


def unpublish(circle, *, week=1):
    meeting = circle.meetings.get(week=week)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=10)):
        return circles.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Draft again."
        )


def test_a_correction_to_a_published_summary_reaches_notion_by_itself(linked, fake_notion):
    publish(linked, summary="First take.")
    page = NotionPage.objects.get()

    publish(linked, summary="Corrected take.")

    assert fake_notion.pages[page.page_id]["markdown"].startswith("Corrected take.")
    assert NotionPage.objects.get().page_id == page.page_id


def test_a_summary_taken_out_of_the_archive_leaves_notion_too(linked, fake_notion):
    publish(linked, summary="Said too soon.")
    page = NotionPage.objects.get()

    unpublish(linked)

    assert fake_notion.pages[page.page_id]["in_trash"] is True
    assert not NotionPage.objects.exists()
    assert NotionLink.objects.get().last_error == ""

    publish(linked, summary="Said right.")  # published again: a page of its own
    again = NotionPage.objects.get()
    assert again.page_id != page.page_id
    assert fake_notion.pages[again.page_id]["markdown"].startswith("Said right.")


def test_the_archive_page_follows_each_week_once_it_was_pushed(linked, fake_notion):
    publish(linked, summary="Safe is risky.")
    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)
    archive = NotionPage.objects.get(week=0)
    assert "Safe is risky." in fake_notion.pages[archive.page_id]["markdown"]

    unpublish(linked)

    assert "Safe is risky." not in fake_notion.pages[archive.page_id]["markdown"]
    assert list(NotionPage.objects.values_list("week", flat=True)) == [0]


def _quoted_week(circle, body="Quote me, then don't."):
    """Week 1 published with one consented quote; returns the post."""
    author = member_of(circle)
    post = circles.post_create(
        thread=circle.threads.get(week=1), author=author, body=body, may_quote=True
    )
    meeting = circle.meetings.get(week=1)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        circles.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="Week one.",
            publish=True, quote_post_ids=[post.pk],
        )  # fmt: skip
    return post


def test_a_removed_quote_leaves_the_notion_page(linked, fake_notion):
    _quoted_week(linked)
    page = NotionPage.objects.get()
    assert "Quote me, then don't." in fake_notion.pages[page.page_id]["markdown"]

    circles.quote_remove(quote=linked.quotes.get(), actor=linked.proposed_by)

    assert "Quote me, then don't." not in fake_notion.pages[page.page_id]["markdown"]


def test_a_whole_push_trashes_pages_of_weeks_no_longer_published(linked, fake_notion):
    publish(linked)
    page = NotionPage.objects.get(week=1)
    # Taken out while the link was broken (the week's own sync could not run then).
    fake_notion.fail_next = [503]
    unpublish(linked)
    assert NotionPage.objects.filter(week=1).exists()

    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)

    assert fake_notion.pages[page.page_id]["in_trash"] is True
    assert list(NotionPage.objects.values_list("week", flat=True)) == [0]


def test_a_page_already_gone_from_notion_counts_as_trashed(linked, fake_notion):
    publish(linked)
    del fake_notion.pages[NotionPage.objects.get().page_id]

    unpublish(linked)

    assert not NotionPage.objects.exists()
    assert NotionLink.objects.get().last_error == ""


def test_a_quote_unticked_in_the_wrapup_leaves_the_notion_page(linked, fake_notion):
    _quoted_week(linked)
    page = NotionPage.objects.get()
    meeting = linked.meetings.get(week=1)

    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=10)):
        circles.wrapup_save(
            meeting=meeting, actor=linked.proposed_by, held=True, summary="Week one.",
            publish=True, quote_post_ids=[],
        )  # fmt: skip

    assert not linked.quotes.exists()
    assert "Quote me, then don't." not in fake_notion.pages[page.page_id]["markdown"]


def test_a_quote_of_a_week_taken_out_is_not_on_the_archive_page(linked, fake_notion):
    _quoted_week(linked)
    services.notion_archive_schedule(circle=linked, actor=linked.proposed_by)
    archive = NotionPage.objects.get(week=0)
    assert "Quote me, then don't." in fake_notion.pages[archive.page_id]["markdown"]

    unpublish(linked)

    assert "Quote me, then don't." not in fake_notion.pages[archive.page_id]["markdown"]
    assert "Week one." not in fake_notion.pages[archive.page_id]["markdown"]


def test_a_trash_that_failed_is_shown_and_tried_again_by_the_next_push(linked, fake_notion):
    publish(linked, week=1)
    page = NotionPage.objects.get(week=1)
    fake_notion.fail_next = [503]  # the trash fails (its retries too, in this eager test)

    unpublish(linked, week=1)

    assert NotionPage.objects.filter(week=1).exists()
    assert (
        "Week 1's page could not be moved to Notion's trash" in NotionLink.objects.get().last_error
    )
    assert fake_notion.pages[page.page_id]["in_trash"] is False

    publish(linked, week=2)  # another week's push tries again

    assert fake_notion.pages[page.page_id]["in_trash"] is True
    assert set(NotionPage.objects.values_list("week", flat=True)) == {2}
    assert NotionLink.objects.get().last_error == ""
