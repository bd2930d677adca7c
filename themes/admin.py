import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from learning_portal.core import dates
from learning_portal.core.admin import LabelledFieldsMixin, LabelledTabularInline

from . import selectors, services
from .models import Theme, ThemeItem, ThemeRelease, add_months

# The default release time offered on the schedule page: the theme's first morning.
DEFAULT_RELEASE_TIME = datetime.time(7, 0)


class ThemeItemInline(LabelledTabularInline):
    model = ThemeItem
    extra = 1
    fields = ["position", "item", "curator_note"]
    ordering = ["position", "pk"]
    autocomplete_fields = ["item"]


class ScheduleForm(forms.Form):
    release_at = forms.DateTimeField(
        label="Release date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the portal's time zone. The theme becomes public at this moment.",
    )

    def clean_release_at(self):
        release_at = self.cleaned_data["release_at"]
        if not dates.in_range(release_at):
            raise forms.ValidationError(dates.OUT_OF_RANGE)
        return release_at


@admin.register(Theme)
class ThemeAdmin(LabelledFieldsMixin, admin.ModelAdmin):
    list_display = ["title", "month", "state", "release_at", "item_count", "preview_link"]
    list_filter = ["state"]
    search_fields = ["title", "slug"]
    date_hierarchy = "month"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ThemeItemInline]
    autocomplete_fields = ["featured_offerings", "featured_circles"]
    readonly_fields = ["state", "release_at", "scheduled_by", "preview_link", "schedule_link"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "month", "introduction", "image", "image_alt"]}),
        ("Sessions", {"fields": ["featured_offerings"]}),
        ("Learning circles", {"fields": ["featured_circles"]}),
        (
            "Release",
            {"fields": ["state", "release_at", "scheduled_by", "schedule_link", "preview_link"]},
        ),
    ]
    actions = ["schedule_theme", "duplicate_to_next_month", "publish_now", "archive"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description="items")
    def item_count(self, obj):
        return len(obj.entries.all())

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html('<a href="{}" target="_blank">Preview</a>', obj.get_absolute_url())

    @admin.display(description="schedule")
    def schedule_link(self, obj):
        if not obj.pk or obj.state not in (Theme.State.DRAFT, Theme.State.SCHEDULED):
            return "—"
        url = reverse("admin:themes_theme_schedule", args=[obj.pk])
        return format_html('<a class="button" href="{}">Schedule…</a>', url)

    def save_formset(self, request, form, formset, change):
        if formset.model is ThemeItem:
            # A row added without a position goes to the end, not to the top.
            last = max((f.instance.position for f in formset.forms if f.instance.pk), default=0)
            for entry_form in formset.forms:
                entry = entry_form.instance
                if not entry.pk and entry_form.has_changed() and not entry.position:
                    last += 1
                    entry.position = last
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Positions typed in the inline may repeat or leave gaps; store them as 1..n.
        services.theme_items_renumber(theme=form.instance)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="themes_theme_schedule",
            ),
            *super().get_urls(),
        ]

    def _default_release_at(self, theme: Theme) -> datetime.datetime:
        if theme.release_at:
            return timezone.localtime(theme.release_at)
        start = datetime.datetime.combine(
            theme.month, DEFAULT_RELEASE_TIME, tzinfo=timezone.get_current_timezone()
        )
        return max(start, timezone.localtime().replace(second=0, microsecond=0))

    def schedule_view(self, request, object_id):
        """The checklist for a release time, then scheduling once the blocking checks pass."""
        theme = get_object_or_404(Theme, pk=object_id)
        if not self.has_change_permission(request, theme):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = ScheduleForm(data, initial={"release_at": self._default_release_at(theme)})
        release_at = form.cleaned_data["release_at"] if form.is_valid() else None
        if release_at is None and not form.is_bound:
            release_at = self._default_release_at(theme)
        checklist = (
            selectors.theme_schedule_checklist(theme=theme, release_at=release_at)
            if release_at
            else None
        )
        if request.method == "POST" and form.is_valid() and "confirm" in request.POST:
            try:
                services.theme_schedule(theme=theme, release_at=release_at, actor=request.user)
            except ValidationError as error:
                for message in error.messages[:1]:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"“{theme.title}” is scheduled to release on "
                    f"{timezone.localtime(release_at):%d %B %Y at %H:%M}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:themes_theme_change", args=[theme.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Schedule “{theme.title}”",
            "theme": theme,
            "form": form,
            "checklist": checklist,
            "can_schedule": theme.state in (Theme.State.DRAFT, Theme.State.SCHEDULED),
        }
        return TemplateResponse(request, "admin/themes/theme/schedule.html", context)

    @admin.action(description="Schedule… (checklist first)")
    def schedule_theme(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one theme to schedule.", messages.WARNING)
            return None
        theme = queryset.get()
        return HttpResponseRedirect(reverse("admin:themes_theme_schedule", args=[theme.pk]))

    @admin.action(description="Duplicate to next month")
    def duplicate_to_next_month(self, request, queryset):
        this_month = selectors.month_start(timezone.now())
        for theme in queryset:
            month = add_months(max(theme.month, this_month), 1)
            try:
                copy = services.theme_duplicate(theme=theme, month=month)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Copied “{theme.title}” to a draft for {month:%B %Y} ({copy.slug}).",
                    messages.SUCCESS,
                )

    def _apply_to_each(self, request, queryset, service, done: str) -> None:
        """Run a service on each selected theme and report per theme: one refusal stops no other."""
        for theme in queryset:
            try:
                service(theme=theme)
            except ValidationError as error:
                self.message_user(request, f"{theme}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{theme} is {done}.", messages.SUCCESS)

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset):
        self._apply_to_each(request, queryset, services.theme_publish, "published")

    @admin.action(description="Archive (withdraw from the portal)")
    def archive(self, request, queryset):
        self._apply_to_each(request, queryset, services.theme_archive, "archived")


@admin.register(ThemeRelease)
class ThemeReleaseAdmin(admin.ModelAdmin):
    list_display = ["theme", "released_at", "announcement_queued_at", "recipient_count"]
    readonly_fields = ["theme", "released_at", "announcement_queued_at", "recipient_count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
