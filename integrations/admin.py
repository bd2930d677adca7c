"""The connectors in the admin: links, the Slack outbox with each message's fate and last
error (failed ones sent again with one action), Slack's events, Notion's pages."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from learning_portal.core.admin import ReadOnlyAdmin

from . import services
from .models import NotionLink, NotionPage, SlackChannelLink, SlackEvent, SlackMessage, SlackPost


@admin.register(SlackChannelLink)
class SlackChannelLinkAdmin(admin.ModelAdmin):
    list_display = [
        "circle",
        "channel_name",
        "channel_id",
        "posts_through",
        "linked_by",
        "linked_at",
    ]
    search_fields = ["circle__title", "channel_id", "channel_name"]
    raw_id_fields = ["circle", "linked_by"]
    readonly_fields = ["linked_by", "linked_at"]

    @admin.display(description="posts through")
    def posts_through(self, obj):
        return "incoming webhook" if obj.webhook_url else "the portal's Slack app"


@admin.register(SlackMessage)
class SlackMessageAdmin(ReadOnlyAdmin):
    """The outbox of Slack posts: read-only (a row deleted or edited by hand could post
    twice); a failed message, or one whose fate is unknown, is sent again by the action."""

    list_display = [
        "created_at",
        "circle",
        "kind",
        "week",
        "status",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["circle__title", "key", "last_error"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("circle")

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_send_again_permission(self, request):
        return request.user.has_perm("integrations.change_slackmessage")

    @admin.action(description="Send the selected messages again", permissions=["send_again"])
    def send_again(self, request, queryset):
        queued, refused = 0, []
        for message in queryset:
            try:
                services.slack_message_requeue(message=message, actor=request.user)
            except ValidationError as error:
                refused.append(f"{message}: {' '.join(error.messages)}")
            else:
                queued += 1
        if queued:
            self.message_user(request, f"{queued} message(s) queued to be sent again.")
        for line in refused:
            self.message_user(request, line, level=messages.WARNING)


@admin.register(SlackEvent)
class SlackEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "event_type", "event_id", "outcome", "reason", "processed_at"]
    list_filter = ["outcome", "event_type"]
    search_fields = ["event_id", "reason"]
    date_hierarchy = "received_at"
    exclude = ["payload"]


@admin.register(SlackPost)
class SlackPostAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel_id", "ts", "post", "imported"]
    list_filter = ["imported"]
    search_fields = ["channel_id", "ts"]
    raw_id_fields = ["post"]


class NotionPageInline(admin.TabularInline):
    model = NotionPage
    fk_name = "circle"
    extra = 0
    can_delete = False
    fields = ["week", "page_id", "url", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(NotionLink)
class NotionLinkAdmin(admin.ModelAdmin):
    list_display = ["circle", "parent_kind", "parent_title", "pushed_at", "last_error"]
    search_fields = ["circle__title", "parent_id", "parent_title"]
    raw_id_fields = ["circle", "linked_by"]
    readonly_fields = ["parent_title", "linked_by", "linked_at", "pushed_at", "last_error"]
    actions = ["push_archive"]

    @admin.action(description="Push the selected circles' archives to Notion")
    def push_archive(self, request, queryset):
        for link in queryset.select_related("circle"):
            try:
                services.notion_archive_schedule(circle=link.circle, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.WARNING)
        self.message_user(request, "Queued: the pages appear in Notion within a minute.")


@admin.register(NotionPage)
class NotionPageAdmin(ReadOnlyAdmin):
    list_display = ["circle", "week", "page_id", "updated_at"]
    search_fields = ["circle__title", "page_id"]
