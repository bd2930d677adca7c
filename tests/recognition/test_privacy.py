"""Kudos are private: no other person, manager, HR or admin page shows them.

Each viewer opens every page the portal offers them (their own pages, the circle's pages,
every insights page, every admin list they may open) and the message must appear nowhere,
while its recipient reads it on their own page. New HR pages are covered as they are added:
the insights URLs are enumerated, not listed.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, get_resolver, reverse

from people.roles import HR_INSIGHTS, LEARNING_ADMIN
from recognition import services
from recognition.models import Kudos
from tests.people.factories import EmployeeFactory
from tests.recognition.helpers import running_circle

pytestmark = pytest.mark.django_db

PRIVATE = "You turned chapter three into something I use on the ward"


def insights_urls() -> list[str]:
    resolver = get_resolver()
    urls = []
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "insights":
            for entry in pattern.url_patterns:
                if isinstance(entry, URLPattern) and not entry.pattern.converters:
                    urls.append(reverse(f"insights:{entry.name}"))
    return urls


def admin_urls(user) -> list[str]:
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_permission(_request(user)):
            meta = model._meta
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture
def thanked():
    """A member thanked another; the recipient reports to a manager."""
    circle, facilitator, (sender, recipient) = running_circle()
    manager = EmployeeFactory(is_manager=True)
    recipient.employee.manager = manager
    recipient.employee.save()
    for _ in range(4):
        EmployeeFactory(manager=manager)
    kudos = services.kudos_give(
        sender=sender,
        recipient=recipient,
        circle=circle,
        value=Kudos.Value.SHARED_INSIGHT,
        message=PRIVATE,
    )
    return circle, facilitator, sender, recipient, manager.user, kudos


def pages_for(user, circle) -> list[str]:
    pages = [
        reverse("home"),
        reverse("profile"),
        reverse("enrollment:my_learning"),
        reverse("enrollment:transcript"),
        reverse("recognition:my_kudos"),
        reverse("recognition:my_badges"),
        circle.get_absolute_url(),
        reverse("recognition:circle", args=[circle.slug]),
        reverse("circles:insights", args=[circle.slug]),
        reverse("widgets:team"),
        *insights_urls(),
    ]
    if user.is_staff:
        pages += admin_urls(user)
    return pages


def assert_never_shown(client, user, circle):
    client.force_login(user)
    for url in pages_for(user, circle):
        response = client.get(url, follow=True)
        assert PRIVATE not in response.content.decode(), f"{user} sees the kudos on {url}"


def test_the_recipient_reads_it_on_their_own_page(client, thanked):
    *_, recipient, _, _ = thanked
    client.force_login(recipient)
    assert PRIVATE in client.get(reverse("recognition:my_kudos")).content.decode()


def test_other_members_the_facilitator_and_colleagues_never_see_it(client, thanked):
    circle, facilitator, sender, recipient, manager, kudos = thanked
    for viewer in (facilitator, EmployeeFactory().user):
        assert_never_shown(client, viewer, circle)


def test_the_recipients_manager_never_sees_it_even_when_shared_with_the_circle(client, thanked):
    circle, facilitator, sender, recipient, manager, kudos = thanked
    services.kudos_share(kudos=kudos, user=recipient, shared=True)
    assert_never_shown(client, manager, circle)


def test_hr_and_learning_admins_never_see_it_even_when_shared(client, thanked):
    circle, facilitator, sender, recipient, manager, kudos = thanked
    services.kudos_share(kudos=kudos, user=recipient, shared=True)
    hr = EmployeeFactory().user
    hr.is_staff = True
    hr.save()
    hr.groups.add(Group.objects.get(name=HR_INSIGHTS.name))
    learning_admin = EmployeeFactory().user
    learning_admin.is_staff = True
    learning_admin.save()
    learning_admin.groups.add(Group.objects.get(name=LEARNING_ADMIN.name))

    assert_never_shown(client, hr, circle)
    assert_never_shown(client, learning_admin, circle)


def test_a_shared_kudos_is_read_by_the_circles_members_only(client, thanked):
    circle, facilitator, sender, recipient, manager, kudos = thanked
    url = reverse("recognition:circle", args=[circle.slug])
    services.kudos_share(kudos=kudos, user=recipient, shared=True)

    client.force_login(facilitator)
    assert PRIVATE in client.get(url).content.decode()
    client.force_login(EmployeeFactory().user)
    assert PRIVATE not in client.get(url).content.decode()


def test_no_page_shows_a_count_or_ranking_of_kudos(client, thanked):
    circle, facilitator, sender, recipient, manager, kudos = thanked
    client.force_login(facilitator)
    html = client.get(reverse("recognition:circle", args=[circle.slug])).content.decode()
    assert "no points, counts or rankings" in html
    assert "never appear in any manager or HR view" in html
