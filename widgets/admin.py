from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from learning_portal.core.admin import ReadOnlyAdmin
from people.models import AccessChange
from people.services import access_change_record, access_changes_between

from .models import EmbedTokenRejection, Interest, Placement, WidgetDailyCount
from .services import placement_rotate_secret, placements_cache_clear

# What the access log compares for a placement; never the secret.
LOGGED_FIELDS = ("name", "key", "origin", "default_variant", "is_active")


def _snapshot(placement: Placement) -> dict:
    return {name: getattr(placement, name) for name in LOGGED_FIELDS}


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """The secret is generated, shown once (after adding or rotating) and never again."""

    list_display = ["name", "key", "origin", "default_variant", "is_active", "embed_page"]
    list_filter = ["is_active", "default_variant"]
    search_fields = ["name", "key", "origin"]
    prepopulated_fields = {"key": ["name"]}
    exclude = ["secret"]
    readonly_fields = ["secret_hint", "created_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Snippets")
    def embed_page(self, obj):
        return format_html('<a href="{}">Embed page</a>', reverse("widgets:embed_admin"))

    @admin.display(description="secret")
    def secret_hint(self, obj):
        if not obj.pk:
            return "Generated when you save; shown to you once."
        return f"…{obj.secret[-4:]} (shown only when created or rotated; rotate to get a new one)"

    def save_model(self, request, obj, form, change):
        before = _snapshot(Placement.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        # Allowed origins are cached on the hot path; a change must take effect at once.
        placements_cache_clear()
        changes = access_changes_between(before, _snapshot(obj))
        access_change_record(
            actor=request.user,
            kind=AccessChange.Kind.PLACEMENT,
            target=obj.key,
            changes=changes if change else ["created", *changes],
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        placements_cache_clear()
        access_change_record(
            actor=request.user,
            kind=AccessChange.Kind.PLACEMENT,
            target=obj.key,
            changes=["deleted"],
        )

    def delete_queryset(self, request, queryset):
        for placement in queryset:
            self.delete_model(request, placement)

    def response_add(self, request, obj, post_url_continue=None):
        return self._show_secrets(request, [obj], "Placement added")

    @admin.action(description="Rotate the secret (existing tokens stop working)")
    def rotate_secret(self, request, queryset):
        placements = [
            placement_rotate_secret(placement=placement, actor=request.user)
            for placement in queryset
        ]
        return self._show_secrets(request, placements, "Secret rotated")

    def _show_secrets(self, request, placements, title):
        # Rendered, not redirected: the secret never travels in a message cookie or a URL.
        response = TemplateResponse(
            request,
            "admin/widgets/placement/secret.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "placements": placements,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.register(WidgetDailyCount)
class WidgetDailyCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "item", "variant", "department", "impressions", "clicks", "dismissals"]
    list_filter = ["variant", "day"]
    search_fields = ["item__title"]
    list_select_related = ["item", "department"]
    date_hierarchy = "day"


@admin.register(EmbedTokenRejection)
class EmbedTokenRejectionAdmin(ReadOnlyAdmin):
    list_display = ["day", "reason", "count"]
    list_filter = ["reason"]
    date_hierarchy = "day"


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    """The topics people chose on their profile (they steer their suggestions only)."""

    list_display = ["employee", "topic"]
    list_filter = ["topic"]
    search_fields = ["employee__employee_id", "employee__user__email", "topic__name"]
    list_select_related = ["employee__user", "topic"]
    autocomplete_fields = ["employee", "topic"]
