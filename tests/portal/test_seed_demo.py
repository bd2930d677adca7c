import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from catalog.models import Item, Offering
from catalog.selectors import item_list_visible_to
from circles.models import Circle
from people.models import Employee, User
from portal.demo.base import LEARNING_ADMINS_GROUP
from tests.catalog.factories import ItemFactory
from widgets.models import Interest

SMALL = {"employees": 60, "items": 40}
FROZEN_NOW = dt.datetime(2026, 3, 10, 8, 30, tzinfo=dt.UTC)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def signature() -> dict:
    """Everything generated that should repeat for the same seed (not ids or timestamps)."""
    return {
        "items": list(
            Item.objects.order_by("external_id", "title").values_list(
                "external_id", "title", "slug", "summary", "description", "format", "delivery",
                "provider", "duration_minutes", "level", "language", "popularity",
                "is_published", "publish_start", "publish_end", "topic_names",
            )
        ),
        "item_audiences": sorted(
            Item.audiences.through.objects.values_list("item__external_id", "audience__name")
        ),
        "offerings": list(
            # Two sessions of an item may start together: every field orders, so ties can't.
            Offering.objects.order_by(
                "item__external_id", "starts_at", "timezone", "location", "online_url", "pk"
            ).values_list(
                "item__external_id", "title", "starts_at", "ends_at", "timezone", "location",
                "online_url", "capacity", "enrollment_closes_at", "status",
            )
        ),
        "people": list(
            Employee.objects.order_by("employee_id").values_list(
                "employee_id", "user__email", "user__first_name", "user__last_name",
                "department__name", "role__name", "job_title", "location", "is_manager",
                "manager__employee_id",
            )
        ),
        "circles": list(
            Circle.objects.order_by("title").values_list(
                "title", "state", "start_date", "subject__title", "offering__starts_at",
            )
        ),
        "interests": sorted(
            Interest.objects.values_list(
                "employee__employee_id", "topic__name"
            )
        ),
    }  # fmt: skip


def seed_and_sign(**options) -> dict:
    """Seed inside a rolled-back savepoint, so the next run starts from an empty database."""
    with transaction.atomic():
        seed(**options)
        result = signature()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
@time_machine.travel(FROZEN_NOW, tick=False)
def test_seed_demo_is_deterministic_for_a_seed():
    first = seed_and_sign(seed=11)
    assert Item.objects.count() == 0
    second = seed_and_sign(seed=11)
    other = seed_and_sign(seed=12)

    assert first == second
    generated = [row for row in first["items"] if row[0] is not None]  # by external ID
    assert len(generated) == SMALL["items"]
    assert len(first["circles"]) == 4
    assert len(first["people"]) == SMALL["employees"] + 3
    assert first["items"] != other["items"]
    assert first["people"] != other["people"]


