from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from learning_portal.core.admin import ReadOnlyAdmin

from . import selectors, services
from .models import EmailPreference, OutboxMessage, SentEmail

RESEND_PERMISSION = "notifications.resend_sentemail"


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


class FateFilter(admin.SimpleListFilter):
    title = "fate"
    parameter_name = "fate"

    def lookups(self, request, model_admin):
        return [("sent", "Sent"), ("unknown", "Unknown (resend?)"), ("sending", "Being sent")]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(status=SentEmail.Status.SENT)
        if self.value() == "unknown":
            return queryset.filter(selectors.fate_unknown_q())
        if self.value() == "sending":
            return queryset.filter(status=SentEmail.Status.SENDING).exclude(
                selectors.fate_unknown_q()
            )
        return queryset


@admin.register(SentEmail)
class SentEmailAdmin(ReadOnlyAdmin):
    """A read-only log: deleting a row would let its email go out a second time.

    Emails whose fate is unknown (a worker died between claiming and confirming the send)
    are listed under "Fate: Unknown" and can be resent with one click.
    """

    list_display = ["claimed_at", "kind", "user", "fate", "resend_button", "sent_at", "key"]
    list_filter = [FateFilter, "kind"]
    search_fields = ["user__email", "key"]
    date_hierarchy = "claimed_at"
    actions = ["resend_selected"]
    exclude = ["message"]

    def get_queryset(self, request):
        unknown = ExpressionWrapper(selectors.fate_unknown_q(), output_field=BooleanField())
        return super().get_queryset(request).select_related("user").annotate(is_unknown=unknown)

    def get_urls(self):
        resend = self.admin_site.admin_view(require_POST(self.resend_view))
        return [
            path("<int:pk>/resend/", resend, name="notifications_sentemail_resend"),
            *super().get_urls(),
        ]

    @admin.display(description="fate")
    def fate(self, obj):
        if obj.status == SentEmail.Status.SENT:
            return "resent" if obj.resent_by_id else "sent"
        if obj.is_unknown:
            return "unknown"
        return "being sent"

    @admin.display(description="")
    def resend_button(self, obj):
        if not obj.is_unknown:
            return ""
        # A form of its own (the changelist's action form does not wrap the rows' cells).
        return format_html(
            '<button type="submit" form="resend-{}" class="button">Resend</button>',
            obj.pk,
        )

    def changelist_view(self, request, extra_context=None):
        unknown = selectors.email_list_fate_unknown()
        extra_context = {
            **(extra_context or {}),
            "unknown_count": unknown.count(),
            # The Resend buttons' forms (rendered outside the changelist's own form).
            "resend_ids": list(unknown.values_list("pk", flat=True)[:1000])
            if request.user.has_perm(RESEND_PERMISSION)
            else [],
        }
        return super().changelist_view(request, extra_context)

    def _resend(self, request, sent_email) -> bool:
        try:
            services.email_resend(sent_email=sent_email, actor=request.user)
        except ValidationError as error:
            self.message_user(request, f"{sent_email.key}: {error.messages[0]}", messages.ERROR)
            return False
        except OSError as error:
            self.message_user(
                request, f"{sent_email.key}: the mail server refused it ({error})", messages.ERROR
            )
            return False
        return True

    def resend_view(self, request, pk):
        if not request.user.has_perm(RESEND_PERMISSION):
            raise PermissionDenied
        sent_email = get_object_or_404(SentEmail, pk=pk)
        if self._resend(request, sent_email):
            self.message_user(request, f"Resent {sent_email.key} to {sent_email.user}.")
        return redirect(reverse("admin:notifications_sentemail_changelist") + "?fate=unknown")

    @admin.action(description="Resend the selected emails whose fate is unknown")
    def resend_selected(self, request, queryset):
        if not request.user.has_perm(RESEND_PERMISSION):
            raise PermissionDenied
        resent = sum(self._resend(request, sent_email) for sent_email in queryset)
        if resent:
            self.message_user(request, f"Resent {resent} email(s).")


class DispatchFilter(admin.SimpleListFilter):
    title = "dispatched"
    parameter_name = "dispatched"

    def lookups(self, request, model_admin):
        return [("no", "Waiting for the broker"), ("yes", "Dispatched")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(dispatched_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(dispatched_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Tasks that writes recorded; those waiting for the broker go out when it is back."""

    list_display = ["created_at", "task", "args", "dispatched_at", "attempts", "short_error"]
    list_filter = [DispatchFilter, "task"]
    date_hierarchy = "created_at"
    actions = ["dispatch_now"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error if len(obj.last_error) <= 60 else f"{obj.last_error[:57]}…"

    @admin.action(description="Dispatch the selected messages now")
    def dispatch_now(self, request, queryset):
        ids = list(queryset.filter(dispatched_at__isnull=True).values_list("pk", flat=True))
        published = services.outbox_dispatch(message_ids=ids)
        level = messages.SUCCESS if published == len(ids) else messages.WARNING
        self.message_user(request, f"Dispatched {published} of {len(ids)} waiting.", level)
