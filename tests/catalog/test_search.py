import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Item
from catalog.search import normalize_search_term, search_items, search_matches
from catalog.selectors import item_list_visible_to
from tests.catalog.factories import TopicFactory


def titles(term, user=None):
    found = search_items(item_list_visible_to(user=user or AnonymousUser()), term)
    return [item.title for item in found.order_by("-search_rank", "title")]


def test_normalize_search_term_lowercases_trims_and_collapses_whitespace():
    assert normalize_search_term("  Hand\t HYGIENE \n audit ") == "hand hygiene audit"
    assert normalize_search_term("a" * 300) == "a" * 200
    assert normalize_search_term("   ") == ""


@pytest.mark.django_db
def test_search_matches_title_summary_description_provider_and_topics(make_item):
    make_item(title="Title match: dementia")
    make_item(title="Summary", summary="Caring for people with dementia.")
    make_item(title="Description", description="Covers **dementia** care.")
    make_item(title="Provider", provider="Dementia UK")
    make_item(title="Topic", topics=[TopicFactory(name="Dementia care")])
    make_item(title="Unrelated", summary="Hand hygiene")

    assert set(titles("dementia")) == {
        "Title match: dementia",
        "Summary",
        "Description",
        "Provider",
        "Topic",
    }


@pytest.mark.django_db
def test_search_requires_every_word(make_item):
    make_item(title="Sepsis recognition", summary="For ward nurses")
    make_item(title="Sepsis in children", summary="For paediatric teams")

    assert titles("sepsis ward") == ["Sepsis recognition"]


@pytest.mark.django_db
def test_search_ranks_title_matches_above_description_matches(make_item):
    make_item(title="Handover basics", description="Includes a section on delegation.")
    make_item(title="Delegation for nurses", description="Handing over tasks safely.")

    assert titles("delegation")[0] == "Delegation for nurses"


