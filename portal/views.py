"""Pages that compose several apps: the home page, the item page and the person's profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.visibility import can_preview_unpublished
from circles import selectors as circle_selectors
from enrollment import selectors as enrollment_selectors
from enrollment.models import Source
from people.forms import LanguageForm, TimeZoneForm
from people.middleware import remember_time_zone
from people.selectors import employee_get_for_user
from people.services import user_language_set, user_time_zone_set
from themes import selectors as theme_selectors
from widgets import selectors as widget_selectors
from widgets.forms import InterestsForm
from widgets.services import interests_set

from .home import home_rows


def home(request):
    now = timezone.now()
    theme = theme_selectors.theme_get_current(now=now)
    theme_entries = []
    if theme is not None:
        theme_entries = theme_selectors.theme_entries_visible_to(
            theme=theme, user=request.user, now=now
        )[: theme_selectors.HERO_ITEM_COUNT]
    # The same suggestions as the intranet widget, for people who come to the portal itself.
    suggestions = None
    suggestion_cards = []
    if request.user.is_authenticated:
        viewer = widget_selectors.viewer_for(user=request.user, now=now)
        suggestions = widget_selectors.suggestions_for(viewer=viewer, limit=4, now=now)
        covers = catalog_selectors.item_cover_urls(
            item_ids=[s.item_id for s in suggestions.suggestions]
        )
        suggestion_cards = [(s, covers.get(s.item_id, "")) for s in suggestions.suggestions]
    return render(
        request,
        "portal/home.html",
        {
            "theme": theme,
            "theme_entries": theme_entries,
            "theme_is_this_month": theme is not None
            and theme.month == theme_selectors.month_start(now),
            "suggestions": suggestions,
            "suggestion_cards": suggestion_cards,
            "rows": home_rows(user=request.user, now=now),
        },
    )


def item_detail(request, slug):
    """The catalog's item page, with enrollment's call to action, the circles one can join on
    the item, and "Suggest to my team"."""
    item = catalog_selectors.item_get_visible_to(user=request.user, slug=slug)
    if item is None:
        raise Http404("No such item.")
    # The attribution a link brought to the item page (`?source=widget_employee`) travels on
    # to the enroll link; without one, the enrollment is credited to the item page.
    raw_source = request.GET.get("source")
    source = Source.parse(raw_source) if raw_source else Source.ITEM_PAGE
    actions = enrollment_selectors.item_actions_for(user=request.user, item=item)
    offer_team_suggestion = widget_selectors.team_suggestion_offered(user=request.user)
    # The catalog lists the sessions with their capacity; a person decides by the seats
    # left ("Full — join the waitlist"), which enrollment has just counted for the actions.
    seats_left = {offering.pk: offering.seats_left for offering in actions.offerings}
    for session in getattr(item, "upcoming_sessions", []):
        session.seats_left = seats_left.get(session.pk, session.capacity)
    return render(
        request,
        "portal/item_detail.html",
        {
            "item": item,
            "is_preview": can_preview_unpublished(request.user) and not item.is_public,
            "actions": actions,
            "source": source.value,
            "offer_team_suggestion": offer_team_suggestion,
            "team_suggestion": offer_team_suggestion
            and widget_selectors.team_suggestion_active_for(user=request.user, item=item),
            "item_circles": circle_selectors.circle_list_joinable_on(
                user=request.user, subject=item
            ),
        },
    )


@login_required
def profile(request):
    """The person's HR record (people), their time zone and learning language (people), their
    interests (widgets) and a link to emails. Each section is its own form, told apart by its
    submit button."""
    employee = employee_get_for_user(user=request.user)
    form = None
    languages = catalog_selectors.item_language_options()
    if request.user.language and request.user.language not in dict(languages):
        # Chosen when the catalog still taught in it: kept on offer, not silently changed.
        chosen = request.user.language
        languages.append((chosen, catalog_selectors.language_label(chosen)))
    language_form = LanguageForm(initial={"language": request.user.language}, languages=languages)
    if request.method == "POST" and "save_language" in request.POST:
        language_form = LanguageForm(request.POST, languages=languages)
        if language_form.is_valid():
            user_language_set(user=request.user, language=language_form.cleaned_data["language"])
            messages.success(request, "Your learning language is saved: suggestions put it first.")
            return redirect("profile")
    zone_form = TimeZoneForm(initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and "save_time_zone" in request.POST:
        zone_form = TimeZoneForm(request.POST)
        if zone_form.is_valid():
            user = user_time_zone_set(
                user=request.user, time_zone=zone_form.cleaned_data["time_zone"]
            )
            remember_time_zone(request, user.time_zone)
            messages.success(request, "Your time zone is saved: times are shown in it.")
            return redirect("profile")
    if employee is not None:
        if request.method == "POST" and not {"save_time_zone", "save_language"} & set(request.POST):
            form = InterestsForm(request.POST)
            if form.is_valid():
                interests_set(employee=employee, topics=form.cleaned_data["interests"])
                messages.success(request, "Your interests are saved.")
                return redirect("profile")
        else:
            chosen = widget_selectors.interest_topic_list(employee=employee)
            form = InterestsForm(initial={"interests": list(chosen)})
    return render(
        request,
        "portal/profile.html",
        {
            "employee": employee,
            "form": form,
            "zone_form": zone_form,
            "language_form": language_form,
        },
    )