@pytest.mark.django_db
def test_seed_demo_prints_progress_and_the_demo_logins():
    output = seed(seed=3)

    assert "items: 40/40" in output
    assert "Done in" in output
    assert "employee@example.com, manager@example.com, admin@example.com" in output
    assert "learn-demo" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["employee@example.com", "manager@example.com", "admin@example.com"]
)
def test_demo_accounts_log_in_with_the_published_password(client, email):
    seed()

    response = client.post("/accounts/login/", {"login": email, "password": "learn-demo"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


@pytest.mark.django_db
def test_demo_accounts_have_their_roles():
    seed()

    employee = Employee.objects.get(user__email="employee@example.com")
    manager = Employee.objects.get(user__email="manager@example.com")
    admin = User.objects.get(email="admin@example.com")

    assert not employee.is_manager
    assert employee.department.name == "Nursing"
    assert employee.manager == manager
    assert manager.is_manager
    assert manager.direct_reports.count() >= 6
    assert not employee.user.is_staff
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.groups.filter(name=LEARNING_ADMINS_GROUP).exists()


@pytest.mark.django_db
def test_learning_admins_group_can_manage_catalog_and_people():
    seed()
    curator = User.objects.create_user("curator@example.com", "irrelevant-password-1")
    curator.groups.add(*User.objects.get(email="admin@example.com").groups.all())
    curator = User.objects.get(pk=curator.pk)

    assert curator.has_perm("catalog.change_item")
    assert curator.has_perm("catalog.add_offering")
    assert curator.has_perm("people.change_employee")
    assert not curator.has_perm("auth.change_group")
    assert not curator.has_perm("people.change_user")


@pytest.mark.django_db
def test_reporting_lines_stay_inside_departments_with_about_ten_percent_managers():
    seed(employees=200, items=20)

    generated = Employee.objects.filter(employee_id__startswith="H")
    tops = generated.filter(manager__isnull=True)
    managers = generated.filter(is_manager=True).count()

    assert all(top.is_manager for top in tops)
    # One head per department; everyone else reports to a manager of the same department.
    assert tops.count() == generated.values("department").distinct().count()
    assert not generated.exclude(manager__isnull=True).filter(manager__is_manager=False).exists()
    reports = generated.exclude(manager__isnull=True).select_related("manager__user")
    crossing = [e for e in reports if e.department_id != e.manager.department_id]
    # Only the demo manager's team may borrow people from another department.
    assert all(e.manager.user.email == "manager@example.com" for e in crossing)
    assert 0.07 <= managers / generated.count() <= 0.14


@pytest.mark.django_db
def test_restricted_items_reach_only_their_audience():
    seed()
    employee = User.objects.get(email="employee@example.com")
    manager = User.objects.get(email="manager@example.com")

    for audience in ["Nursing managers", "All managers", "Pharmacy"]:
        assert Item.objects.filter(audiences__name=audience, is_published=True).exists()
    managers_only = Item.objects.filter(audiences__managers_only=True, is_published=True)
    visible_to_employee = item_list_visible_to(user=employee)
    visible_to_manager = item_list_visible_to(user=manager)

    assert not visible_to_employee.filter(pk__in=managers_only).exists()
    assert not visible_to_employee.filter(audiences__name="Pharmacy").exists()
    assert visible_to_manager.filter(audiences__name="Nursing managers").exists()
    assert visible_to_manager.filter(audiences__name="All managers").exists()


@pytest.mark.django_db
def test_catalog_covers_every_format_with_sessions_and_markdown():
    seed(items=200)

    assert set(Item.objects.values_list("format", flat=True)) == set(Item.Format.values)
    scheduled = Item.objects.filter(delivery=Item.Delivery.SCHEDULED)
    assert scheduled.exists()
    assert not scheduled.filter(offerings__isnull=True).exists()
    assert not Item.objects.filter(
        delivery=Item.Delivery.SELF_PACED, offerings__isnull=False
    ).exists()
    assert Offering.objects.filter(online_url__startswith="https://").exists()
    assert Offering.objects.exclude(timezone="Europe/London").exists()
    assert "### What you will learn" in Item.objects.first().description
    assert Item.objects.exclude(language="en").exists()
    assert not Item.objects.filter(topic_names="").exists()


@pytest.mark.django_db
@pytest.mark.postgres
def test_seed_demo_fills_the_search_vector_on_postgresql():
    seed()

    assert connection.vendor == "postgresql"
    assert not Item.objects.filter(search_document__vector__isnull=True).exists()


@pytest.mark.django_db
def test_if_empty_does_nothing_when_the_catalog_has_items():
    ItemFactory()

    output = seed(if_empty=True)

    assert "already has 1 items: demo data not loaded" in output
    assert not User.objects.exists()
    assert Item.objects.count() == 1


@pytest.mark.django_db
def test_if_empty_loads_an_empty_catalog():
    seed(if_empty=True)

    assert Item.objects.filter(external_id__startswith="demo-").count() == SMALL["items"]
    assert Circle.objects.count() == 4


@pytest.mark.django_db
def test_seeding_twice_is_refused_and_changes_nothing():
    seed()
    before = signature()

    with pytest.raises(CommandError, match="Demo data is already loaded"):
        seed(seed=99)

    assert signature() == before


@pytest.mark.django_db
def test_too_small_sizes_are_refused_and_change_nothing():
    with pytest.raises(CommandError, match="at least 50 employees and 20 items"):
        seed(employees=5)

    assert not User.objects.exists()


def test_demo_logins_prints_the_url_with_the_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    out = StringIO()

    call_command("demo_logins", stdout=out)

    output = out.getvalue()
    assert "http://127.0.0.1:8123/" in output
    for email in ["employee@example.com", "manager@example.com", "admin@example.com"]:
        assert email in output
    assert "learn-demo" in output


def test_demo_logins_rejects_a_bad_port():
    with pytest.raises(CommandError, match="--port must be a number"):
        call_command("demo_logins", port="eighty", stdout=StringIO())
