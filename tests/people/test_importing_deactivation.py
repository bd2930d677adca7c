"""The HR feed import: who a full feed deactivates, and the safety limit."""

import pytest
from django.core.exceptions import ValidationError

from people.models import Employee, User
from tests.people.helpers import feed, rows_for, run, staff_of

pytestmark = pytest.mark.django_db


def test_people_missing_from_a_full_feed_are_deactivated_not_deleted():
    people = staff_of(10)

    report = run(feed(*rows_for(people[:8])), deactivate_missing=True)

    assert report.deactivated == 2
    assert report.summary.endswith("2 deactivated.")
    inactive = User.objects.filter(is_active=False).values_list("email", flat=True)
    assert sorted(inactive) == ["s8@example.org", "s9@example.org"]
    assert Employee.objects.count() == 10


def test_without_the_option_missing_people_stay_active():
    people = staff_of(3)

    report = run(feed(*rows_for(people[:1])))

    assert report.deactivated == 0
    assert not User.objects.filter(is_active=False).exists()


def test_rejected_rows_still_count_as_present_in_the_feed():
    people = staff_of(5)
    rows = rows_for(people[:4]) + [f"{people[4].employee_id},not-an-email,X,X,,,,,"]

    report = run(feed(*rows), deactivate_missing=True)

    assert report.rejected == 1
    assert report.deactivated == 0


def test_deactivating_more_than_the_safety_limit_is_refused_unless_forced():
    people = staff_of(10)
    truncated = feed(*rows_for(people[:7]))

    with pytest.raises(ValidationError) as raised:
        run(truncated, deactivate_missing=True)

    assert raised.value.messages == [
        "Nothing was imported: this feed would deactivate 3 of 10 active employees (30%), "
        "more than the 20% safety limit. Check that the file is complete, or import it again "
        "with force to deactivate them anyway."
    ]
    assert not User.objects.filter(is_active=False).exists()
    report = run(truncated, deactivate_missing=True, force=True)
    assert report.deactivated == 3


def test_superusers_are_never_deactivated_by_the_feed():
    people = staff_of(5)
    User.objects.filter(pk=people[4].user_id).update(is_superuser=True, is_staff=True)

    report = run(feed(*rows_for(people[:4])), deactivate_missing=True)

    assert report.deactivated == 0
    assert User.objects.get(pk=people[4].user_id).is_active


def test_active_column_deactivates_and_reactivates():
    people = staff_of(2)
    header = "employee_id,email,first_name,last_name,active"

    first = run(feed("S0,s0@example.org,A,X,no", "S1,s1@example.org,B,X,", header=header))
    assert (first.updated, User.objects.get(email="s0@example.org").is_active) == (2, False)
    assert User.objects.get(email="s1@example.org").is_active

    again = run(feed("S0,s0@example.org,A,X,Y", header=header))
    assert again.updated == 1
    assert User.objects.get(pk=people[0].user_id).is_active


def test_missing_person_who_reappears_with_active_true_is_reactivated():
    people = staff_of(5)
    run(feed(*rows_for(people[:4])), deactivate_missing=True)
    assert not User.objects.get(pk=people[4].user_id).is_active

    header = "employee_id,email,first_name,last_name,active"
    rows = [f"{e.employee_id},{e.user.email},{e.user.first_name},X,true" for e in people]
    report = run(feed(*rows, header=header), deactivate_missing=True)

    assert report.deactivated == 0
    assert User.objects.get(pk=people[4].user_id).is_active


def test_deactivated_person_cannot_sign_in(client):
    people = staff_of(5)
    leaver = people[4]
    run(feed(*rows_for(people[:4])), deactivate_missing=True)

    response = client.post(
        "/accounts/login/", {"login": leaver.user.email, "password": "learn-test"}
    )

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url == "/accounts/inactive/"
    stayer = people[0]
    client.post("/accounts/login/", {"login": stayer.user.email, "password": "learn-test"})
    assert client.session["_auth_user_id"] == str(stayer.user_id)


def test_deactivated_person_loses_an_open_session(client):
    people = staff_of(5)
    client.force_login(people[4].user)
    assert client.get("/me/profile/").status_code == 200

    run(feed(*rows_for(people[:4])), deactivate_missing=True)

    response = client.get("/me/profile/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
