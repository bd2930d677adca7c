import pytest
from django.urls import reverse

from tests.catalog.factories import TopicFactory
from tests.people.factories import EmployeeFactory, UserFactory
from widgets.selectors import interest_topic_list
from widgets.services import interests_set

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("profile")


def test_profile_shows_the_persons_own_hr_details(client_as):
    boss = EmployeeFactory(user__first_name="Maya", user__last_name="Boss")
    me = EmployeeFactory(
        employee_id="E777",
        user__first_name="Sam",
        user__last_name="Nurse",
        job_title="Charge Nurse",
        location="St Mary's",
        manager=boss,
    )

    response = client_as(me).get(PROFILE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    for detail in ("Sam Nurse", "E777", me.user.email, "Nursing", "Charge Nurse", "Maya Boss"):
        assert detail in page
    assert boss.employee_id not in page


def test_profile_saves_interests(client_as):
    me = EmployeeFactory()
    safety, leadership, _ = (
        TopicFactory(name="Patient safety"),
        TopicFactory(name="Leadership"),
        TopicFactory(name="Wellbeing"),
    )

    response = client_as(me).post(PROFILE_URL, {"interests": [safety.pk, leadership.pk]})

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    assert set(interest_topic_list(employee=me)) == {safety, leadership}
    page = client_as(me).get(PROFILE_URL).content.decode()
    assert "Your interests are saved." in page


def test_profile_rejects_an_unknown_topic_and_keeps_interests(client_as):
    me = EmployeeFactory()
    kept = TopicFactory(name="Data literacy")
    interests_set(employee=me, topics=[kept])

    response = client_as(me).post(PROFILE_URL, {"interests": [999999]})

    assert response.status_code == 200
    assert response.context["form"].errors["interests"]
    assert list(interest_topic_list(employee=me)) == [kept]


def test_profile_without_an_employee_record_says_so(client_as):
    response = client_as(UserFactory()).get(PROFILE_URL)

    assert response.status_code == 200
    assert "not linked to an employee record" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={PROFILE_URL}"


def test_profile_offers_the_catalogs_languages_and_saves_the_choice(client_as):
    from tests.catalog.factories import ItemFactory

    ItemFactory(title="Cyfathrebu â chleifion", language="cy")
    ItemFactory(title="Speaking up", language="en")
    me = EmployeeFactory()
    client = client_as(me)

    page = client.get(PROFILE_URL).content.decode()
    assert "Learning language" in page
    assert '<option value="cy">Welsh</option>' in page
    assert "Organisation&#x27;s: English" in page

    response = client.post(PROFILE_URL, {"language": "cy", "save_language": "1"})

    assert response.status_code == 302
    me.user.refresh_from_db()
    assert me.user.language == "cy"
    page = client.get(PROFILE_URL).content.decode()
    assert "Your learning language is saved" in page
    assert '<option value="cy" selected>Welsh</option>' in page


def test_profile_refuses_a_language_the_catalog_does_not_teach_in_and_keeps_the_choice(
    client_as,
):
    me = EmployeeFactory(user__language="en")
    interests_before = list(interest_topic_list(employee=me))

    response = client_as(me).post(PROFILE_URL, {"language": "pl", "save_language": "1"})

    assert response.status_code == 200
    assert response.context["language_form"].errors["language"]
    me.user.refresh_from_db()
    assert me.user.language == "en"
    # The language form alone was handled: the interests were not touched.
    assert list(interest_topic_list(employee=me)) == interests_before
