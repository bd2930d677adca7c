"""The catalog page's comforts: did-you-mean, related topics, highlighted terms, greyed empty
facet options, the skip link, language attributes and filters that apply as they change."""

import pytest
from django.template import Context, Template

from catalog.models import Item
from tests.catalog.factories import AudienceFactory, ItemFactory, TopicFactory
from tests.people.factories import DepartmentFactory

LIST_URL = "/catalog/"
# The spelling vocabulary's query: every title and topic name everyone may see.
VOCABULARY_READ = '"catalog_item"."topic_names" AS "topic_names" FROM'


@pytest.mark.django_db
def test_a_misspelt_search_offers_the_corrected_term_and_related_topics(client, make_item):
    safety = TopicFactory(name="Patient safety")
    make_item(title="Hand hygiene essentials", topics=[safety])

    response = client.get(LIST_URL, {"q": "hygeine"})
    content = response.content.decode()

    assert response.context["total"] == 0
    assert response.context["suggestions"].did_you_mean == "hygiene"
    assert 'Did you mean <a href="/catalog/?q=hygiene">hygiene</a>?' in content
    assert f'href="/catalog/?topic={safety.slug}"' in content


@pytest.mark.django_db
def test_the_spelling_vocabulary_is_read_once_per_catalog_version_not_per_index_build(
    client, make_item
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import index

    make_item(title="Hand hygiene essentials")
    assert client.get(LIST_URL, {"q": "hygeine"}).context["suggestions"].did_you_mean
    # The index is rebuilt for the clock (same catalog version), in a new process.
    index.refresh_index()
    index.forget_process_copies()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"q": "hygeine"})
    assert response.context["suggestions"].did_you_mean == "hygiene"
    assert not [q for q in queries if VOCABULARY_READ in q["sql"]]


@pytest.mark.django_db
def test_the_refresh_task_reads_the_vocabulary_before_the_first_search_that_finds_nothing(
    client, make_item
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import index
    from catalog.tasks import refresh_catalog_index

    make_item(title="Hand hygiene essentials")
    refresh_catalog_index.apply()  # the worker, after the write
    index.forget_process_copies()  # a web process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"q": "hygeine"})
    assert response.context["suggestions"].did_you_mean == "hygiene"
    assert not [q for q in queries if VOCABULARY_READ in q["sql"]]


@pytest.mark.django_db
def test_did_you_mean_never_spells_out_a_restricted_items_title(client, make_item):
    audience = AudienceFactory(departments=[DepartmentFactory()])
    make_item(title="Confidential restructuring briefing", audiences=[audience])

    response = client.get(LIST_URL, {"q": "restructurng"})

    assert response.context["suggestions"].did_you_mean == ""
    assert "restructuring" not in response.content.decode()


@pytest.mark.django_db
def test_search_terms_are_highlighted_in_titles_and_summaries(client, make_item):
    make_item(title="Leadership basics", summary="For new leaders & <others>.")

    content = client.get(LIST_URL, {"q": "leader"}).content.decode()

    assert "<mark>Leader</mark>ship basics" in content
    assert "For new <mark>leader</mark>s &amp; &lt;others&gt;." in content


def test_highlight_escapes_the_text_and_the_term():
    rendered = Template("{% load catalog_tags %}{{ text|highlight:term }}").render(
        Context({"text": "<b>Safe</b> care", "term": "<b>"})
    )

    assert "<b>" not in rendered
    assert "&lt;" in rendered


@pytest.mark.django_db
def test_facet_options_with_no_results_are_marked_and_the_skip_link_leads_to_results(
    client, make_item
):
    make_item(title="A video", format=Item.Format.VIDEO)

    content = client.get(LIST_URL).content.decode()

    assert 'href="#results"' in content
    assert 'id="results"' in content
    book = content.split('value="book"')[0].rsplit("<li", 1)[1]
    video = content.split('value="video"')[0].rsplit("<li", 1)[1]
    assert 'class="facet-empty"' in book
    assert "facet-empty" not in video


@pytest.mark.django_db
def test_foreign_language_titles_carry_their_lang(client, make_item):
    item = make_item(title="Diriger une équipe", language="fr")

    assert 'lang="fr"' in client.get(LIST_URL).content.decode()
    assert (
        '<h1 lang="fr">Diriger une équipe</h1>'
        in client.get(item.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_filter_form_is_wired_to_apply_as_it_changes_with_a_plain_fallback(client):
    ItemFactory()

    content = client.get(LIST_URL).content.decode()

    assert 'hx-trigger="change, submit"' in content
    assert 'hx-select="#catalog"' in content
    assert "htmx-2.min.js" in content
    # Without JavaScript the same form submits as a GET with its button.
    assert 'method="get" action="/catalog/" id="catalog-filters"' in content
    assert "Apply filters" in content
