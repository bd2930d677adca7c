from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.views import CatalogScope, catalog_page

from . import ics, selectors

# The calendar page answers for years around now; anything else is a malformed link.
YEAR_RANGE = 10
BAD_YEAR = "The year must be a number between {low} and {high}."


@require_GET
def theme_calendar(request):
    now = timezone.now()
    this_year = timezone.localtime(now).year
    low, high = this_year - YEAR_RANGE, this_year + YEAR_RANGE
    raw_year = request.GET.get("year", "")
    if raw_year:
        if not raw_year.isdigit() or not low <= int(raw_year) <= high:
            return HttpResponseBadRequest(BAD_YEAR.format(low=low, high=high))
        year = int(raw_year)
    else:
        year = this_year
    months = selectors.theme_list_for_year(year=year, now=now)
    return render(
        request,
        "themes/calendar.html",
        {
            "year": year,
            "months": months,
            "current_month": selectors.month_start(now),
            "previous_year": year - 1 if year > low else None,
            "next_year": year + 1 if year < high else None,
            "has_themes": any(month.theme or month.coming for month in months),
        },
    )


@require_GET
def theme_archive(request):
    themes = selectors.theme_list_archive()
    return render(request, "themes/archive.html", {"themes": themes})


def _visible_theme_or_404(request, slug: str, now):
    theme = selectors.theme_get_visible(user=request.user, slug=slug, now=now)
    if theme is None:
        raise Http404("No such theme.")
    return theme


@require_GET
def theme_detail(request, slug):
    now = timezone.now()
    theme = _visible_theme_or_404(request, slug, now)
    return render(
        request,
        "themes/theme_detail.html",
        {
            "theme": theme,
            "is_preview": not theme.is_released(now),
            "entries": selectors.theme_entries_visible_to(theme=theme, user=request.user, now=now),
            "sessions": selectors.theme_offerings_visible_to(
                theme=theme, user=request.user, now=now
            ),
            "circles": selectors.theme_circles_visible_to(theme=theme, user=request.user, now=now),
            "now": now,
        },
    )


@require_GET
def theme_catalog(request, slug):
    """The catalog, narrowed to a released theme's items, with every search and filter."""
    theme = selectors.theme_get_released(slug=slug)
    if theme is None:
        raise Http404("No such theme.")
    scope = CatalogScope(
        name="theme",
        label=f"Theme: {theme.title}",
        condition=selectors.theme_items_q(theme=theme),
        action=reverse("themes:catalog", kwargs={"slug": theme.slug}),
    )
    return catalog_page(request, scope=scope)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def releases_ics(request):
    now = timezone.now()
    content = ics.releases_calendar(
        released=selectors.theme_list_released(now=now).order_by("release_at"),
        upcoming=selectors.theme_list_upcoming_releases(now=now).order_by("release_at"),
        now=now,
    )
    return _ics_response(content, "learning-themes.ics")


@require_GET
def sessions_ics(request, slug):
    now = timezone.now()
    theme = _visible_theme_or_404(request, slug, now)
    offerings = selectors.theme_offerings_visible_to(theme=theme, user=request.user, now=now)
    content = ics.sessions_calendar(theme=theme, offerings=offerings, now=now)
    return _ics_response(content, f"{theme.slug}-sessions.ics")
