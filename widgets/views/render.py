"""The fragment's HTML, joined from parts rendered once per process.

Rendering the whole frame template for each person was a fifth of a first view. The frame
around the list and each suggestion's card are the same for everyone they are shown to, so
each is rendered once per process, memoised under every value it shows (an edited title is
another key, so nothing needs invalidating), and a person's fragment is joined from them
with why each suggestion is shown to them filled in. What varies per response (CSRF token,
widget session, the iframe's id, the stylesheet) stays a slot for fragments.fill_slots.
"""

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from .. import fragments

CARD_SLOTS = {"reason": "@@lpw-card-reason@@", "kind": "@@lpw-card-kind@@"}


@lru_cache(maxsize=4096)
def card_urls(item_id: int) -> dict[str, str]:
    """A suggestion's action URLs, reversed once per item and process: five per card made
    URL reversing a tenth of a first view's render."""
    return {
        name: reverse(f"widgets:{name}", args=[item_id])
        for name in ("go", "dismiss", "dismiss_token", "suggest", "suggest_token")
    }


@lru_cache(maxsize=256)
def _frame(
    *,
    variant: str,
    theme_title: str | None,
    theme_url: str | None,
    notice: str,
    has_suggestions: bool,
    signed_in: bool,
    portal_name: str,
    login_url: str,
) -> str:
    return render_to_string(
        "widgets/frame.html",
        {
            "variant": variant,
            "theme_title": theme_title,
            "theme_url": theme_url,
            "notice": notice,
            "has_suggestions": has_suggestions,
            "signed_in": signed_in,
            "PORTAL_NAME": portal_name,
            "login_url": login_url,
            "slots": fragments.SLOTS,
        },
    )


@lru_cache(maxsize=2048)
def _card(
    *,
    suggestion: tuple,
    variant: str,
    signed_in: bool,
    widget_session: bool,
    limit: int,
    # The session date is shown in the reader's zone and language.
    zone: str,
    language: str | None,
) -> str:
    item_id, title, format_label, duration, next_session = suggestion
    return render_to_string(
        "widgets/_card.html",
        {
            "s": {
                "item_id": item_id,
                "title": title,
                "format_label": format_label,
                "duration": duration,
                "next_session": next_session,
            },
            "urls": card_urls(item_id),
            "variant": variant,
            "signed_in": signed_in,
            "widget_session": widget_session,
            "limit": limit,
            "slots": fragments.SLOTS,
            "card_slots": CARD_SLOTS,
        },
    )


@lru_cache(maxsize=1024)
def _reason(kind: str, reason: str) -> str:
    return render_to_string("widgets/_reason.html", {"kind": kind, "reason": reason})


def frame_html(*, result, signed_in: bool, widget_session: bool, limit: int, notice: str) -> str:
    """The widget's HTML for a result (selectors.WidgetResult), slots left for the response."""
    zone = timezone.get_current_timezone_name()
    language = translation.get_language()
    cards = "".join(
        _card(
            suggestion=(s.item_id, s.title, s.format_label, s.duration, s.next_session),
            variant=result.variant,
            signed_in=signed_in,
            widget_session=widget_session,
            limit=limit,
            zone=zone,
            language=language,
        )
        .replace(CARD_SLOTS["kind"], escape(s.kind))
        .replace(CARD_SLOTS["reason"], _reason(s.kind, s.reason))
        for s in result.suggestions
    )
    frame = _frame(
        variant=result.variant,
        theme_title=result.theme_title,
        theme_url=result.theme_url,
        notice=notice,
        has_suggestions=bool(result.suggestions),
        signed_in=signed_in,
        portal_name=settings.PORTAL_NAME,
        login_url=f"{settings.PORTAL_BASE_URL}{reverse('account_login')}?next=/",
    )
    return frame.replace(fragments.SLOTS["cards"], cards)