@pytest.mark.django_db
def test_blank_search_returns_everything_visible(make_item):
    make_item(title="One")
    make_item(title="Two")

    assert set(titles("   ")) == {"One", "Two"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_tolerates_a_typo_in_the_title(make_item):
    make_item(title="Leadership for new ward managers")
    make_item(title="Infection control")

    assert titles("leadrship") == ["Leadership for new ward managers"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_stems_words(make_item):
    make_item(title="Managing difficult conversations")
    make_item(title="Infection control")

    assert titles("managed conversation") == ["Managing difficult conversations"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_ranks_by_field_weight(make_item):
    make_item(title="Provider match", provider="Resilience Institute")
    make_item(title="Summary match", summary="Building resilience on shift")
    make_item(title="Topic match", topics=[TopicFactory(name="Resilience")])
    make_item(title="Resilience at work")

    assert titles("resilience") == [
        "Resilience at work",
        "Topic match",
        "Summary match",
        "Provider match",
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_understands_websearch_syntax(make_item):
    make_item(title="Sepsis in adults")
    make_item(title="Sepsis in children")
    make_item(title="Adult safeguarding")

    assert titles("sepsis -children") == ["Sepsis in adults"]
    assert titles('"sepsis in children"') == ["Sepsis in children"]
    assert set(titles("safeguarding or children")) == {"Sepsis in children", "Adult safeguarding"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_uses_the_refreshed_search_vector(make_item):
    item = make_item(title="Moving and handling")
    item.topics.add(TopicFactory(name="Ergonomics"))

    assert titles("ergonomics") == []

    from catalog.services import item_search_refresh

    item_search_refresh(item_ids=[item.pk])
    assert titles("ergonomics") == ["Moving and handling"]


@pytest.mark.django_db
def test_search_excludes_words_prefixed_with_a_minus(make_item):
    make_item(title="Sepsis in adults")
    make_item(title="Sepsis in children")

    assert titles("sepsis -children") == ["Sepsis in adults"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_full_text_matches_rank_above_typo_only_matches(make_item):
    make_item(title="Leadrship essentials", summary="Feedback in practice.")
    make_item(title="Team meetings", summary="Everyday leadership for new managers.")

    # A summary-only full-text match still comes before a title that only looks alike.
    assert titles("leadership") == ["Team meetings", "Leadrship essentials"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term",
    [
        "leadership",
        "leadrship",
        "sepsis -children",
        '"sepsis in children"',
        "sepsis or team",
        "-children",
        "-the",
        "or",
        "-a -b",
    ],
)
def test_search_matches_reads_what_search_items_finds_with_the_same_ranks(make_item, term):
    """The catalog index's fast path (two queries on PostgreSQL) agrees with the one query."""
    make_item(title="Leadrship essentials", summary="Feedback in practice.")
    make_item(title="Team meetings", summary="Everyday leadership for new managers.")
    make_item(title="Sepsis in adults", description="Leadership on the ward.")
    make_item(title="Sepsis in children")
    make_item(title="Hand hygiene")

    expected = search_items(Item.objects.all(), term)
    ids, ranks = search_matches(term)
    found = dict(zip(ids.tolist(), ranks.tolist(), strict=True))

    assert found == pytest.approx(dict(expected.values_list("pk", "search_rank")))
    assert [len(values) for values in search_matches("  ")] == [0, 0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_packed_read_gives_ids_and_ranks_exactly_and_refuses_a_null_rank():
    from catalog.search import read_id_rank_pairs

    rows = "SELECT * FROM (VALUES (7, 0.25::float8), (3, -0.125::float8)) AS t(item_id, rank)"
    ids, ranks = read_id_rank_pairs(rows, [])
    assert ids.tolist() == [7, 3]
    assert ranks.tolist() == [0.25, -0.125]

    ids, ranks = read_id_rank_pairs(rows + " WHERE item_id > %s", [100])
    assert (len(ids), len(ranks)) == (0, 0)

    with pytest.raises(ValueError, match="NULL"):
        read_id_rank_pairs("SELECT 1 AS item_id, NULL::float8 AS rank", [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_parses_the_query_once_as_a_plan_parameter(make_item):
    """Inline, the planner estimated a common word's matches and read every document."""
    make_item(title="Leadership on the ward")
    make_item(title="Team leadership", summary="Leadership for new managers.")

    with CaptureQueriesContext(connection) as queries:
        ids, _ = search_matches("leadership -ward")
    sql = queries[-1]["sql"]
    found_sql, params = search_items(Item.objects.all(), "leadership -ward").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + found_sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert len(ids) == 1
    assert "(SELECT websearch_to_tsquery(" in sql
    assert "(SELECT plainto_tsquery(" in sql  # the exclusion
    assert "websearch_to_tsquery" not in sql.replace("(SELECT websearch_to_tsquery(", "")
    assert "InitPlan" in plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_looks_for_typos_only_while_the_words_match_few_documents(make_item, monkeypatch):
    """A common word's typo-only titles would rank after all its matches, and finding them
    cost most of its first search; a rare or misspelt word still gets them."""
    monkeypatch.setattr("catalog.search.TYPO_MATCHES_BELOW", 2)
    make_item(title="Leadrship essentials", summary="Feedback in practice.")
    make_item(title="Team meetings", summary="Everyday leadership for new managers.")

    assert titles("leadership") == ["Team meetings", "Leadrship essentials"]  # 1 match: few

    make_item(title="Leading people", description="Leadership on the ward.")
    assert set(titles("leadership")) == {"Team meetings", "Leading people"}
    ids, _ = search_matches("leadership")
    assert sorted(ids.tolist()) == sorted(
        Item.objects.filter(title__in=["Team meetings", "Leading people"]).values_list(
            "pk", flat=True
        )
    )
    assert titles("leadrship") == ["Leadrship essentials"]  # misspelt: no full-text match
