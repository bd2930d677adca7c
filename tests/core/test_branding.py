"""Branding from settings: the colour reaches pages as /brand.css and always passes AA."""

import pytest
from django.core import checks

from learning_portal.core import branding


@pytest.mark.parametrize("colour", ["#005eb8", "#ffcc00", "#7fdbff", "#fff", "#00a499", "#330072"])
def test_palette_gives_white_text_aa_contrast_on_any_brand_colour(colour):
    palette = branding.palette(colour)

    assert branding.contrast(palette["--brand"], "#ffffff") >= branding.AA_TEXT_CONTRAST
    assert branding.contrast(palette["--brand-dark"], "#ffffff") >= branding.AA_TEXT_CONTRAST
    # Links in the brand colour on the page, and on its own pale tint, stay readable too.
    assert branding.contrast(palette["--brand"], palette["--brand-tint"]) >= 4.5
    assert branding.contrast(palette["--brand"], branding.PAGE_BACKGROUND) >= 4.5


def test_palette_keeps_a_colour_that_already_passes():
    assert branding.palette("#005eb8")["--brand"] == "#005eb8"


def test_contrast_matches_wcag_reference_values():
    assert branding.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert branding.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.django_db
def test_pages_link_the_brand_stylesheet_with_the_configured_colour(client, settings):
    settings.PORTAL_PRIMARY_COLOUR = "#330072"
    settings.PORTAL_NAME = "St Elsewhere Learning"
    settings.PORTAL_LOGO_URL = "/static/brand/logo.svg"

    page = client.get("/").content.decode()
    css_url = branding.stylesheet_url()
    css = client.get(css_url)

    assert f'href="{css_url}"' in page
    assert 'src="/static/brand/logo.svg"' in page
    assert "St Elsewhere Learning" in page
    assert css["Content-Type"].startswith("text/css")
    assert "--brand:#330072;" in css.content.decode()
    assert "immutable" in css["Cache-Control"]


def test_a_new_colour_gets_a_new_stylesheet_url(settings):
    settings.PORTAL_PRIMARY_COLOUR = "#005eb8"
    first = branding.stylesheet_url()
    settings.PORTAL_PRIMARY_COLOUR = "#330072"

    assert branding.stylesheet_url() != first


def test_settings_check_refuses_a_bad_colour_and_an_off_site_logo(settings):
    settings.PORTAL_PRIMARY_COLOUR = "blue"
    settings.PORTAL_LOGO_URL = "https://cdn.example.com/logo.png"

    ids = {error.id for error in branding.check_branding(None)}

    assert ids == {"core.E101", "core.E102"}
    assert checks.run_checks(tags=None)  # registered with Django's checks
