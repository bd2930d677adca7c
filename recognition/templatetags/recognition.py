from django import template

from .. import selectors
from ..forms import PreferenceForm

register = template.Library()


@register.inclusion_tag("recognition/_profile_badges.html", takes_context=True)
def profile_badges(context):
    """The person's own badges for their profile page, with the "show" switch."""
    user = context["request"].user
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "awards": selectors.award_list_for(user=user),
        "preference_form": PreferenceForm(
            initial={"show_badges_in_circles": selectors.shows_badges(user=user)}
        ),
    }
