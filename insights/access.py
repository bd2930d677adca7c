"""Who may read insights: learning admins and the "HR insights" role, and nobody else.

Insights are aggregates only, yet they still describe groups of staff, so they follow least
privilege: a manager or an employee gets 403 on every insights page and export.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from people.roles import HR_INSIGHTS, LEARNING_ADMIN

INSIGHTS_ROLES = (LEARNING_ADMIN.name, HR_INSIGHTS.name)


def can_view_insights(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name__in=INSIGHTS_ROLES).exists()


def insights_required(view):
    """Sign-in first (a visitor is sent to log in), then 403 for anyone without the role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_insights(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)
