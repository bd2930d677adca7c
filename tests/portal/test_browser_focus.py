"""Keyboard focus on the home page's cards (WCAG 2.4.7 focus visible, 2.4.11 focus not
obscured), in real Chromium: it shows on the title link a keyboard user tabbed to."""

import pytest

from tests.catalog.factories import ItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_YELLOW = "rgb(255, 235, 59)"  # --focus in assets/css/tokens.css

FOCUSED = """() => {
  const el = document.activeElement;
  const card = el.closest('.item-card');
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + 4, box.top + box.height / 2);
  return {
    isTitleLink: el.matches('.card__title a'),
    text: el.textContent.trim(),
    background: getComputedStyle(el).backgroundColor,
    cardShadow: card ? getComputedStyle(card).boxShadow : null,
    visible: box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0,
    notObscured: hit !== null && (hit === el || el.contains(hit)),
  };
}"""


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)])
def test_tabbing_to_a_home_card_marks_its_title_link_not_the_card(browser_page, viewport):
    ItemFactory(title="Handover that sticks, a practical guide")
    ItemFactory(title="Kind feedback in five minutes")
    page = browser_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto("/")

    page.get_by_role("link", name="Everything new").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)

    assert focused["isTitleLink"], focused
    assert focused["text"] in {
        "Handover that sticks, a practical guide",
        "Kind feedback in five minutes",
    }
    assert focused["background"] == FOCUS_YELLOW
    assert FOCUS_YELLOW not in focused["cardShadow"]
    assert focused["visible"], focused
    assert focused["notObscured"], focused

    # The next Tab reaches the next card's title: one stop per card.
    page.keyboard.press("Tab")
    following = page.evaluate(FOCUSED)
    assert following["isTitleLink"]
    assert following["text"] != focused["text"]
