"""The catalog page's cards and filter panel, remembered per process (catalog.fragments):
the page reads exactly as if each were rendered afresh, for every viewer and every change."""

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string

from catalog import fragments
from catalog.models import Item
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.catalog.helpers import LIST_URL
from tests.people.factories import DepartmentFactory, EmployeeFactory

RESULTS = re.compile(r'<ul class="result-list">.*?</ul>\s*(?=<nav|</section>)', re.S)
PANEL = re.compile(r'<form method="get" action="[^"]*" id="catalog-filters".*?</form>', re.S)


def results_of(response) -> str:
    return RESULTS.search(response.content.decode()).group(0)


def panel_of(response) -> str:
    return PANEL.search(response.content.decode()).group(0)


@pytest.fixture
def catalog(make_item):
    make_item(title="Hand hygiene", summary="Clean hands save lives.", provider="Academy")
    make_item(title="Rota planning", summary="Plan the ward's hygiene rota.", language="fr")
    scheduled = make_item(title="Sepsis six", format=Item.Format.LIVE_SESSION)
    OfferingFactory(item=scheduled, starts_at=dt.datetime(2031, 5, 6, 13, 0, tzinfo=dt.UTC))
    return scheduled


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{}, {"q": "hygiene"}, {"q": "hygiene", "format": "course", "sort": "popular"}]
)
def test_remembered_cards_and_panel_read_as_rendered_afresh(client_as, employee, catalog, query):
    other = EmployeeFactory()
    client_as(employee).get(LIST_URL, query)  # renders and remembers them

    remembered = client_as(other).get(LIST_URL, query)
    fragments.forget_rendered()
    fresh = client_as(other).get(LIST_URL, query)

    assert results_of(remembered) == results_of(fresh)
    assert panel_of(remembered) == panel_of(fresh)
    assert len(fragments.cards) == len(remembered.context["items"])


@pytest.mark.django_db
def test_a_card_is_the_item_card_template_as_an_include_renders_it(client, catalog):
    response = client.get(LIST_URL, {"q": "hygiene"})

    for item, card in zip(response.context["items"], response.context["cards"], strict=True):
        context = {"item": item, "term": "hygiene"}
        assert card == render_to_string("catalog/_item_card.html", context)
    assert "<mark>hygiene</mark>" in results_of(response)


@pytest.mark.django_db
def test_each_search_term_is_highlighted_on_the_same_card(client, catalog):
    first = results_of(client.get(LIST_URL, {"q": "hygiene"}))
    second = results_of(client.get(LIST_URL, {"q": "hand"}))

    assert "<mark>Hand</mark> hygiene" in second
    assert "<mark>hygiene</mark>" in first
    assert "<mark>hygiene</mark>" not in second


@pytest.mark.django_db
def test_a_new_search_term_reuses_the_cards_already_rendered(client, catalog):
    """The term's highlighting goes into the remembered card's slots, per request."""
    fragments.forget_rendered()
    first = client.get(LIST_URL, {"q": "hygiene"})
    remembered = len(fragments.cards)
    second = client.get(LIST_URL, {"q": "hand hygiene"})

    shown = {i.pk for i in second.context["items"]}
    assert shown
    assert shown <= {i.pk for i in first.context["items"]}
    assert len(fragments.cards) == remembered
    assert "<!--card-" not in results_of(second)
    assert "<mark>Hand</mark> <mark>hygiene</mark>" in results_of(second)


@pytest.mark.django_db
def test_a_committed_change_to_an_item_reaches_its_card(client, catalog, committed):
    assert "Sepsis six" in results_of(client.get(LIST_URL))

    with committed():
        catalog.title = "Sepsis six, second edition"
        catalog.save()

    assert "Sepsis six, second edition" in results_of(client.get(LIST_URL))


@pytest.mark.django_db
def test_session_times_follow_each_viewers_time_zone(client_as, catalog):
    london = EmployeeFactory(user__time_zone="Europe/London")
    tokyo = EmployeeFactory(user__time_zone="Asia/Tokyo")

    in_london = results_of(client_as(london).get(LIST_URL))
    in_tokyo = results_of(client_as(tokyo).get(LIST_URL))

    assert "Tue 6 May 2031, 14:00</time> London time" in in_london
    assert "Tue 6 May 2031, 22:00</time> Tokyo time" in in_tokyo


@pytest.mark.django_db
def test_a_restriction_written_behind_the_index_shows_its_badge_to_the_audience(
    client_as, committed
):
    pharmacy = DepartmentFactory(name="Pharmacy")
    pharmacist, outsider = EmployeeFactory(department=pharmacy), EmployeeFactory()
    item = ItemFactory(title="Controlled drugs register")
    with committed():
        audience = AudienceFactory(departments=[pharmacy])
    assert "badge-restricted" not in results_of(client_as(pharmacist).get(LIST_URL))

    # A bulk write sends no signal: the index (and the catalog version) do not move.
    Item.audiences.through.objects.bulk_create(
        [Item.audiences.through(item_id=item.pk, audience_id=audience.pk)]
    )

    assert "badge-restricted" in results_of(client_as(pharmacist).get(LIST_URL))
    assert client_as(outsider).get(LIST_URL).context["items"] == []


@pytest.mark.django_db
def test_the_panel_shows_each_persons_own_choices_and_counts(client, catalog):
    chosen = panel_of(client.get(LIST_URL, {"format": "live_session", "q": "sepsis"}))
    plain = panel_of(client.get(LIST_URL))

    assert 'value="live_session" id="facet-format-7" checked' in chosen
    assert 'value="sepsis"' in chosen
    assert "checked" not in plain.replace('id="facet-starts-any" checked', "")
    assert 'name="q" value=""' in plain


@pytest.mark.django_db
def test_item_text_that_looks_like_a_slot_is_shown_escaped_as_a_fresh_render_would(
    client, make_item
):
    make_item(title="Hygiene <!--card-summary--> R&D <b>", summary='Slots "<!--card-title-->"')
    fragments.forget_rendered()

    response = client.get(LIST_URL, {"q": "hygiene card"})
    (item,) = response.context["items"]
    (card,) = response.context["cards"]

    expected = render_to_string("catalog/_item_card.html", {"item": item, "term": "hygiene card"})
    assert card == expected
    assert "&lt;!--<mark>card</mark>-summary--&gt;" in card
    assert "<b>" not in card
