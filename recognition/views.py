"""Badges and kudos pages. Public: the issuer, its keys, a badge's criteria and the
verification page (they reveal nothing about a person that the visitor did not bring).
Everything else is the signed-in person's own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles.selectors import circle_get_visible_to, circle_membership

from . import credentials, keys, selectors, services
from .forms import KudosForm, PreferenceForm, ReportForm, VerifyForm


@require_GET
@cache_control(public=True, max_age=300)
def issuer(request):
    return JsonResponse(credentials.issuer_profile(), content_type="application/ld+json")


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    """The issuer's public keys (RFC 7517 JWK Set): current and retired, at a stable URL."""
    return JsonResponse(keys.public_jwks(), content_type="application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=300)
def key(request, kid):
    """One public key, at the URL a credential's `kid` names."""
    found = keys.verification_keys().get(kid)
    if found is None:
        raise Http404("No such key.")
    return JsonResponse(keys.public_jwk(found), content_type="application/jwk+json")


@require_GET
def badge_class(request, slug):
    badge = selectors.badge_class_get(slug=slug)
    if badge is None:
        raise Http404("No such badge.")
    return render(request, "recognition/badge_class.html", {"badge": badge})


@require_http_methods(["GET", "POST"])
def verify(request):
    result = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = credentials.credential_verify(form.cleaned_data["token"])
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request, "recognition/verify.html", {"form": form, "result": result}, status=status
    )


@login_required
@require_GET
def my_badges(request):
    return render(
        request,
        "recognition/my_badges.html",
        {
            "awards": selectors.award_list_for(user=request.user),
            "preference_form": PreferenceForm(
                initial={"show_badges_in_circles": selectors.shows_badges(user=request.user)}
            ),
        },
    )


def _award_or_404(request, uid):
    found = selectors.award_get_for(user=request.user, uid=uid)
    if found is None:
        raise Http404("No such badge.")
    return found


@login_required
@require_GET
def award(request, uid):
    found = _award_or_404(request, uid)
    return render(request, "recognition/award.html", {"award": found})


@login_required
@require_GET
def award_credential(request, uid):
    found = _award_or_404(request, uid)
    if found.is_revoked:
        messages.error(request, "This badge was revoked, so there is no credential to download.")
        return redirect(found)
    response = HttpResponse(credentials.credential_sign(found), content_type=credentials.MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{found.badge_class.slug}.jwt"'
    response["Cache-Control"] = "private, no-store"
    return response


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def preferences(request):
    form = PreferenceForm(request.POST)
    form.is_valid()
    shown = form.cleaned_data.get("show_badges_in_circles", False)
    services.recognition_preference_set(user=request.user, show_badges_in_circles=shown)
    if shown:
        messages.success(request, "Members of your circles now see your badges.")
    else:
        messages.success(request, "Your badges are private again: only you see them.")
    return redirect(_next_url(request, "recognition:my_badges"))


@login_required
@require_GET
def my_kudos(request):
    return render(
        request,
        "recognition/my_kudos.html",
        {
            "received": selectors.kudos_received(user=request.user),
            "sent": selectors.kudos_sent(user=request.user)[:50],
        },
    )


@login_required
@require_POST
def kudos_share(request, pk):
    kudos = selectors.kudos_get_received(user=request.user, pk=pk)
    if kudos is None:
        raise Http404("No such kudos.")
    shared = request.POST.get("shared") == "1"
    services.kudos_share(kudos=kudos, user=request.user, shared=shared)
    if shared:
        messages.success(request, f"Shared with the members of {kudos.circle}.")
    else:
        messages.success(request, "Private again: only you see it.")
    return redirect("recognition:my_kudos")


def _reportable(request, pk):
    kudos = selectors.kudos_get_received(user=request.user, pk=pk)
    if kudos is not None:
        return kudos
    from .models import Kudos

    candidate = Kudos.objects.select_related("circle").filter(pk=pk).first()
    if candidate is None:
        return None
    return selectors.kudos_get_shared(circle=candidate.circle, viewer=request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def kudos_report(request, pk):
    kudos = _reportable(request, pk)
    if kudos is None:
        raise Http404("No such kudos.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kudos_report(kudos=kudos, reporter=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: a learning admin will look at it.")
            if kudos.recipient_id == request.user.pk:
                return redirect("recognition:my_kudos")
            return redirect("recognition:circle", slug=kudos.circle.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "recognition/kudos_report.html", {"kudos": kudos, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def circle_recognition(request, slug):
    """A circle's thanks and badges: the kudos form, and what members chose to share."""
    circle = circle_get_visible_to(user=request.user, slug=slug)
    if circle is None or not circle.is_public:
        raise Http404("No such circle.")
    recipients = list(services.kudos_recipients(circle=circle, sender=request.user))
    form = KudosForm(request.POST or None, recipients=recipients)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            recipient = next(p for p in recipients if p.pk == form.cleaned_data["recipient"])
            try:
                services.kudos_give(
                    sender=request.user,
                    recipient=recipient,
                    circle=circle,
                    value=form.cleaned_data["value"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                name = recipient.get_short_name() or recipient.get_full_name()
                messages.success(request, f"Thank you sent. Only {name} will read it.")
                return redirect("recognition:circle", slug=circle.slug)
        status = 400
    template = "recognition/_circle_panel.html" if request.htmx else "recognition/circle.html"
    return render(
        request,
        template,
        {
            "circle": circle,
            "form": form,
            "can_thank": bool(recipients),
            "is_member": circle_membership(user=request.user, circle=circle).is_member,
            "shared_kudos": selectors.kudos_shared_in(circle=circle, viewer=request.user),
            "badges_shown": selectors.circle_badges_shown(circle=circle, viewer=request.user),
        },
        status=status,
    )
