from django import forms

from catalog.models import Topic

from ..models import Proposal

TITLE_TOO_SHORT = "Say what you would like to learn in at least 3 characters."


class ProposalForm(forms.Form):
    title = forms.CharField(
        label="What would you like to learn?",
        max_length=120,
        help_text="A topic or a book, e.g. “Giving feedback that lands” or “Purple Cow”.",
        error_messages={"required": "Say what you would like to learn."},
    )
    kind = forms.ChoiceField(
        label="It is",
        choices=Proposal.Kind.choices,
        initial=Proposal.Kind.TOPIC,
        widget=forms.RadioSelect,
    )
    wanted = forms.ChoiceField(
        label="As",
        choices=Proposal.Wanted.choices,
        initial=Proposal.Wanted.EITHER,
        widget=forms.RadioSelect,
    )
    topic = forms.ModelChoiceField(
        label="Closest catalog topic (optional)",
        queryset=Topic.objects.all(),
        required=False,
        empty_label="Not sure",
    )
    details = forms.CharField(
        label="Why, or what should it cover? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 3:
            raise forms.ValidationError(TITLE_TOO_SHORT)
        return title


class ModerationForm(forms.Form):
    ACTIONS = [
        ("plan", "Mark as planned"),
        ("hide", "Hide from the board"),
        ("merge", "Merge into another proposal"),
        ("reopen", "Reopen"),
        ("topic", "Set the catalog topic"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(
        label="Reason (shown on the board)",
        max_length=300,
        required=False,
        help_text="e.g. “A circle on it starts in March” or “Same as the feedback proposal”.",
    )
    into = forms.ModelChoiceField(
        label="Merge into", queryset=Proposal.objects.none(), required=False
    )
    topic = forms.ModelChoiceField(
        label="Catalog topic", queryset=Topic.objects.all(), required=False, empty_label="None"
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["into"].queryset = targets

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge" and not data.get("into"):
            self.add_error("into", "Pick the proposal to merge into.")
        return data
