"""The archive of key insights (page, print, Markdown for Notion) and the end-of-circle
surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..exporting import archive_markdown
from ..forms import ArchiveSearchForm, FacilitatorSurveyForm, LearnerSurveyForm
from ..models import FacilitatorSurvey, LearnerSurvey
from .common import PAGE_SIZE, circle_or_404


@login_required
def archive_list(request):
    search = ArchiveSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    circles = selectors.archive_list_visible_to(user=request.user, search=term)
    page = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "circles/archive_list.html", {"search": search, "page": page, "term": term}
    )


def _archive_context(request, slug):
    circle = circle_or_404(request.user, slug)
    if not circle.is_public:
        raise Http404("No such archive.")
    return {
        "circle": circle,
        "weeks": selectors.circle_archive_weeks(circle=circle),
        "facilitators": list(circle.facilitators.all()),
    }


@login_required
def circle_insights(request, slug):
    context = _archive_context(request, slug)
    context["attendance"] = selectors.attendance_for(user=request.user, circle=context["circle"])
    return render(request, "circles/insights.html", context)


@login_required
def circle_insights_print(request, slug):
    return render(request, "circles/insights_print.html", _archive_context(request, slug))


@login_required
def circle_insights_markdown(request, slug):
    circle = _archive_context(request, slug)["circle"]
    response = HttpResponse(
        archive_markdown(circle=circle), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{circle.slug}.md"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, slug):
    circle = circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.is_member:
        raise Http404("No such survey.")
    facilitator = membership.is_facilitator
    model = FacilitatorSurvey if facilitator else LearnerSurvey
    form_class = FacilitatorSurveyForm if facilitator else LearnerSurveyForm
    existing = model.objects.filter(circle=circle, user=request.user).first()
    form = form_class(request.POST or None, instance=existing)
    if not services.survey_open(circle=circle):
        return render(request, "circles/survey.html", {"circle": circle, "closed": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if facilitator:
                services.facilitator_survey_submit(circle=circle, user=request.user, **data)
            else:
                services.learner_survey_submit(circle=circle, user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: your answers are saved.")
            return redirect(circle)
    return render(
        request,
        "circles/survey.html",
        {"circle": circle, "form": form, "facilitator": facilitator},
        status=400 if form.errors else 200,
    )
