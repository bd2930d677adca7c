from django import forms

from catalog.models import Topic


class InterestsForm(forms.Form):
    interests = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Topics you would like to hear about. Used only to suggest learning to you.",
    )
