"""The Slack events endpoint, and a circle's "Slack and Notion" page for its facilitators.

A circle the person may not manage answers 404 (never 403), as circles' own pages do.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from circles.models import Circle
from circles.selectors import circle_get_visible_to, circle_membership
from learning_portal.core.uploads import file_digest
from notifications.services import absolute_url

from . import markdown, selectors, services, slack
from .forms import NotionLinkForm, SlackImportForm, SlackLinkForm

logger = logging.getLogger(__name__)

EVENTS_NOT_CONFIGURED = "Slack events are not set up on this portal."
EVENTS_BAD_SIGNATURE = "invalid or stale X-Slack-Signature"
EVENTS_BAD_BODY = "the body is not a JSON object"


@csrf_exempt
@require_POST
def slack_events(request):
    """Slack's Events API. The signature is checked before anything else; an event is kept
    by its ID and processed by a task, so Slack gets its answer at once (it wants one
    within 3 s, and delivers again otherwise: the event ID makes that a no-op)."""
    if not slack.events_configured():
        return JsonResponse({"error": EVENTS_NOT_CONFIGURED}, status=404)
    body = request.body
    if not slack.signature_valid(
        body=body,
        timestamp=request.headers.get("X-Slack-Request-Timestamp"),
        signature=request.headers.get("X-Slack-Signature"),
    ):
        return JsonResponse({"error": EVENTS_BAD_SIGNATURE}, status=401)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"error": EVENTS_BAD_BODY}, status=400)
    kind = payload.get("type")
    if kind == "url_verification":
        return JsonResponse({"challenge": str(payload.get("challenge", ""))})
    if kind == "event_callback" and payload.get("event_id"):
        services.slack_event_record(payload=payload)
    return HttpResponse(status=200)


def _managed_or_404(request, slug) -> Circle:
    circle = circle_get_visible_to(user=request.user, slug=slug)
    if circle is None or not circle_membership(user=request.user, circle=circle).can_manage:
        raise Http404("No such circle.")
    return circle


def _readable_or_404(request, slug) -> Circle:
    circle = circle_get_visible_to(user=request.user, slug=slug)
    if circle is None or not circle.is_public:
        raise Http404("No such archive.")
    return circle


def _page(request, circle, *, status=200, **forms):
    slack_link = selectors.slack_link_for(circle=circle)
    notion_link = selectors.notion_link_for(circle=circle)
    context = {
        "circle": circle,
        "configured": selectors.connectors_configured(),
        "slack_link": slack_link,
        "slack_messages": selectors.slack_messages_recent(circle=circle),
        "notion_link": notion_link,
        "notion_pages": selectors.notion_pages_for(circle=circle),
        "slack_form": forms.get("slack_form")
        or SlackLinkForm(initial={"channel_id": slack_link.channel_id if slack_link else ""}),
        "import_form": forms.get("import_form") or SlackImportForm(),
        "report": forms.get("report"),
        "notion_form": forms.get("notion_form") or NotionLinkForm(),
        "events_url": absolute_url(reverse("integrations:slack_events")),
    }
    return render(request, "integrations/circle.html", context, status=status)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def circle_connections(request, slug):
    return _page(request, _managed_or_404(request, slug))


def _link_save(request, slug, *, form_class, form_key, save, refused_on, linked):
    """A connector's link form: saved (the form's fields are the service's arguments) and
    back to the page with `linked(link)` said, or the page again with the form's errors."""
    circle = _managed_or_404(request, slug)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            link = save(circle=circle, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(refused_on, error)
        else:
            messages.success(request, linked(link))
            return redirect("integrations:circle", slug=circle.slug)
    return _page(request, circle, status=400, **{form_key: form})


def _link_remove(request, slug, *, remove, unlinked: str):
    circle = _managed_or_404(request, slug)
    remove(circle=circle, actor=request.user)
    messages.success(request, unlinked)
    return redirect("integrations:circle", slug=circle.slug)


@login_required
@require_POST
def slack_link(request, slug):
    return _link_save(
        request,
        slug,
        form_class=SlackLinkForm,
        form_key="slack_form",
        save=services.slack_link_save,
        refused_on="channel_id",
        linked=lambda link: f"Linked to #{link.channel_name or link.channel_id} in Slack.",
    )


@login_required
@require_POST
def slack_unlink(request, slug):
    return _link_remove(
        request,
        slug,
        remove=services.slack_link_remove,
        unlinked="Unlinked from Slack: nothing more is posted there.",
    )


@login_required
@require_POST
def slack_import(request, slug):
    circle = _managed_or_404(request, slug)
    form = SlackImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, circle, status=400, import_form=form)
    data = form.cleaned_data["file"]
    report = services.slack_export_import(
        circle=circle,
        actor=request.user,
        data=data,
        dry_run=form.cleaned_data["dry_run"],
        channel=form.cleaned_data["channel"],
    )
    # After a preview with something to import, the form is set to apply the same file.
    ready = report.dry_run and not report.file_error and report.created
    next_form = SlackImportForm(
        initial={
            "dry_run": not ready,
            "channel": form.cleaned_data["channel"],
            "previewed_digest": file_digest(data) if ready else "",
        }
    )
    status = 400 if report.file_error else 200
    return _page(request, circle, status=status, import_form=next_form, report=report)


@login_required
@require_POST
def notion_link(request, slug):
    return _link_save(
        request,
        slug,
        form_class=NotionLinkForm,
        form_key="notion_form",
        save=services.notion_link_save,
        refused_on="parent",
        linked=lambda link: f"Linked to “{link.parent_title}” in Notion.",
    )


@login_required
@require_POST
def notion_unlink(request, slug):
    return _link_remove(
        request,
        slug,
        remove=services.notion_link_remove,
        unlinked="Unlinked from Notion. The pages already there stay as they are.",
    )


@login_required
@require_POST
def notion_push(request, slug):
    circle = _managed_or_404(request, slug)
    try:
        services.notion_archive_schedule(circle=circle, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, "The archive is on its way to Notion: this page shows when it is there."
        )
    return redirect("integrations:circle", slug=circle.slug)


@login_required
@require_GET
def notion_download(request, slug):
    """ "Download for Notion": the archive's pages as Markdown files in a ZIP, for Notion's
    import (Settings → Import → Markdown). Whoever may read the archive may download it."""
    circle = _readable_or_404(request, slug)
    response = HttpResponse(markdown.archive_zip(circle), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{circle.slug}-notion.zip"'
    return response


@login_required
@require_GET
def notion_week_download(request, slug, week):
    circle = _readable_or_404(request, slug)
    files = markdown.week_files(circle, week=week)
    if not files:
        raise Http404("Nothing is published for this week.")
    response = HttpResponse(files[0].text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{files[0].filename}"'
    return response
