import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Item
from circles.models import Circle
from learning_portal.core.privacy import MIN_GROUP_SIZE
from portal.home import ROW_SIZE, home_rows
from tests.catalog.factories import ItemFactory
from tests.circles.factories import make_circle
from tests.enrollment.helpers import enroll
from tests.people.factories import DepartmentFactory, EmployeeFactory


@pytest.mark.django_db
def test_home_shows_signed_in_people_their_suggestions_with_reasons(client_as):
    ItemFactory(title="Calm under pressure", popularity=10)
    body = client_as(EmployeeFactory()).get("/").content.decode()

    assert "Suggested for you" in body
    assert "Calm under pressure" in body
    assert "Popular with colleagues" in body or "New this week" in body


@pytest.mark.django_db
def test_home_shows_no_personal_suggestions_to_visitors(client):
    assert "Suggested for you" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_continues_the_persons_own_learning(client_as):
    employee = EmployeeFactory()
    other = EmployeeFactory()
    mine = ItemFactory(title="Writing for patients")
    theirs = ItemFactory(title="Someone else's course")
    enroll(employee.user, item=mine)
    enroll(other.user, item=theirs)

    body = client_as(employee).get("/").content.decode()
    row = body.split('id="continue-heading"')[1].split("</section>")[0]

    assert "Continue learning" in row
    assert "Writing for patients" in row
    assert "Someone else" not in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("colleagues", "others", "shown"),
    [
        (MIN_GROUP_SIZE - 1, MIN_GROUP_SIZE, False),
        (MIN_GROUP_SIZE, MIN_GROUP_SIZE - 1, True),
        # Me and 5 colleagues, all 5 enrolled: showing it tells me what each of them chose.
        (MIN_GROUP_SIZE, 0, False),
    ],
)
def test_popular_in_department_rests_on_five_colleagues_each_way(
    client_as, colleagues, others, shown
):
    ward = DepartmentFactory(name="Cardiology")
    me = EmployeeFactory(department=ward)
    chosen = ItemFactory(title="Heart failure update")
    for _ in range(colleagues):
        enroll(EmployeeFactory(department=ward).user, item=chosen)
    for _ in range(others):
        EmployeeFactory(department=ward)
    # Enrollments elsewhere in the organisation do not count towards the department.
    elsewhere = ItemFactory(title="Elsewhere popular")
    for _ in range(MIN_GROUP_SIZE):
        enroll(EmployeeFactory().user, item=elsewhere)

    body = client_as(me).get("/").content.decode()

    assert ("Popular in Cardiology" in body) is shown
    section = body.split("Popular in Cardiology")[-1] if shown else ""
    assert ("Heart failure update" in section) is shown
    assert "Elsewhere popular" not in section.split("</section>")[0]


@pytest.mark.django_db
def test_home_shows_circles_open_for_sign_up_and_new_items_to_visitors(client):
    make_circle(state=Circle.State.OPEN, subject=ItemFactory(title="Purple Cow", format="book"))
    ItemFactory(title="Brand new course")

    body = client.get("/").content.decode()

    assert "Circles starting soon" in body
    assert "Purple Cow circle" in body
    assert "New this month" in body
    assert "Brand new course" in body
    assert "Sign in for learning picked for you" in body


@pytest.mark.django_db
def test_home_uses_item_cover_images_on_cards(client):
    ItemFactory(title="Pictured", image="items/pictured.png")

    body = client.get("/").content.decode()

    assert 'src="/media/items/pictured.png"' in body


@pytest.mark.django_db
def test_home_rows_put_the_persons_learning_language_first(client_as, client):
    from people.services import user_language_set

    ward = DepartmentFactory(name="Cardiology")
    me = EmployeeFactory(department=ward)
    welsh = ItemFactory(title="Cwrs y galon", language="cy")
    english = [ItemFactory(title=f"Heart course {n}") for n in range(4)]
    # Chosen by more colleagues than the Welsh one, and newer: English leads by default.
    for item in english:
        for _ in range(MIN_GROUP_SIZE + 1):
            enroll(EmployeeFactory(department=ward).user, item=item)
    for _ in range(MIN_GROUP_SIZE):
        enroll(EmployeeFactory(department=ward).user, item=welsh)

    def row(body, heading):
        return body.split(f'id="{heading}"')[1].split("</section>")[0]

    body = client_as(me).get("/").content.decode()
    assert "Cwrs y galon" not in row(body, "popular-heading")
    assert "Cwrs y galon" not in row(body, "new-heading")

    user_language_set(user=me.user, language="cy")
    body = client_as(me).get("/").content.decode()

    for heading in ("popular-heading", "new-heading"):
        shown = row(body, heading)
        assert "Cwrs y galon" in shown
        assert shown.index("Cwrs y galon") < shown.index("Heart course")


@pytest.mark.django_db
def test_circles_starting_soon_leaves_out_a_circle_the_person_joined(client_as):
    from circles import services as circle_services

    joined = make_circle(state=Circle.State.OPEN, subject=ItemFactory(title="Purple Cow"))
    other = make_circle(state=Circle.State.OPEN, subject=ItemFactory(title="Atomic Habits"))
    me = EmployeeFactory()
    circle_services.circle_join(user=me.user, circle=joined)

    body = client_as(me).get("/").content.decode()
    row = body.split('id="circles-heading"')[1].split("</section>")[0]

    assert other.title in row
    assert joined.title not in row
    assert joined.title in body.split('id="continue-heading"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_new_this_month_is_the_newest_in_the_persons_language_then_in_others():
    old = ItemFactory(title="Old news")
    Item.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    # A circle's own catalog entry is not a new item; the book it reads is.
    circle = make_circle(state=Circle.State.OPEN, subject=ItemFactory(title="Purple Cow"))
    for n in range(2):
        ItemFactory(title=f"Cwrs {n}", language="cy")
    english = [ItemFactory(title=f"Course {n}") for n in range(ROW_SIZE + 1)]

    rows = home_rows(user=AnonymousUser(), now=timezone.now())

    # The organisation's language first, newest first: a row's worth.
    assert [i.title for i in rows.new_items] == [i.title for i in english[::-1][:ROW_SIZE]]
    for item in english:
        item.delete()
    rows = home_rows(user=AnonymousUser(), now=timezone.now())
    # Fewer than a row in that language: the newest of the others after them, never one over
    # a month old, never a circle's entry.
    assert [i.title for i in rows.new_items] == ["Purple Cow", "Cwrs 1", "Cwrs 0"]
    assert circle.item not in rows.new_items


@pytest.mark.django_db
def test_the_front_page_reads_department_popularity_as_the_widget_keeps_it(client_as):
    ward = DepartmentFactory(name="Cardiology")
    chosen = ItemFactory(title="Heart failure update")
    for _ in range(MIN_GROUP_SIZE):
        enroll(EmployeeFactory(department=ward).user, item=chosen)
    for _ in range(MIN_GROUP_SIZE):
        EmployeeFactory(department=ward)

    def counted(person):
        with CaptureQueriesContext(connection) as queries:
            body = client_as(person).get("/").content.decode()
        assert "Popular in Cardiology" in body
        return [q["sql"] for q in queries.captured_queries if "COUNT(DISTINCT" in q["sql"]]

    assert len(counted(EmployeeFactory(department=ward))) == 1
    assert counted(EmployeeFactory(department=ward)) == []  # a colleague: read, not counted
