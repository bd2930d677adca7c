"""The badge and kudos pages: who may open them, what bad input gets."""

import pytest
from django.urls import reverse

from recognition import services
from recognition.models import BadgeAward, Kudos, RecognitionPreference
from tests.catalog.factories import AudienceFactory, ItemFactory
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import running_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(committed):
    badge = BadgeClassFactory(name="First steps", slug="first-steps")
    person = EmployeeFactory().user
    with committed():
        EnrollmentFactory(user=person)
    return BadgeAward.objects.get(badge_class=badge, recipient=person)


def test_the_profile_lists_my_badges_and_the_switch_is_off(client_as, earned):
    html = client_as(earned.recipient).get(reverse("profile")).content.decode()
    assert "First steps" in html
    assert 'name="show_badges_in_circles"' in html
    assert "checked" not in html.split('name="show_badges_in_circles"')[0][-200:]


def test_public_pages_need_no_sign_in_and_reveal_no_person(client, earned):
    assert client.get(reverse("recognition:jwks")).status_code == 200
    assert client.get(reverse("recognition:issuer")).status_code == 200
    page = client.get(reverse("recognition:badge_class", args=["first-steps"]))
    assert page.status_code == 200
    assert earned.recipient.last_name not in page.content.decode()
    assert client.get(reverse("recognition:verify")).status_code == 200
    assert client.get(reverse("recognition:badge_class", args=["nope"])).status_code == 404
    assert client.get(reverse("recognition:key", args=["nope"])).status_code == 404


