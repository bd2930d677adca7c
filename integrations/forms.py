from django import forms
from django.conf import settings

from learning_portal.core.uploads import NOT_PREVIEWED, PreviewThenApplyForm

from . import slack
from .models import NotionLink
from .services import WEBHOOK_URL_INVALID

MAX_EXPORT_BYTES = 25 * 1024 * 1024
EXPORT_TOO_LARGE = "The file is larger than 25 MB: export only the circle's channel."
EXPORT_NOT_PREVIEWED = NOT_PREVIEWED


class SlackLinkForm(forms.Form):
    channel_id = forms.CharField(
        label="Slack channel ID",
        max_length=32,
        help_text="In Slack, open the channel's name, then “About”: the ID (C…) is at the bottom.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    webhook_url = forms.URLField(
        label="Incoming-webhook URL (only without the portal's Slack app)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Posts only: replies in Slack do not come back through a webhook.",
    )

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"]
        if url and not slack.webhook_url_allowed(url):
            raise forms.ValidationError(
                WEBHOOK_URL_INVALID.format(prefix=settings.SLACK_WEBHOOK_URL_PREFIX)
            )
        return url


class SlackImportForm(PreviewThenApplyForm):
    max_bytes = MAX_EXPORT_BYTES
    too_large = EXPORT_TOO_LARGE

    file = forms.FileField(
        label="Slack export (ZIP)",
        help_text="The ZIP from Slack's “Export data”, as it is. Preview first: nothing changes.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    channel = forms.CharField(
        label="Channel in the export",
        required=False,
        max_length=80,
        help_text="Only if the circle has no channel linked and the export holds several.",
    )
    dry_run = forms.BooleanField(
        label="Preview only: show what would be imported and change nothing",
        required=False,
        initial=True,
    )


class NotionLinkForm(forms.Form):
    kind = forms.ChoiceField(
        label="Put the pages under",
        choices=NotionLink.ParentKind.choices,
        initial=NotionLink.ParentKind.PAGE,
        widget=forms.RadioSelect,
    )
    parent = forms.CharField(
        label="Notion link or ID",
        max_length=300,
        help_text="In Notion: Share → Copy link. Add the portal's integration under ••• → "
        "Connections first.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
