"""Learning admins: circles with their plan and meetings; approval through the service."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from . import services
from .models import Circle, Interest, Meeting, PlanWeek, Signup


class PlanWeekInline(admin.TabularInline):
    model = PlanWeek
    extra = 0
    fields = ["week", "title", "prompt"]
    readonly_fields = ["week"]
    can_delete = False


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["week", "starts_at", "ends_at", "status", "scheduled_for"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "awaiting_approval", "start_date", "weekday", "seat_cap"]
    list_filter = ["state", "weekday"]
    search_fields = ["title", "reading", "subject__title"]
    readonly_fields = [
        "state",
        "item",
        "offering",
        "proposed_by",
        "submitted_at",
        "approved_at",
        "approved_by",
        "start_date",
        "weekday",
        "meeting_time",
        "timezone",
        "duration_minutes",
        "seat_cap",
        "created_at",
        "updated_at",
    ]
    fields = [
        "title",
        "slug",
        "subject",
        "reading",
        "description",
        "facilitators",
        "video_url",
        *readonly_fields,
    ]
    autocomplete_fields = ["subject", "facilitators"]
    inlines = [PlanWeekInline, MeetingInline]
    actions = ["approve"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        # Circles are proposed on the portal ("Start a circle"), which creates the catalog
        # entry, session and meetings with them.
        return False

    @admin.display(boolean=True, description="awaiting approval")
    def awaiting_approval(self, obj):
        return obj.is_awaiting_approval

    @admin.action(description="Approve and open for sign-up")
    def approve(self, request, queryset):
        approved = 0
        for circle in queryset:
            try:
                services.circle_approve(circle=circle, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{circle}: {' '.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(request, f"{approved} circle(s) approved and opened.")


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["circle", "user", "created_at"]
    search_fields = ["circle__title", "user__email"]
    readonly_fields = ["circle", "user", "hope", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "notified_at"]
    readonly_fields = ["subject", "user", "created_at", "notified_at", "notified_about"]

    def has_add_permission(self, request):
        return False
