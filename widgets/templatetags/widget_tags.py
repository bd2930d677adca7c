from django import template

register = template.Library()


@register.inclusion_tag("widgets/_suggest_to_team.html", takes_context=True)
def suggest_to_team_form(context, item):
    """'Suggest to my team' on an item page, for people leaders with active direct reports."""
    request = context["request"]
    employee = getattr(request.user, "employee", None) if request.user.is_authenticated else None
    show = bool(
        employee
        and employee.is_manager
        and employee.direct_reports.filter(user__is_active=True).exists()
    )
    return {"show": show, "item": item, "request": request}
