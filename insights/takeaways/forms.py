from django import forms

LINES_HELP = "One per line. Delete what is wrong or too close to one person's words."


class LinesField(forms.CharField):
    """A textarea edited one item per line, cleaned into a list of lines."""

    widget = forms.Textarea(attrs={"rows": 6})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", LINES_HELP)
        super().__init__(required=False, max_length=8000, **kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def clean(self, value):
        text = super().clean(value)
        return [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]


class TakeawayForm(forms.Form):
    themes = LinesField(label="Themes")
    key_phrases = LinesField(label="Key phrases")
    summary = LinesField(label="Summary (representative sentences)")
    demand_phrases = LinesField(
        label="Wishes for sessions",
        help_text="Published wishes go on the demand board as suggestions, for people to +1.",
    )
