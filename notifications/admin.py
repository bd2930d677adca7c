from django.contrib import admin

from learning_portal.core.admin import ReadOnlyAdmin

from .models import EmailPreference, SentEmail


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "session_reminders",
        "session_opened",
        "theme_announcements",
        "manager_suggestions",
        "updated_at",
    ]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(SentEmail)
class SentEmailAdmin(ReadOnlyAdmin):
    """A read-only log: deleting a row would let its email go out a second time."""

    list_display = ["sent_at", "kind", "user", "key"]
    list_filter = ["kind"]
    search_fields = ["user__email", "key"]
    date_hierarchy = "sent_at"
