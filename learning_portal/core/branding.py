"""The organisation's branding from settings: name, logo and primary colour, no code changes.

The colour reaches the stylesheet as a tiny same-origin stylesheet (/brand.css) of custom
properties, so the CSP keeps refusing inline styles. A chosen colour too light for white text
is darkened until it passes WCAG AA (4.5:1), so branding can never break contrast.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core import checks
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

DEFAULT_PRIMARY_COLOUR = "#005eb8"
AA_TEXT_CONTRAST = 4.5
# --page in assets/css/tokens.css: the grey behind cards, on which links also appear.
PAGE_BACKGROUND = "#f0f4f5"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")

INVALID_COLOUR = "PORTAL_PRIMARY_COLOUR must be a hex colour such as #005eb8, got {value!r}."
INVALID_LOGO = (
    "PORTAL_LOGO_URL must be a path on the portal itself (starting with /, e.g. "
    "/static/brand/logo.svg), since the CSP only loads images from the portal; got {value!r}."
)

RGB = tuple[float, float, float]


def _parse(colour: str) -> RGB:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def _luminance(rgb: RGB) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two hex colours (1 to 21)."""
    la, lb = sorted((_luminance(_parse(a)), _luminance(_parse(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(rgb: RGB, other: RGB, amount: float) -> RGB:
    return tuple(c + (o - c) * amount for c, o in zip(rgb, other, strict=True))  # type: ignore[return-value]


def palette(colour: str) -> dict[str, str]:
    """The brand custom properties for a primary colour: brand, dark (hover), tint (panels).

    The brand is darkened in small steps until it reaches AA both ways it is used: white
    text on it (buttons, header) and it as text (links) on the page, on white and on its
    own pale tint. The dark variant is a further step down.
    """
    black, white = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    rgb = _parse(colour)

    def tint(of: RGB) -> str:
        return _hex(_mix(of, white, 0.9))

    def passes(of: RGB) -> bool:
        brand = _hex(of)
        backgrounds = ("#ffffff", PAGE_BACKGROUND, tint(of))
        return all(contrast(brand, bg) >= AA_TEXT_CONTRAST for bg in backgrounds)

    for _ in range(60):
        if passes(rgb):
            break
        rgb = _mix(rgb, black, 0.05)
    return {
        "--brand": _hex(rgb),
        "--brand-dark": _hex(_mix(rgb, black, 0.35)),
        "--brand-tint": tint(rgb),
        "--on-brand": "#ffffff",
    }


def primary_colour() -> str:
    return getattr(settings, "PORTAL_PRIMARY_COLOUR", "") or DEFAULT_PRIMARY_COLOUR


@functools.lru_cache(maxsize=8)
def _stylesheet_for(colour: str) -> str:
    props = "".join(f"{name}:{value};" for name, value in palette(colour).items())
    return f":root{{{props}}}\n"


def stylesheet() -> str:
    return _stylesheet_for(primary_colour())


@functools.lru_cache(maxsize=8)
def _version(colour: str) -> str:
    return hashlib.sha256(_stylesheet_for(colour).encode()).hexdigest()[:12]


def stylesheet_version() -> str:
    """Changes with the brand stylesheet: for caches of what embeds it (the widget's frame)."""
    return _version(primary_colour())


def stylesheet_url() -> str:
    """/brand.css with a version from its content, so browsers may cache it for a year."""
    return f"{reverse('brand_css')}?v={stylesheet_version()}"


@require_GET
@cache_control(public=True, max_age=60 * 60 * 24 * 365, immutable=True)
def brand_css(request):
    return HttpResponse(stylesheet(), content_type="text/css; charset=utf-8")


@checks.register()
def check_branding(app_configs, **kwargs):
    errors = []
    colour = getattr(settings, "PORTAL_PRIMARY_COLOUR", "")
    if colour and not _HEX.match(colour):
        errors.append(checks.Error(INVALID_COLOUR.format(value=colour), id="core.E101"))
    logo = getattr(settings, "PORTAL_LOGO_URL", "")
    if logo and (not logo.startswith("/") or logo.startswith("//")):
        errors.append(checks.Error(INVALID_LOGO.format(value=logo), id="core.E102"))
    return errors
