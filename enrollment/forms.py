from django import forms

from catalog.models import Offering
from learning_portal.core.timezones import span_for_viewer

from .models import Source


class SourceField(forms.CharField):
    """An untrusted attribution parameter: anything unknown becomes "direct"."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)

    def clean(self, value):
        return Source.parse(super().clean(value))


class EnrollForm(forms.Form):
    source = SourceField()


class CompleteForm(forms.Form):
    reflection = forms.CharField(
        label="Reflection (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A note for yourself: what you took away. It appears on your transcript.",
    )


class SwitchForm(forms.Form):
    offering = forms.ModelChoiceField(
        label="New session", queryset=Offering.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, offerings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(
            pk__in=[offering.pk for offering in offerings]
        )
        labels = {offering.pk: offering for offering in offerings}
        self.fields["offering"].label_from_instance = lambda o: session_label(labels.get(o.pk, o))


def session_label(offering: Offering) -> str:
    """Everything a person chooses a session by: when (in their zone), where, and seats:
    'Cohort 2 — Tue 8 Dec 2026, 14:00–16:00 London time · Room 1 · 3 seats left'."""
    when = span_for_viewer(offering.starts_at, offering.ends_at, offering.timezone)
    parts = [f"{offering.title} — {when}" if offering.title else str(when), *offering.places]
    seats_left = getattr(offering, "seats_left", None)
    if seats_left is None:
        parts.append("open seats")
    elif seats_left:
        parts.append(f"{seats_left} seat{'s' if seats_left != 1 else ''} left")
    else:
        parts.append("full — waitlist open" if offering.waitlist_enabled else "full")
    return " · ".join(parts)
