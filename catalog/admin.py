from django.contrib import admin
from django.db import models
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from learning_portal.core.admin import LabelledFieldsMixin, ReadOnlyAdmin

from .admin_import import CatalogImportExportMixin
from .models import Audience, Item, Offering, Topic, ZeroResultSearch
from .services import item_search_refresh

# Launch URLs and video links typed without a scheme are taken as https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class OfferingInline(LabelledFieldsMixin, admin.StackedInline):
    model = Offering
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    extra = 0
    show_change_link = True
    fieldsets = [
        (None, {"fields": ["title", ("starts_at", "ends_at"), "timezone", "status"]}),
        ("Where", {"fields": ["location", "online_url"]}),
        (
            "Enrollment",
            {
                "fields": [
                    ("capacity", "waitlist_enabled"),
                    ("enrollment_opens_at", "enrollment_closes_at"),
                    "external_id",
                ]
            },
        ),
    ]


@admin.register(Item)
class ItemAdmin(LabelledFieldsMixin, CatalogImportExportMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "format",
        "delivery",
        "level",
        "language",
        "provider",
        "is_published",
        "updated_at",
    ]
    list_filter = [
        "is_published",
        "format",
        "delivery",
        "level",
        "language",
        "topics",
        "audiences",
    ]
    search_fields = ["title", "summary", "provider", "=external_id"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "audiences"]
    date_hierarchy = "created_at"
    list_per_page = 50
    # The catalog holds up to ~100k items: skip the unfiltered count next to filtered results.
    show_full_result_count = False
    readonly_fields = ["popularity", "created_at", "updated_at"]
    inlines = [OfferingInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description"]}),
        (
            "What it is",
            {
                "fields": [
                    ("format", "delivery"),
                    ("level", "language"),
                    ("provider", "duration_minutes"),
                    "launch_url",
                    "image",
                    "external_id",
                ]
            },
        ),
        ("Topics and audience", {"fields": ["topics", "audiences"]}),
        ("Publication", {"fields": ["is_published", ("publish_start", "publish_end")]}),
        ("Statistics", {"fields": ["popularity", "created_at", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The search document includes the topic names, which are only known once the m2m
        # rows are saved; refreshing in save_model would index the previous topics.
        item_search_refresh(item_ids=[form.instance.pk])


@admin.register(Offering)
class OfferingAdmin(LabelledFieldsMixin, admin.ModelAdmin):
    list_display = ["__str__", "item", "starts_at", "timezone", "status", "capacity", "location"]
    list_filter = ["status", "starts_at", "waitlist_enabled", "item__format"]
    search_fields = ["title", "item__title", "location", "=external_id"]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]
    date_hierarchy = "starts_at"
    readonly_fields = ["sequence", "created_at", "updated_at"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "item_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "managers_only", "description"]
    list_filter = ["managers_only"]
    search_fields = ["name", "description"]
    filter_horizontal = ["departments", "roles", "groups"]


@admin.register(ZeroResultSearch)
class ZeroResultSearchAdmin(ReadOnlyAdmin):
    """Unmet demand: what people searched for and did not find. Counted by the site only."""

    list_display = ["term", "day", "count"]
    list_filter = ["day"]
    search_fields = ["term"]
    ordering = ["-count", "-day"]
    date_hierarchy = "day"
