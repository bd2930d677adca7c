from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from learning_portal.core.admin import ReadOnlyAdmin

from .models import EmbedTokenRejection, Interest, Placement, WidgetDailyCount
from .services import placement_rotate_secret, placements_cache_clear


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "origin", "default_variant", "is_active", "embed_page"]
    list_filter = ["is_active", "default_variant"]
    search_fields = ["name", "key", "origin"]
    prepopulated_fields = {"key": ["name"]}
    readonly_fields = ["created_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Snippets")
    def embed_page(self, obj):
        return format_html('<a href="{}">Embed page</a>', reverse("widgets:embed_admin"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Allowed origins are cached on the hot path; a change must take effect at once.
        placements_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        placements_cache_clear()

    @admin.action(description="Rotate the secret (existing tokens stop working)")
    def rotate_secret(self, request, queryset):
        for placement in queryset:
            placement_rotate_secret(placement=placement)
        self.message_user(request, f"Rotated {queryset.count()} secret(s).", messages.SUCCESS)


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
