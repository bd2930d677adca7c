import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import Employee, ImportRun, User
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:people_employee_import")
FEED = (
    b"employee_id,email,first_name,last_name,manager_employee_id\n"
    b"E1,ann@example.org,Ann,Archer,\n"
    b"E2,bob@example.org,Bob,Baker,E1\n"
    b"E3,not-an-email,Cy,Cole,E1\n"
)


@pytest.fixture
def people_admin(db):
    """A learning admin with the people permissions, not a superuser."""
    user = UserFactory(email="hr-admin@example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="people",
            codename__in=["view_employee", "add_employee", "change_employee", "view_importrun"],
        )
    )
    return user


def upload(content: bytes, name: str = "feed.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_employee_changelist_links_to_the_import_page(client_as, people_admin):
    response = client_as(people_admin).get(reverse("admin:people_employee_changelist"))

    assert response.status_code == 200
    assert IMPORT_URL in response.content.decode()


def test_import_page_shows_the_form_and_the_columns(client_as, people_admin):
    response = client_as(people_admin).get(IMPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page
    assert 'for="id_dry_run"' in page
    assert "employee_id, email, first_name, last_name" in page


def test_admin_import_saves_and_renders_the_report(client_as, people_admin):
    response = client_as(people_admin).post(
        IMPORT_URL, {"file": upload(FEED), "dry_run": ""}, follow=False
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 rows: 2 created, 0 updated, 0 unchanged, 1 rejected." in page
    assert "email &#x27;not-an-email&#x27; is not a valid email address" in page
    assert sorted(Employee.objects.values_list("employee_id", flat=True)) == ["E1", "E2"]
    assert Employee.objects.get(employee_id="E2").manager.employee_id == "E1"
    run = ImportRun.objects.get()
    assert (run.source, run.actor, run.filename) == ("admin", people_admin, "feed.csv")


def test_admin_dry_run_changes_nothing(client_as, people_admin):
    response = client_as(people_admin).post(IMPORT_URL, {"file": upload(FEED), "dry_run": "on"})

    assert "Dry run, nothing saved: 3 rows: 2 created" in response.content.decode()
    assert not Employee.objects.exists()


def test_admin_unusable_file_shows_the_reason_on_the_form(client_as, people_admin):
    response = client_as(people_admin).post(
        IMPORT_URL, {"file": upload("employee_id,email\n1,é\n".encode("latin-1"))}
    )

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["file"] == [
        "The file is not UTF-8 text (undecodable byte 0xE9 on row 2). "
        "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
    ]
    assert not Employee.objects.exists()


def test_admin_import_without_a_file_asks_for_one(client_as, people_admin):
    response = client_as(people_admin).post(IMPORT_URL, {"dry_run": "on"})

    assert response.context["form"].errors["file"] == ["This field is required."]


def test_non_staff_cannot_reach_the_import_page(client_as, employee):
    client = client_as(employee)

    assert client.get(IMPORT_URL).status_code == 302
    response = client.post(IMPORT_URL, {"file": upload(FEED)})

    assert response.status_code == 302
    assert "/login/" in response.url
    assert Employee.objects.count() == 1


def test_anonymous_cannot_reach_the_import_page(client):
    response = client.post(IMPORT_URL, {"file": upload(FEED)})

    assert response.status_code == 302
    assert not Employee.objects.exists()


def test_staff_without_people_permissions_gets_403(client_as):
    staff = UserFactory(is_staff=True)
    client = client_as(staff)

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload(FEED)}).status_code == 403
    assert not Employee.objects.exists()


def test_view_only_staff_sees_no_import_link(client_as):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_employee"))

    response = client_as(staff).get(reverse("admin:people_employee_changelist"))

    assert response.status_code == 200
    assert IMPORT_URL not in response.content.decode()


def test_employee_admin_searches_by_name_email_and_employee_id(client_as, people_admin):
    EmployeeFactory(employee_id="N1234", user__email="nia@example.org", user__last_name="Okafor")
    EmployeeFactory(employee_id="X9", user__email="other@example.org", user__last_name="Smith")
    client = client_as(people_admin)
    url = reverse("admin:people_employee_changelist")

    for term in ("Okafor", "nia@example", "N1234"):
        response = client.get(url, {"q": term})
        assert list(response.context["cl"].result_list.values_list("employee_id", flat=True)) == [
            "N1234"
        ]


def test_employee_admin_filters_by_active_and_manager_flag(client_as, people_admin):
    EmployeeFactory(employee_id="A1", is_manager=True)
    EmployeeFactory(employee_id="A2", user__is_active=False)
    client = client_as(people_admin)
    url = reverse("admin:people_employee_changelist")

    managers = client.get(url, {"is_manager__exact": "1"}).context["cl"].result_list
    inactive = client.get(url, {"user__is_active__exact": "0"}).context["cl"].result_list

    assert [e.employee_id for e in managers] == ["A1"]
    assert [e.employee_id for e in inactive] == ["A2"]


def test_employee_change_page_has_no_learning_record(client_as, people_admin):
    person = EmployeeFactory()

    response = client_as(people_admin).get(
        reverse("admin:people_employee_change", args=[person.pk])
    )

    assert response.status_code == 200
    page = response.content.decode().lower()
    assert "transcript" not in page
    assert "enrollment" not in page


def test_user_admin_adds_an_account_by_email(client_as):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = client_as(superuser)

    response = client.post(
        reverse("admin:people_user_add"),
        {
            "email": "new.person@example.org",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new.person@example.org")
    assert not created.has_usable_password()
    assert client.get(reverse("admin:people_user_change", args=[created.pk])).status_code == 200


def test_import_runs_are_listed_read_only(client_as, people_admin):
    client = client_as(people_admin)
    client.post(IMPORT_URL, {"file": upload(FEED), "dry_run": "on"})
    run = ImportRun.objects.get()

    listing = client.get(reverse("admin:people_importrun_changelist"))
    detail = client.get(reverse("admin:people_importrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "not a valid email address" in detail.content.decode()
    assert client.get(reverse("admin:people_importrun_add")).status_code == 403
