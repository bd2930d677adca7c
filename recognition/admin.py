"""Learning admins define badges, see and revoke awards, and decide on reported kudos.

Kudos themselves have no admin list: a message is seen by an admin only when someone who
was shown it reports it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import BadgeAward, BadgeClass, KudosReport


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ["name", "criterion", "threshold", "circle", "theme", "is_active"]
    list_filter = ["criterion", "is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["circle", "theme"]
    fields = [
        "name",
        "slug",
        "description",
        "criterion",
        "threshold",
        "circle",
        "theme",
        "is_active",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_active:
            from . import tasks

            # People who already meet the rule get the badge now, not at the next sweep.
            transaction.on_commit(lambda: tasks.sweep_badge_awards.delay(obj.pk))
            messages.info(request, "People who already meet the rule are being awarded it.")


class RevokeForm(forms.ModelForm):
    revoke_reason = forms.CharField(
        label="Revoke, because",
        required=False,
        max_length=300,
        help_text="Fill in to revoke the badge: its credential then verifies as revoked.",
    )

    class Meta:
        model = BadgeAward
        fields = []


@admin.register(BadgeAward)
class BadgeAwardAdmin(admin.ModelAdmin):
    form = RevokeForm
    list_display = ["badge_class", "recipient", "awarded_at", "revoked_at"]
    list_filter = ["badge_class", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "recipient__last_name", "badge_class__name"]
    list_select_related = ["badge_class", "recipient"]
    readonly_fields = [
        "uid",
        "badge_class",
        "recipient",
        "awarded_at",
        "evidence",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
    ]

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        return fields if obj is not None and obj.is_revoked else [*fields, "revoke_reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("revoke_reason", "").strip()
        if not reason:
            return
        try:
            services.badge_award_revoke(award=obj, actor=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


class ResolveForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[
            ("", "Not decided yet"),
            ("hide", "Hide the message"),
            ("dismiss", "Dismiss: the message stays"),
        ],
        required=False,
    )
    hide_reason = forms.CharField(
        label="Why it is hidden", required=False, max_length=300, widget=forms.Textarea
    )

    class Meta:
        model = KudosReport
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "hide" and not cleaned.get("hide_reason", "").strip():
            self.add_error("hide_reason", services.RESOLVE_NEEDS_REASON)
        return cleaned


@admin.register(KudosReport)
class KudosReportAdmin(admin.ModelAdmin):
    form = ResolveForm
    list_display = ["created_at", "circle", "outcome"]
    list_filter = ["outcome"]
    readonly_fields = [
        "message",
        "value",
        "circle",
        "sender",
        "recipient",
        "reporter",
        "reason",
        "created_at",
        "outcome",
        "resolved_at",
        "resolved_by",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kudos__circle", "kudos__sender")

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.outcome == KudosReport.Outcome.OPEN:
            fields += ["decision", "hide_reason"]
        return fields

    @admin.display(description="message")
    def message(self, obj):
        return obj.kudos.message

    @admin.display(description="value")
    def value(self, obj):
        return obj.kudos.get_value_display()

    @admin.display(description="circle")
    def circle(self, obj):
        return obj.kudos.circle

    @admin.display(description="from")
    def sender(self, obj):
        return obj.kudos.sender

    @admin.display(description="to")
    def recipient(self, obj):
        return obj.kudos.recipient

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        services.kudos_report_resolve(
            report=obj,
            actor=request.user,
            hide=decision == "hide",
            reason=form.cleaned_data.get("hide_reason", ""),
        )
