from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import InterestsForm
from .selectors import employee_get_for_user
from .services import employee_set_interests


@login_required
def profile(request):
    employee = employee_get_for_user(user=request.user)
    form = None
    if employee is not None:
        if request.method == "POST":
            form = InterestsForm(request.POST)
            if form.is_valid():
                employee_set_interests(employee=employee, topics=form.cleaned_data["interests"])
                messages.success(request, "Your interests are saved.")
                return redirect("people:profile")
        else:
            form = InterestsForm(initial={"interests": list(employee.interests.all())})
    return render(request, "people/profile.html", {"employee": employee, "form": form})
