from django import forms

from .models import Kudos
from .services.kudos import MESSAGE_MAX

CREDENTIAL_MISSING = "Paste a credential or choose its file."
CREDENTIAL_TOO_BIG = "That file is too big to be a badge credential."
CREDENTIAL_MAX_BYTES = 64 * 1024


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label="Paste the credential",
        required=False,
        max_length=CREDENTIAL_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The text of the .jwt file, starting with “eyJ”.",
    )
    file = forms.FileField(label="Or choose the credential file", required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > CREDENTIAL_MAX_BYTES:
                raise forms.ValidationError(CREDENTIAL_TOO_BIG)
            cleaned["token"] = upload.read().decode("utf-8", errors="replace")
        else:
            cleaned["token"] = cleaned.get("credential", "")
        if not cleaned["token"].strip():
            raise forms.ValidationError(CREDENTIAL_MISSING)
        return cleaned


class KudosForm(forms.Form):
    recipient = forms.TypedChoiceField(label="Who would you like to thank?", coerce=int)
    value = forms.ChoiceField(
        label="For what?", choices=Kudos.Value.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX}),
        help_text="Only they will read it, unless they choose to share it with the circle.",
    )

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [
            ("", "Choose a person"),
            *((person.pk, person.get_full_name() or person.email) for person in recipients),
        ]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this message?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A learning admin reads the message and your reason, and decides.",
    )


class PreferenceForm(forms.Form):
    show_badges_in_circles = forms.BooleanField(
        label="Show my badges to the members of my circles", required=False
    )
