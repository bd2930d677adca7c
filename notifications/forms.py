from django import forms

from .kinds import OPTIONAL_KINDS
from .models import EmailPreference


class EmailPreferenceForm(forms.ModelForm):
    class Meta:
        model = EmailPreference
        fields = list(OPTIONAL_KINDS.values())
