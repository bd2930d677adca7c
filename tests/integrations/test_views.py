import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from circles.models import Post
from integrations.models import SlackChannelLink
from tests.circles.test_services import learning_admin
from tests.integrations.helpers import member_of, running_circle
from tests.integrations.test_slack_import import history
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def page(circle):
    return reverse("integrations:circle", kwargs={"slug": circle.slug})


def test_the_page_is_for_facilitators_and_learning_admins_only(client_as):
    circle = running_circle()
    member = member_of(circle)
    assert client_as(member).get(page(circle)).status_code == 404
    assert client_as(EmployeeFactory().user).get(page(circle)).status_code == 404
    assert client_as(learning_admin()).get(page(circle)).status_code == 200
    response = client_as(circle.proposed_by).get(page(circle))
    assert response.status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client):
    circle = running_circle()
    response = client.get(page(circle))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_with_nothing_configured_the_page_offers_the_webhook_and_the_download(client_as):
    circle = running_circle()
    response = client_as(circle.proposed_by).get(page(circle))
    text = response.content.decode()
    assert "Incoming-webhook URL" in text
    assert "This portal is not connected to Notion" in text
    assert "Download for Notion (ZIP)" in text


def test_linking_a_channel_shows_it_on_the_page(client_as, fake_slack):
    circle = running_circle()
    client = client_as(circle.proposed_by)
    response = client.post(
        reverse("integrations:slack_link", kwargs={"slug": circle.slug}),
        {"channel_id": "C0CIRCLE1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Linked to #purple-cow in Slack." in response.content.decode()
    assert SlackChannelLink.objects.get().circle == circle


def test_a_bad_channel_shows_the_reason_and_links_nothing(client_as, fake_slack):
    circle = running_circle()
    response = client_as(circle.proposed_by).post(
        reverse("integrations:slack_link", kwargs={"slug": circle.slug}), {"channel_id": "oops"}
    )
    assert response.status_code == 400
    assert "Enter the channel&#x27;s ID" in response.content.decode()
    assert not SlackChannelLink.objects.exists()


def test_a_member_cannot_link_or_unlink(client_as, fake_slack):
    circle = running_circle()
    member = member_of(circle)
    client = client_as(member)
    url = reverse("integrations:slack_link", kwargs={"slug": circle.slug})
    assert client.post(url, {"channel_id": "C0CIRCLE1"}).status_code == 404
    unlink = reverse("integrations:slack_unlink", kwargs={"slug": circle.slug})
    assert client.post(unlink).status_code == 404
    assert not SlackChannelLink.objects.exists()


def test_an_import_is_previewed_then_applied_with_the_same_file(client_as):
    circle = running_circle()
    member_of(circle, "ada@example.org")
    member_of(circle, "grace@example.org")
    data = history(circle)
    client = client_as(circle.proposed_by)
    url = reverse("integrations:slack_import", kwargs={"slug": circle.slug})

    def upload(**fields):
        return client.post(
            url,
            {"file": SimpleUploadedFile("export.zip", data), "channel": "purple-cow", **fields},
        )

    preview = upload(dry_run="on")
    assert "Preview only, nothing was changed: 3 to create" in preview.content.decode()
    assert not Post.objects.exists()
    digest = preview.context["import_form"].initial["previewed_digest"]

    other = client.post(
        url, {"file": SimpleUploadedFile("x.zip", b"other"), "previewed_digest": digest}
    )
    assert other.status_code == 400
    assert "This is not the file you previewed" in other.content.decode()

    applied = upload(previewed_digest=digest)
    assert "Imported: 3 created" in applied.content.decode()
    assert Post.objects.count() == 3


def test_a_malformed_export_is_a_400_with_the_reason(client_as):
    circle = running_circle()
    response = client_as(circle.proposed_by).post(
        reverse("integrations:slack_import", kwargs={"slug": circle.slug}),
        {"file": SimpleUploadedFile("export.zip", b"not a zip"), "dry_run": "on"},
    )
    assert response.status_code == 400
    assert "Nothing was imported. This is not a ZIP file." in response.content.decode()


def test_download_for_notion_is_a_zip_of_markdown_for_archive_readers(client_as):
    circle = running_circle()
    reader = EmployeeFactory().user
    response = client_as(reader).get(
        reverse("integrations:notion_download", kwargs={"slug": circle.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [f"{circle.slug}.md"]
        assert archive.read(f"{circle.slug}.md").decode().startswith("# Purple Cow circle\n")


def test_a_week_with_nothing_published_has_no_download(client_as):
    circle = running_circle()
    url = reverse("integrations:notion_week_download", kwargs={"slug": circle.slug, "week": 1})
    assert client_as(circle.proposed_by).get(url).status_code == 404


def test_a_draft_circles_archive_cannot_be_downloaded(client_as):
    from tests.circles.factories import make_circle

    draft = make_circle()
    url = reverse("integrations:notion_download", kwargs={"slug": draft.slug})
    assert client_as(EmployeeFactory().user).get(url).status_code == 404


def test_pushing_without_notion_says_how_to_use_the_download(client_as):
    circle = running_circle()
    response = client_as(circle.proposed_by).post(
        reverse("integrations:notion_push", kwargs={"slug": circle.slug}), follow=True
    )
    assert "use “Download for Notion”" in response.content.decode()


def test_a_webhook_url_that_is_not_slacks_is_refused_and_nothing_is_linked(client_as):
    # Any employee may start a circle; the worker would post to whatever URL they typed.
    circle = running_circle()
    response = client_as(circle.proposed_by).post(
        reverse("integrations:slack_link", kwargs={"slug": circle.slug}),
        {"channel_id": "C0CIRCLE1", "webhook_url": "http://10.0.0.5:8080/admin/reset"},
    )
    assert response.status_code == 400
    assert "it starts with https://hooks.slack.com/" in response.content.decode()
    assert not SlackChannelLink.objects.exists()
