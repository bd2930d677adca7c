import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.admin_import import UPLOAD_NOT_PREVIEWED, file_digest
from catalog.models import Item
from tests.catalog.factories import ItemFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:catalog_item_import")
EXPORT_URL = reverse("admin:catalog_item_export")
ITEMS = (
    b"external_id,title,summary,format\r\n"
    b"A-1,Hand hygiene,Five moments.,course\r\n"
    b"A-2,Broken,Fine.,webinar\r\n"
)


def upload(data: bytes = ITEMS, name: str = "items.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_links_to_import_and_export(admin_client):
    response = admin_client.get(reverse("admin:catalog_item_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{IMPORT_URL}"' in content
    assert f'href="{EXPORT_URL}"' in content
    assert f'href="{EXPORT_URL}?sessions=1"' in content


def test_import_page_shows_the_form_with_preview_ticked(admin_client):
    response = admin_client.get(IMPORT_URL)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {}
    assert form.fields["dry_run"].initial is True
    assert 'name="file"' in response.content.decode()


def test_preview_shows_each_row_changes_nothing_and_offers_to_apply(admin_client):
    response = admin_client.post(IMPORT_URL, {"kind": "items", "file": upload(), "dry_run": "on"})

    assert response.status_code == 200
    report = response.context["report"]
    assert [(row.number, row.action) for row in report.rows] == [(2, "create"), (3, "error")]
    content = response.content.decode()
    assert "Preview only, nothing was changed: 1 to create" in content
    assert "format: “webinar” is not one of" in content
    assert not Item.objects.exists()
    # The form now applies the same file.
    assert response.context["applying"] is True
    assert response.context["form"].initial["previewed_digest"] == file_digest(ITEMS)
    assert response.context["form"].initial["dry_run"] is False


def test_a_preview_with_nothing_to_apply_starts_over(admin_client):
    ItemFactory(external_id="A-1", title="Hand hygiene", summary="Five moments.")

    response = admin_client.post(IMPORT_URL, {"kind": "items", "file": upload(), "dry_run": "on"})

    assert [row.action for row in response.context["report"].rows] == ["unchanged", "error"]
    assert response.context["applying"] is False


def test_applying_the_previewed_file_imports_the_good_rows(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"kind": "items", "file": upload(), "previewed_digest": file_digest(ITEMS)}
    )

    assert response.status_code == 200
    assert response.context["report"].applied
    assert "Imported: 1 created, 0 updated, 0 unchanged, 1 row with errors skipped." in (
        response.content.decode()
    )
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-1"]


def test_applying_a_different_file_than_the_one_previewed_is_refused(admin_client):
    response = admin_client.post(
        IMPORT_URL,
        {"kind": "items", "file": upload(), "previewed_digest": file_digest(b"another file")},
    )

    assert response.context["form"].errors == {"file": [UPLOAD_NOT_PREVIEWED]}
    assert response.context["report"] is None
    assert not Item.objects.exists()


def test_all_or_nothing_from_the_admin_applies_nothing(admin_client):
    response = admin_client.post(IMPORT_URL, {"kind": "items", "file": upload(), "atomic": "on"})

    assert "Nothing was changed because some rows have errors" in response.content.decode()
    assert not Item.objects.exists()


def test_a_bad_file_gets_its_reason_on_the_page(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"kind": "items", "file": upload(b"external_id,title\r\nA,B\r\n")}
    )

    assert "Missing column(s): summary, format." in response.content.decode()
    assert response.context["applying"] is False


def test_import_page_is_refused_to_people_who_are_not_staff(client):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(IMPORT_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_import_page_is_forbidden_to_staff_without_the_catalog_permissions(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_item"))
    client.force_login(staff)

    assert client.get(IMPORT_URL).status_code == 403
    response = client.post(IMPORT_URL, {"kind": "items", "file": upload()})
    assert response.status_code == 403
    assert not Item.objects.exists()


def test_staff_allowed_to_edit_items_but_not_sessions_cannot_import_sessions(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_item", "change_item", "view_item"])
    )
    client.force_login(staff)
    data = (
        b"external_id,item_external_id,starts_at,ends_at\r\n"
        b"S,I,2026-12-07 09:00,2026-12-07 10:00\r\n"
    )

    response = client.post(IMPORT_URL, {"kind": "sessions", "file": upload(data)})

    assert response.status_code == 403


def test_export_downloads_the_catalog_as_escaped_csv(admin_client):
    ItemFactory(external_id="A-1", title='=HYPERLINK("https://evil.example")')

    response = admin_client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="catalog-items-')
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title"] == '\'=HYPERLINK("https://evil.example")'


def test_export_of_sessions(admin_client):
    response = admin_client.get(EXPORT_URL, {"sessions": "1"})

    assert response["Content-Disposition"].startswith('attachment; filename="catalog-sessions-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("external_id,item_external_id,")


def test_export_is_refused_to_people_who_are_not_staff(client):
    client.force_login(UserFactory(is_staff=False))

    assert client.get(EXPORT_URL).status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_previews_then_applies_an_items_file_in_the_browser(
    browser_login, browser_page, tmp_path
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    items_file = tmp_path / "items.csv"
    items_file.write_bytes(ITEMS)
    page = browser_login(admin)

    page.goto(reverse("admin:catalog_item_changelist"))
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(items_file)
    page.get_by_role("button", name="Preview").click()

    assert (
        page.get_by_role("status")
        .inner_text()
        .startswith("Preview only, nothing was changed: 1 to create")
    )
    assert page.locator("#import-rows tbody tr").count() == 2
    assert not Item.objects.exists()

    page.get_by_label("CSV file").set_input_files(items_file)
    page.get_by_role("button", name="Apply").click()

    assert page.get_by_role("status").inner_text() == (
        "Imported: 1 created, 0 updated, 0 unchanged, 1 row with errors skipped."
    )
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-1"]
