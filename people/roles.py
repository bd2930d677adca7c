"""The admin roles: what each kind of staff may do, as Django groups with least privilege.

Roles are code, reviewed and versioned; `migrate` creates or updates their groups (see
`roles_sync` in services). No role may edit accounts' access: staff and superuser flags,
groups, permissions and staff accounts are for superusers alone (people.admin enforces it
whatever permissions a group is given by hand). Permissions are named "app_label.codename";
one that does not exist (an app not installed) is skipped.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleDefinition:
    name: str
    description: str
    permissions: tuple[str, ...]


def _model_perms(app_label: str, *models: str, actions=("add", "change", "delete", "view")):
    return tuple(f"{app_label}.{action}_{model}" for model in models for action in actions)


LEARNING_ADMIN = RoleDefinition(
    name="Learning admins",
    description=(
        "Curate the catalog, sessions, monthly themes and learning circles; define badges, "
        "revoke awards and decide on reported kudos; run rosters, "
        "attendance and "
        "'enroll someone'; import the HR feed and fix reporting lines; manage widget "
        "placements. No access to accounts, groups or permissions."
    ),
    permissions=(
        *_model_perms("catalog", "item", "offering", "topic", "audience"),
        "catalog.view_historicalitem",
        "catalog.view_zeroresultsearch",
        *_model_perms("themes", "theme", "themeitem"),
        *_model_perms("circles", "circle", "planweek", "meeting"),
        "circles.view_signup",
        "themes.view_themerelease",
        *_model_perms("recognition", "badgeclass", actions=("add", "change", "view")),
        "recognition.view_badgeaward",
        "recognition.change_badgeaward",
        "recognition.view_kudosreport",
        "recognition.change_kudosreport",
        "enrollment.view_enrollment",
        "enrollment.change_enrollment",
        "enrollment.view_sessioninterest",
        "people.view_user",
        "people.add_employee",
        "people.change_employee",
        "people.view_employee",
        *_model_perms("people", "department", "role", actions=("add", "change", "view")),
        "people.view_importrun",
        "widgets.add_placement",
        "widgets.change_placement",
        "widgets.view_placement",
        "widgets.view_widgetdailycount",
        "widgets.view_embedtokenrejection",
    ),
)

HR_INSIGHTS = RoleDefinition(
    name="HR insights",
    description=(
        "Read aggregates: widget activity counts, searches that found nothing (topic demand), "
        "departments, roles and HR feed import runs. Never a person's record."
    ),
    permissions=(
        "widgets.view_widgetdailycount",
        "catalog.view_zeroresultsearch",
        "catalog.view_topic",
        "people.view_department",
        "people.view_role",
        "people.view_importrun",
    ),
)

SUPPORT = RoleDefinition(
    name="Support",
    description=(
        "Help people with their account: find them, correct names and email, deactivate or "
        "reactivate, set a new password. Only accounts of non-staff people."
    ),
    permissions=(
        "people.view_user",
        "people.change_user",
        "people.view_employee",
        "people.view_department",
        "people.view_role",
    ),
)

ROLES = (LEARNING_ADMIN, HR_INSIGHTS, SUPPORT)


def role_group(role: RoleDefinition):
    """The group that carries the role (created by migrate)."""
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role.name)
