from django import forms

from .kinds import OPTIONAL_KINDS
from .models import EmailPreference


class EmailPreferenceForm(forms.ModelForm):
    class Meta:
        model = EmailPreference
        # Several kinds can share one switch: each switch once, in order.
        fields = list(dict.fromkeys(OPTIONAL_KINDS.values()))
