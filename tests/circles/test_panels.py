"""Sections higher apps add to a circle's page (circles.panels): only on public circles."""

import pytest

from circles.panels import panels_for
from tests.circles.factories import make_circle

pytestmark = pytest.mark.django_db


def test_a_public_circle_lists_the_registered_sections_with_their_urls():
    circle = make_circle(state="open")
    [panel] = [p for p in panels_for(circle=circle) if p["key"] == "recognition"]
    assert panel["url"] == f"/recognition/circles/{circle.slug}/"
    assert panel["title"] == "Thanks and badges"


def test_a_draft_has_none():
    assert panels_for(circle=make_circle()) == []
