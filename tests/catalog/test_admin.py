import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.urls import reverse
from django.utils import timezone

from catalog.models import Item, Offering, ZeroResultSearch
from catalog.search import SEARCH_CONFIG
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _item_form(**overrides):
    """The POST body of the item add/change form with an empty Offering inline."""
    data = {
        "title": "Speaking up for safety",
        "slug": "speaking-up-for-safety",
        "summary": "How to raise a concern so it is heard.",
        "description": "",
        "format": Item.Format.COURSE,
        "delivery": Item.Delivery.SCHEDULED,
        "level": Item.Level.INTRODUCTORY,
        "language": "en",
        "provider": "Patient Safety Team",
        "duration_minutes": "90",
        "launch_url": "",
        "external_id": "",
        "is_published": "on",
        "publish_start_0": "",
        "publish_start_1": "",
        "publish_end_0": "",
        "publish_end_1": "",
        "offerings-TOTAL_FORMS": "0",
        "offerings-INITIAL_FORMS": "0",
        "offerings-MIN_NUM_FORMS": "0",
        "offerings-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:catalog_item_changelist",
        "admin:catalog_item_add",
        "admin:catalog_offering_changelist",
        "admin:catalog_offering_add",
        "admin:catalog_topic_changelist",
        "admin:catalog_audience_changelist",
        "admin:catalog_audience_add",
        "admin:catalog_zeroresultsearch_changelist",
    ],
)
def test_catalog_admin_pages_load_for_staff(admin_client, url_name):
    ItemFactory(title="Hand hygiene basics")
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200


