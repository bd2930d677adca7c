"""Upload forms that preview before they apply (the catalog import, a Slack export).

A person previews a file, then applies it. Applying must apply the file that was previewed,
not another one chosen since: the preview's SHA-256 travels in a hidden field and the apply
is refused when the file no longer matches it.
"""

import hashlib

from django import forms

NOT_PREVIEWED = (
    "This is not the file you previewed. Preview this file first, or choose the previewed one."
)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PreviewThenApplyForm(forms.Form):
    """A subclass declares `file` and `dry_run`, and sets `max_bytes` and `too_large` (the
    message for a file over the cap). `clean_file` gives the file's bytes."""

    max_bytes: int
    too_large: str
    not_previewed = NOT_PREVIEWED

    previewed_digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(self.too_large)
        return upload.read()

    def clean(self):
        cleaned = super().clean()
        data = cleaned.get("file")
        digest = cleaned.get("previewed_digest")
        applying = data is not None and digest and not cleaned.get("dry_run")
        if applying and file_digest(data) != digest:
            self.add_error("file", self.not_previewed)
        return cleaned
