"""Learning admins: enrollments, the read-only transcript, and rosters per session.

Every change goes through enrollment services, recorded with the admin as actor and source
"admin". The transcript can be read here but never added to, edited or deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalog.models import Item, Offering
from learning_portal.core.admin import ReadOnlyAdmin
from learning_portal.core.csvfiles import csv_response
from people.models import User

from . import selectors, services
from .models import Enrollment, SavedItem, SessionInterest, Source, TranscriptEvent

CANCEL_NEEDS_CONFIRMATION = "Tick the confirmation box to cancel the session."


class AdminEnrollForm(forms.Form):
    person = forms.CharField(
        label="Person", help_text="Their work email address or employee ID.", max_length=254
    )
    item = forms.ModelChoiceField(label="Learning item", queryset=Item.objects.order_by("title"))
    offering = forms.ModelChoiceField(
        label="Session",
        queryset=Offering.objects.filter(status=Offering.Status.SCHEDULED).select_related("item"),
        required=False,
        help_text="Required for scheduled items; leave empty for self-paced ones.",
    )

    def clean_person(self):
        value = self.cleaned_data["person"].strip()
        user = (
            User.objects.filter(Q(email__iexact=value) | Q(employee__employee_id=value))
            .distinct()
            .first()
        )
        if user is None:
            raise ValidationError("Nobody has that email address or employee ID.")
        return user


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Seats", min_value=1, required=False, help_text="Empty for no limit."
    )


ROSTERS_PER_PAGE = 50


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Part of the item's or the session's title.",
    )
    window = forms.ChoiceField(
        label="When",
        choices=selectors.RosterWindow.choices,
        required=False,
        initial=selectors.RosterWindow.RECENT,
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any"), *Offering.Status.choices], required=False
    )


def _roster_url(offering_id: int) -> str:
    return reverse("admin:enrollment_roster", args=[offering_id])


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "offering", "status", "source", "created_at"]
    list_filter = ["status", "source", "item__delivery", "created_at"]
    search_fields = ["user__email", "=user__employee__employee_id", "item__title"]
    list_select_related = ["user", "item", "offering", "offering__item"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "item",
        "offering",
        "status",
        "source",
        "waitlisted_at",
        "enrolled_at",
        "completed_at",
        "withdrawn_at",
        "reflection",
        "created_at",
        "updated_at",
    ]
    actions = ["withdraw_on_behalf", "mark_attended"]
    change_list_template = "admin/enrollment/enrollment/change_list.html"

    def has_add_permission(self, request):
        # Adding goes through "Enroll someone", which applies every enrollment rule.
        return False

    def has_change_permission(self, request, obj=None):
        # Rows are read-only (changes go through the actions); the changelist keeps actions.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("enroll/", wrap(self.enroll_view), name="enrollment_enroll_someone"),
            path("sessions/", wrap(self.sessions_view), name="enrollment_sessions"),
            path("sessions/<int:offering_id>/", wrap(self.roster_view), name="enrollment_roster"),
            path(
                "sessions/<int:offering_id>/roster.csv",
                wrap(self.roster_csv_view),
                name="enrollment_roster_csv",
            ),
            *super().get_urls(),
        ]

    # --- actions -------------------------------------------------------------------------

    def _apply(self, request, queryset, service, done: str):
        ok, errors = 0, []
        for enrollment in queryset.select_related("user", "item"):
            try:
                service(enrollment)
            except ValidationError as exc:
                errors.append(f"{enrollment.user} — {enrollment.item}: {' '.join(exc.messages)}")
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{done}: {ok}.", messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    @admin.action(description="Withdraw on the person's behalf", permissions=["change"])
    def withdraw_on_behalf(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda e: services.enrollment_withdraw(
                enrollment=e, actor=request.user, source=Source.ADMIN
            ),
            "Withdrawn",
        )

    @admin.action(description="Mark as attended (completed)", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda e: services.attendance_mark(enrollment=e, actor=request.user),
            "Marked as attended",
        )

    # --- custom views --------------------------------------------------------------------

    def _require(self, request, *perms):
        if not all(request.user.has_perm(perm) for perm in perms):
            raise PermissionDenied

    def enroll_view(self, request):
        self._require(request, "enrollment.change_enrollment")
        form = AdminEnrollForm(request.POST or None, initial=request.GET or None)
        if request.method == "POST" and form.is_valid():
            try:
                enrollment = services.enrollment_create(
                    user=form.cleaned_data["person"],
                    item=form.cleaned_data["item"],
                    offering=form.cleaned_data["offering"],
                    source=Source.ADMIN,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"{enrollment.user} is {enrollment.get_status_display().lower()}: "
                    f"{enrollment.item}.",
                    messages.SUCCESS,
                )
                if enrollment.offering_id:
                    return redirect(_roster_url(enrollment.offering_id))
                return redirect("admin:enrollment_enrollment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Enroll someone",
            "form": form,
        }
        return TemplateResponse(request, "admin/enrollment/enroll_someone.html", context)

    def sessions_view(self, request):
        self._require(request, "enrollment.view_enrollment")
        form = RosterFilterForm(request.GET or None)
        criteria = form.cleaned_data if form.is_valid() else {}
        offerings = selectors.offering_list_for_rosters(
            term=criteria.get("q", ""),
            window=criteria.get("window") or selectors.RosterWindow.RECENT,
            status=criteria.get("status", ""),
        )
        page = Paginator(offerings, ROSTERS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Session rosters",
            "form": form,
            "page_obj": page,
            "offerings": page.object_list,
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/enrollment/sessions.html", context)

    def roster_view(self, request, offering_id):
        self._require(request, "enrollment.view_enrollment")
        offering = get_object_or_404(Offering.objects.select_related("item"), pk=offering_id)
        capacity_form = CapacityForm(initial={"capacity": offering.capacity})
        if request.method == "POST":
            response = self._roster_post(request, offering)
            if response is not None:
                return response
            capacity_form = CapacityForm(request.POST)
            capacity_form.is_valid()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Roster: {offering}",
            "offering": offering,
            "roster": selectors.offering_roster(offering=offering),
            "capacity_form": capacity_form,
            "started": offering.has_started(),
            "can_change": request.user.has_perm("enrollment.change_enrollment"),
            "can_change_offering": request.user.has_perm("catalog.change_offering"),
        }
        return TemplateResponse(request, "admin/enrollment/roster.html", context)

    def _roster_post(self, request, offering):
        """One roster action per POST; returns a redirect, or None to show the form errors."""
        action = request.POST.get("action")
        try:
            if action in ("withdraw", "attended"):
                self._require(request, "enrollment.change_enrollment")
                enrollment = get_object_or_404(
                    Enrollment, pk=request.POST.get("enrollment"), offering=offering
                )
                if action == "withdraw":
                    services.enrollment_withdraw(
                        enrollment=enrollment, actor=request.user, source=Source.ADMIN
                    )
                    done = f"{enrollment.user} withdrawn."
                else:
                    services.attendance_mark(enrollment=enrollment, actor=request.user)
                    done = f"{enrollment.user} marked as attended."
            elif action == "capacity":
                self._require(request, "catalog.change_offering")
                form = CapacityForm(request.POST)
                if not form.is_valid():
                    return None
                services.offering_set_capacity(
                    offering=offering, capacity=form.cleaned_data["capacity"], actor=request.user
                )
                done = "Capacity saved; free seats went to the waitlist in order."
            elif action == "cancel":
                self._require(request, "catalog.change_offering")
                if request.POST.get("confirm") != "yes":
                    raise ValidationError(CANCEL_NEEDS_CONFIRMATION)
                services.offering_cancel(offering=offering, actor=request.user)
                done = "Session cancelled; everyone on it is being told."
            else:
                self.message_user(request, "Unknown roster action.", messages.ERROR)
                return redirect(_roster_url(offering.pk))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect(_roster_url(offering.pk))

    def roster_csv_view(self, request, offering_id):
        self._require(request, "enrollment.view_enrollment")
        offering = get_object_or_404(Offering.objects.select_related("item"), pk=offering_id)
        roster = selectors.offering_roster(offering=offering)
        lists = [("Seat", "enrolled"), ("Attended", "attended"), ("Waitlist", "waitlist")]
        rows = []
        for label, key in lists:
            for position, enrollment in enumerate(roster[key], start=1):
                employee = getattr(enrollment.user, "employee", None)
                since = enrollment.waitlisted_at if key == "waitlist" else enrollment.enrolled_at
                rows.append(
                    (
                        label,
                        position if key == "waitlist" else "",
                        enrollment.user.get_full_name(),
                        enrollment.user.email,
                        employee.employee_id if employee else "",
                        enrollment.get_status_display(),
                        enrollment.get_source_display(),
                        since.isoformat() if since else "",
                    )
                )
        return csv_response(
            filename=f"roster-{offering.pk}.csv",
            columns=[
                "List",
                "Position",
                "Name",
                "Email",
                "Employee ID",
                "Status",
                "Source",
                "Since",
            ],
            rows=rows,
        )


@admin.register(TranscriptEvent)
class TranscriptEventAdmin(ReadOnlyAdmin):
    """The official record: readable by learning admins, never changed by hand."""

    list_display = ["occurred_at", "user", "kind", "item", "offering", "source", "actor"]
    list_filter = ["kind", "source", "occurred_at"]
    search_fields = ["user__email", "=user__employee__employee_id", "item__title"]
    list_select_related = ["user", "item", "offering", "offering__item", "actor"]
    date_hierarchy = "occurred_at"


@admin.register(SavedItem)
class SavedItemAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "created_at"]
    search_fields = ["user__email", "item__title"]
    list_select_related = ["user", "item"]
    readonly_fields = ["user", "item", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SessionInterest)
class SessionInterestAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "created_at", "notified_at"]
    list_filter = ["notified_at"]
    search_fields = ["user__email", "item__title"]
    list_select_related = ["user", "item"]
    readonly_fields = ["user", "item", "created_at", "notified_at"]

    def has_add_permission(self, request):
        return False
