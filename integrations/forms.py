import hashlib

from django import forms

from .models import NotionLink

MAX_EXPORT_BYTES = 25 * 1024 * 1024
EXPORT_TOO_LARGE = "The file is larger than 25 MB: export only the circle's channel."
EXPORT_NOT_PREVIEWED = (
    "This is not the file you previewed. Preview this file first, or choose the previewed one."
)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


class SlackImportForm(forms.Form):
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
    previewed_digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EXPORT_BYTES:
            raise forms.ValidationError(EXPORT_TOO_LARGE)
        return upload.read()

    def clean(self):
        cleaned = super().clean()
        data = cleaned.get("file")
        digest = cleaned.get("previewed_digest")
        applying = data is not None and digest and not cleaned.get("dry_run")
        if applying and file_digest(data) != digest:
            self.add_error("file", EXPORT_NOT_PREVIEWED)
        return cleaned


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
