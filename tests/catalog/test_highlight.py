from catalog.templatetags.catalog_tags import highlight


def test_search_words_are_marked_at_word_beginnings_and_the_text_stays_escaped():
    assert highlight("Leadership <b>now</b>", "leader") == (
        "<mark>Leader</mark>ship &lt;b&gt;now&lt;/b&gt;"
    )


def test_a_word_is_never_marked_inside_an_entity():
    assert highlight("R&D for Ops", "amp ops") == "R&amp;D for <mark>Ops</mark>"
    assert highlight("Nurse's notes", "x27 notes") == "Nurse&#x27;s <mark>notes</mark>"
