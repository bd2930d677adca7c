"""`{% load markup %}`: the kernel's safe Markdown for every app's templates."""

from django import template

from learning_portal.core.markdown import render_markdown

register = template.Library()


@register.filter(is_safe=True)
def markdown(text: str | None) -> str:
    """`{{ item.description|markdown }}`: see `learning_portal.core.markdown`."""
    return render_markdown(text)
