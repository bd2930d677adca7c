"""The demand board's pages: everyone signed in proposes and votes; learning admins moderate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..models import Proposal
from . import selectors, services
from .forms import ModerationForm, ProposalForm

PER_PAGE = 20
TABS = {
    "open": Proposal.Status.OPEN,
    "planned": Proposal.Status.PLANNED,
    "hidden": Proposal.Status.HIDDEN,
}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_errors(form, error: ValidationError) -> None:
    """A service's error on the form: on its field when it names one, else on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def board(request):
    tab = request.GET.get("show", "open")
    if tab not in TABS or (tab == "hidden" and not selectors.can_moderate(request.user)):
        tab = "open"
    sort = request.GET.get("sort", "top")
    sort = sort if sort in selectors.SORTS else "top"
    query = request.GET.get("q", "").strip()[:100]
    proposals = selectors.proposal_list_for_board(
        user=request.user, status=TABS[tab], sort=sort, query=query
    )
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/demand/board.html",
        {
            "page": page,
            "tab": tab,
            "sort": sort,
            "query": query,
            "can_moderate": selectors.can_moderate(request.user),
        },
    )


@login_required
def propose(request):
    form = ProposalForm(request.POST or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Thanks: your proposal is on the board, with your +1.")
            return redirect(proposal.get_absolute_url())
    if form.is_bound and form.errors and form.data.get("title"):
        similar = selectors.proposal_similar(title=form.data["title"])
    return render(
        request,
        "insights/demand/propose.html",
        {"form": form, "similar": similar},
        status=400 if form.errors else 200,
    )


def _proposal_or_404(request, pk) -> Proposal:
    proposal = selectors.proposal_get_for(user=request.user, pk=pk)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


@login_required
def detail(request, pk):
    proposal = _proposal_or_404(request, pk)
    if proposal.status == Proposal.Status.MERGED and not selectors.can_moderate(request.user):
        return redirect(proposal.merged_into.get_absolute_url())
    context = {"proposal": proposal, "can_moderate": selectors.can_moderate(request.user)}
    if context["can_moderate"]:
        context["moderation_form"] = ModerationForm(
            initial={"topic": proposal.topic_id},
            targets=selectors.proposal_merge_targets(proposal=proposal),
        )
    return render(request, "insights/demand/detail.html", context)


@require_POST
@login_required
def vote(request, pk):
    """+1 or withdraw; HTMX swaps the vote control, a plain form post goes back where it was."""
    proposal = _proposal_or_404(request, pk)
    withdraw = request.POST.get("action") == "withdraw"
    error = None
    try:
        if withdraw:
            services.vote_withdraw(user=request.user, proposal=proposal)
        else:
            services.vote_add(user=request.user, proposal=proposal)
    except ValidationError as exc:
        error = _error_text(exc)
    if request.htmx:
        proposal = _proposal_or_404(request, pk)
        return render(
            request,
            "insights/demand/_vote.html",
            {"proposal": proposal, "vote_error": error},
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your +1 was taken back." if withdraw else "Thanks for your +1.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = proposal.get_absolute_url()
    return redirect(target)


@require_POST
@login_required
def moderate(request, pk):
    if not selectors.can_moderate(request.user):
        raise PermissionDenied
    proposal = _proposal_or_404(request, pk)
    form = ModerationForm(request.POST, targets=selectors.proposal_merge_targets(proposal=proposal))
    if form.is_valid():
        data = form.cleaned_data
        action, reason, actor = data["action"], data["reason"], request.user
        try:
            if action == "plan":
                services.proposal_plan(proposal=proposal, actor=actor, reason=reason)
            elif action == "hide":
                services.proposal_hide(proposal=proposal, actor=actor, reason=reason)
            elif action == "reopen":
                services.proposal_reopen(proposal=proposal, actor=actor)
            elif action == "merge":
                services.proposal_merge(
                    proposal=proposal, into=data["into"], actor=actor, reason=reason
                )
            else:
                services.proposal_set_topic(proposal=proposal, topic=data["topic"], actor=actor)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Done: the board shows the change.")
            return redirect(proposal.get_absolute_url())
    proposal = _proposal_or_404(request, pk)
    return render(
        request,
        "insights/demand/detail.html",
        {"proposal": proposal, "can_moderate": True, "moderation_form": form},
        status=400,
    )