def test_my_pages_need_sign_in(client, earned):
    for name in ("my_badges", "my_kudos"):
        response = client.get(reverse(f"recognition:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_showing_badges_is_my_choice_and_shows_them_to_my_circles_members(client_as, committed):
    badge = BadgeClassFactory(name="Regular")
    with committed():
        circle, facilitator, (ada, bo) = running_circle()
    assert BadgeAward.objects.filter(badge_class=badge, recipient=ada).exists()
    url = reverse("recognition:circle", args=[circle.slug])

    assert "Regular" not in client_as(bo).get(url).content.decode()
    client = client_as(ada)
    response = client.post(
        reverse("recognition:preferences"),
        {"show_badges_in_circles": "on", "next": reverse("profile")},
    )
    assert response["Location"] == reverse("profile")
    assert RecognitionPreference.objects.get(user=ada).show_badges_in_circles

    assert "Regular" in client_as(bo).get(url).content.decode()
    assert "Regular" not in client_as(EmployeeFactory().user).get(url).content.decode()
    client_as(ada).post(reverse("recognition:preferences"), {"next": "https://evil.example/"})
    assert not RecognitionPreference.objects.get(user=ada).show_badges_in_circles


def test_thanking_from_the_circle_page(client_as):
    circle, facilitator, (ada, bo) = running_circle()
    url = reverse("recognition:circle", args=[circle.slug])
    client = client_as(ada)

    form = client.get(url).content.decode()
    assert f'value="{bo.pk}"' in form
    response = client.post(
        url, {"recipient": bo.pk, "value": "shared_insight", "message": "Loved your notes"}
    )
    assert response.status_code == 302
    kudos = Kudos.objects.get()
    assert (kudos.sender, kudos.recipient, kudos.circle) == (ada, bo, circle)


def test_bad_kudos_input_gets_a_clear_message_and_saves_nothing(client_as, settings):
    circle, facilitator, (ada, bo) = running_circle()
    url = reverse("recognition:circle", args=[circle.slug])
    client = client_as(ada)

    response = client.post(url, {"recipient": bo.pk, "value": "shared_insight", "message": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"recipient": ada.pk, "value": "bogus", "message": "Hi"})
    assert response.status_code == 400
    settings.KUDOS_DAILY_LIMIT = 0
    response = client.post(url, {"recipient": bo.pk, "value": "shared_insight", "message": "Hi"})
    assert response.status_code == 400
    assert services.KUDOS_LIMIT.format(limit=0) in response.content.decode()
    assert not Kudos.objects.exists()


def test_an_outsider_sees_only_the_facilitators_to_thank(client_as):
    circle, facilitator, (member,) = running_circle(members=1)
    html = (
        client_as(EmployeeFactory().user)
        .get(reverse("recognition:circle", args=[circle.slug]))
        .content.decode()
    )
    assert f'value="{facilitator.pk}"' in html
    assert f'value="{member.pk}"' not in html


def test_the_circle_page_loads_the_panel_and_htmx_gets_the_part(client_as):
    circle, facilitator, (member,) = running_circle(members=1)
    client = client_as(member)
    page = client.get(circle.get_absolute_url()).content.decode()
    assert reverse("recognition:circle", args=[circle.slug]) in page
    part = client.get(reverse("recognition:circle", args=[circle.slug]), HTTP_HX_REQUEST="true")
    assert "<html" not in part.content.decode()
    assert 'id="recognition"' in part.content.decode()


def test_a_draft_circle_has_no_recognition_page(client_as):
    from tests.circles.factories import make_circle

    circle = make_circle()
    response = client_as(circle.proposed_by).get(reverse("recognition:circle", args=[circle.slug]))
    assert response.status_code == 404


def test_sharing_and_reporting_from_my_kudos(client_as):
    circle, facilitator, (ada, bo) = running_circle()
    kudos = services.kudos_give(
        sender=ada, recipient=bo, circle=circle, value="helped_me_learn", message="Thanks!"
    )
    share = reverse("recognition:kudos_share", args=[kudos.pk])
    assert client_as(ada).post(share, {"shared": "1"}).status_code == 404
    client = client_as(bo)
    assert client.post(share, {"shared": "1"}).status_code == 302
    kudos.refresh_from_db()
    assert kudos.shared_at is not None

    report = reverse("recognition:kudos_report", args=[kudos.pk])
    assert client.post(report, {"reason": ""}).status_code == 400
    assert client.post(report, {"reason": "Sarcastic"}).status_code == 302
    assert kudos.reports.get().reason == "Sarcastic"
    assert client_as(EmployeeFactory().user).get(report).status_code == 404


def _badge_page(client, badge):
    return client.get(reverse("recognition:badge_class", args=[badge.slug]))


def test_a_badge_of_a_draft_circle_or_unreleased_theme_has_no_public_page_yet(client):
    from recognition.models import BadgeClass
    from tests.circles.factories import make_circle
    from tests.themes.factories import ThemeFactory

    draft = make_circle(state="draft", title="Secret spring plan")
    of_draft = BadgeClassFactory(criterion=BadgeClass.Criterion.ATTENDED_MEETINGS, circle=draft)
    theme = ThemeFactory(title="Next year's restructuring")
    of_theme = BadgeClassFactory(criterion=BadgeClass.Criterion.THEME_ITEMS_COMPLETED, theme=theme)
    inactive = BadgeClassFactory(is_active=False)
    finance = AudienceFactory(departments=[DepartmentFactory(name="Finance")])
    restricted = make_circle(state="open", subject=ItemFactory(audiences=[finance]))
    of_restricted = BadgeClassFactory(
        criterion=BadgeClass.Criterion.ATTENDED_MEETINGS, circle=restricted
    )

    assert _badge_page(client, of_draft).status_code == 404
    assert _badge_page(client, of_theme).status_code == 404
    assert _badge_page(client, inactive).status_code == 404
    assert _badge_page(client, of_restricted).status_code == 404  # not everyone may know it

    running, _, _ = running_circle()
    of_running = BadgeClassFactory(criterion=BadgeClass.Criterion.ATTENDED_MEETINGS, circle=running)
    released = ThemeFactory(released=True, title="Kindness at work")
    of_released = BadgeClassFactory(
        criterion=BadgeClass.Criterion.THEME_ITEMS_COMPLETED, theme=released
    )
    assert running.title in _badge_page(client, of_running).content.decode()
    assert "Kindness at work" in _badge_page(client, of_released).content.decode()


def test_a_badge_someone_holds_keeps_its_page_when_it_is_switched_off(client, earned):
    badge = earned.badge_class
    badge.is_active = False
    badge.save()

    assert _badge_page(client, badge).status_code == 200