def test_item_change_page_shows_the_sessions_inline(admin_client):
    offering = OfferingFactory(location="Simulation Suite B")
    response = admin_client.get(reverse("admin:catalog_item_change", args=[offering.item.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="offerings-group"' in content
    assert "Simulation Suite B" in content


def test_item_changelist_searches_title_summary_provider_and_external_id(admin_client):
    ItemFactory(title="Sepsis recognition", provider="Acute Care Academy", external_id="LMS-77")
    ItemFactory(title="Budgeting for ward managers", provider="Finance")
    url = reverse("admin:catalog_item_changelist")
    for term in ["sepsis", "Acute Care", "LMS-77"]:
        content = admin_client.get(url, {"q": term}).content.decode()
        assert "Sepsis recognition" in content, term
        assert "Budgeting for ward managers" not in content, term


def test_item_changelist_filters_by_published_and_topic(admin_client):
    safety = TopicFactory(name="Patient safety")
    ItemFactory(title="Published safety course", topics=[safety])
    ItemFactory(title="Draft safety course", topics=[safety], is_published=False)
    ItemFactory(title="Published finance course")
    url = reverse("admin:catalog_item_changelist")
    content = admin_client.get(url, {"is_published__exact": "1", "topics__id__exact": safety.pk})
    content = content.content.decode()
    assert "Published safety course" in content
    assert "Draft safety course" not in content
    assert "Published finance course" not in content


def test_adding_an_item_with_topics_and_a_session_refreshes_its_search_text(admin_client):
    safety = TopicFactory(name="Patient safety")
    starts = timezone.localtime() + dt.timedelta(days=10)
    data = _item_form(
        topics=[safety.pk],
        **{
            "offerings-TOTAL_FORMS": "1",
            "offerings-0-title": "Morning cohort",
            "offerings-0-starts_at_0": starts.strftime("%Y-%m-%d"),
            "offerings-0-starts_at_1": "09:00:00",
            "offerings-0-ends_at_0": starts.strftime("%Y-%m-%d"),
            "offerings-0-ends_at_1": "11:00:00",
            "offerings-0-timezone": "Europe/London",
            "offerings-0-status": Offering.Status.SCHEDULED,
            "offerings-0-location": "Education Centre",
            "offerings-0-online_url": "",
            "offerings-0-capacity": "12",
            "offerings-0-waitlist_enabled": "on",
            "offerings-0-enrollment_opens_at_0": "",
            "offerings-0-enrollment_opens_at_1": "",
            "offerings-0-enrollment_closes_at_0": "",
            "offerings-0-enrollment_closes_at_1": "",
            "offerings-0-external_id": "",
        },
    )
    response = admin_client.post(reverse("admin:catalog_item_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = Item.objects.get(slug="speaking-up-for-safety")
    # topic_names is written by catalog.services.item_search_refresh, only after the m2m save.
    assert item.topic_names == "Patient safety"
    assert list(item.offerings.values_list("title", "capacity")) == [("Morning cohort", 12)]


def test_changing_an_items_topics_in_admin_refreshes_its_search_text(admin_client):
    old, new = TopicFactory(name="Leadership"), TopicFactory(name="Wellbeing")
    item = ItemFactory(title="Resilient teams", slug="resilient-teams", topics=[old])
    data = _item_form(title=item.title, slug=item.slug, topics=[new.pk])
    response = admin_client.post(reverse("admin:catalog_item_change", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.topic_names == "Wellbeing"


def test_item_change_history_lists_admin_edits(admin_client):
    item = ItemFactory(title="Old title", slug="history-item")
    admin_client.post(
        reverse("admin:catalog_item_change", args=[item.pk]),
        _item_form(title="New title", slug="history-item"),
    )
    response = admin_client.get(reverse("admin:catalog_item_history", args=[item.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "New title" in content
    assert item.history.count() == 2


def test_view_on_site_previews_an_unpublished_restricted_item(admin_client):
    item = ItemFactory(
        title="Draft for ward managers",
        slug="draft-for-ward-managers",
        is_published=False,
        audiences=[AudienceFactory(managers_only=True)],
    )
    content_type = ContentType.objects.get_for_model(Item)
    shortcut = reverse("admin:view_on_site", args=[content_type.pk, item.pk])
    response = admin_client.get(shortcut, follow=True)
    assert response.redirect_chain[-1][0].endswith(item.get_absolute_url())
    assert response.status_code == 200
    assert "Draft for ward managers" in response.content.decode()


def test_zero_result_searches_are_read_only_and_sorted_by_count(admin_client):
    today = timezone.localdate()
    ZeroResultSearch.objects.create(term="rare search", day=today, count=2)
    ZeroResultSearch.objects.create(term="popular missing topic", day=today, count=40)
    url = reverse("admin:catalog_zeroresultsearch_changelist")
    content = admin_client.get(url).content.decode()
    assert content.index("popular missing topic") < content.index("rare search")
    assert admin_client.get(reverse("admin:catalog_zeroresultsearch_add")).status_code == 403
    row = ZeroResultSearch.objects.get(term="rare search")
    admin_client.post(
        reverse("admin:catalog_zeroresultsearch_change", args=[row.pk]),
        {"term": "edited", "day": today.isoformat(), "count": "999"},
    )
    row.refresh_from_db()
    assert (row.term, row.count) == ("rare search", 2)
    delete_url = reverse("admin:catalog_zeroresultsearch_delete", args=[row.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ZeroResultSearch.objects.count() == 2


def test_non_staff_cannot_reach_the_catalog_admin(client, employee):
    client.force_login(employee.user)
    response = client.get(reverse("admin:catalog_item_changelist"), follow=True)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_anonymous_admin_visit_is_sent_to_allauth_login(client):
    url = reverse("admin:catalog_item_changelist")
    response = client.get(url)
    assert response.status_code == 302
    login = reverse("admin:login")
    assert response.url.startswith(login)
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_launch_url_without_scheme_is_saved_as_https(admin_client):
    data = _item_form(launch_url="elearning.example.org/course/42")
    response = admin_client.post(reverse("admin:catalog_item_add"), data)
    assert response.status_code == 302
    item = Item.objects.get(slug="speaking-up-for-safety")
    assert item.launch_url == "https://elearning.example.org/course/42"


@pytest.mark.postgres
def test_item_saved_in_admin_is_found_by_full_text_search_on_its_new_topic(admin_client):
    topic = TopicFactory(name="Infection control")
    item = ItemFactory(title="Ward routines", slug="ward-routines")
    data = _item_form(title=item.title, slug=item.slug, topics=[topic.pk])
    admin_client.post(reverse("admin:catalog_item_change", args=[item.pk]), data)
    query = SearchQuery("infection", config=SEARCH_CONFIG)
    assert list(Item.objects.filter(search_document__vector=query)) == [item]
