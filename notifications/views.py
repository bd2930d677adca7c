from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import EmailPreferenceForm
from .selectors import email_preference_get
from .services import email_preference_update


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = email_preference_get(user=request.user)
    if request.method == "POST":
        form = EmailPreferenceForm(request.POST, instance=preference)
        if form.is_valid():
            email_preference_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your email preferences are saved.")
            return redirect("notifications:preferences")
    else:
        form = EmailPreferenceForm(instance=preference)
    return render(request, "notifications/preferences.html", {"form": form})
