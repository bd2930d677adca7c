import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone

from catalog.models import Audience

from .models import (
    DigestSetting,
    FacilitatorSurvey,
    LearnerSurvey,
    PlanWeek,
    Rsvp,
    validate_video_url,
)
from .services import MAX_WEEKS

PLAN_HELP = (
    "One line per week: the chapter, reading or question. Each line becomes a week with its "
    "own meeting and discussion thread."
)
DURATION_CHOICES = [(30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1 h 30 min")]
PLAN_REQUIRED = "Plan at least one week: one line each."


class CircleStartForm(forms.Form):
    """'Start a circle': what, the weekly plan, the cadence and who can join."""

    title = forms.CharField(max_length=200, help_text="e.g. 'Purple Cow — spring circle'.")
    reading = forms.CharField(
        label="What we read or explore",
        max_length=300,
        help_text="e.g. 'Purple Cow by Seth Godin, a chapter or two a week'.",
    )
    description = forms.CharField(
        label="Why join (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few sentences for the circle's page. Markdown works.",
    )
    plan = forms.CharField(
        label="Weekly plan",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=PLAN_HELP,
        error_messages={"required": PLAN_REQUIRED},
    )
    start_date = forms.DateField(
        label="First meeting",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The circle then meets on the same weekday every week.",
    )
    meeting_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    timezone = forms.ChoiceField(label="Time zone")
    duration_minutes = forms.TypedChoiceField(
        label="Length", choices=DURATION_CHOICES, coerce=int, initial=30
    )
    video_url = forms.CharField(
        label="Video-call link",
        required=False,
        max_length=500,
        validators=[validate_video_url],
        widget=forms.URLInput(attrs={"placeholder": "https://teams.microsoft.com/…"}),
        help_text="Teams, Zoom or Google Meet. You can add it later.",
    )
    seat_cap = forms.IntegerField(
        label="Seats", min_value=2, max_value=30, initial=10, help_text="6–12 is typical."
    )
    audience = forms.ModelChoiceField(
        label="Who can join",
        queryset=Audience.objects.none(),
        required=False,
        empty_label="Everyone who can see the item",
    )

    def __init__(self, *args, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["timezone"].choices = [(z, z) for z in zones]
        self.fields["timezone"].initial = settings.TIME_ZONE
        restricted = list(subject.audiences.all()) if subject is not None else []
        if restricted:
            self.fields["audience"].queryset = Audience.objects.filter(
                pk__in=[a.pk for a in restricted]
            )
            self.fields["audience"].empty_label = "All of the item's audiences"
        else:
            self.fields["audience"].queryset = Audience.objects.all()

    def clean_plan(self):
        lines = [line.strip() for line in self.cleaned_data["plan"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(PLAN_REQUIRED)
        if len(lines) > MAX_WEEKS:
            raise forms.ValidationError(f"A circle runs for at most {MAX_WEEKS} weeks.")
        too_long = [n for n, line in enumerate(lines, start=1) if len(line) > 200]
        if too_long:
            raise forms.ValidationError(
                f"Keep each week under 200 characters (week {too_long[0]} is longer)."
            )
        return lines

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        if value <= timezone.localdate():
            raise forms.ValidationError("Choose a date from tomorrow on.")
        return value


class JoinForm(forms.Form):
    hope = forms.CharField(
        label="What do you hope to get from it? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the facilitators see your answer.",
    )


class PlanWeekForm(forms.ModelForm):
    class Meta:
        model = PlanWeek
        fields = ["title", "prompt"]
        widgets = {"prompt": forms.Textarea(attrs={"rows": 3})}


class CircleSearchForm(forms.Form):
    q = forms.CharField(label="Find the book, course or topic", required=False, max_length=100)


class MeetingEditForm(forms.Form):
    """Move one meeting (date and time in the circle's zone) and the reminder's note."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    reminder_note = forms.CharField(
        label="Note in the reminder",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent with the reminder the day before.",
    )

    def __init__(self, *args, circle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.circle = circle

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            local = datetime.datetime.combine(data["date"], data["time"], tzinfo=self.circle.tzinfo)
            data["starts_at"] = local.astimezone(datetime.UTC)
        return data


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=Rsvp.Answer.choices, widget=forms.RadioSelect)


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your post",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works: **bold**, *italic*, lists, links. Mention someone with @name.",
        error_messages={"required": "Write something first."},
    )
    may_quote = forms.BooleanField(
        label="The facilitators may quote this in the circle's archive (without my name)",
        required=False,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why hide it?",
        max_length=300,
        error_messages={"required": "Say why the post is hidden: the reason is kept with it."},
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(label="Digest email", choices=DigestSetting.Frequency.choices)


class WrapupForm(forms.Form):
    """The wrap-up after a meeting, with optional per-person attendance and quotes."""

    held = forms.TypedChoiceField(
        label="Did the meeting happen?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    head_count = forms.IntegerField(
        label="How many people were there?", min_value=0, max_value=200, required=False
    )
    rating = forms.TypedChoiceField(
        label="How did the session go? (1 = poorly, 5 = very well)",
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reflection = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary = forms.CharField(
        label="Summary for the archive",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the group discussed, in a few sentences. Markdown works. No names.",
    )
    insights = forms.CharField(
        label="Key insights",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One short bullet per line.",
    )
    publish = forms.BooleanField(
        label="Publish the summary and key insights in the circle's archive", required=False
    )

    def __init__(self, *args, question="", members=(), quotable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reflection"].label = question
        self.members = list(members)
        for user in self.members:
            self.fields[f"attended_{user.pk}"] = forms.BooleanField(
                label=user.get_full_name() or user.email, required=False
            )
        self.fields["record_attendance"] = forms.BooleanField(
            label="Record who was there (each person sees only their own)", required=False
        )
        self.fields["quotes"] = forms.MultipleChoiceField(
            label="Quote in the archive (without names)",
            choices=[(str(p.pk), p.body[:200]) for p in quotable],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("held")
            and data.get("publish")
            and not (data.get("summary") or data.get("insights"))
        ):
            self.add_error("summary", "Write a summary or key insights to publish.")
        return data

    def attendance(self) -> dict[int, bool]:
        if not self.cleaned_data.get("record_attendance"):
            return {}
        return {u.pk: self.cleaned_data[f"attended_{u.pk}"] for u in self.members}

    def attendance_fields(self):
        return [self[f"attended_{u.pk}"] for u in self.members]


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label="Search the archive", required=False, max_length=100)


class LearnerSurveyForm(forms.ModelForm):
    class Meta:
        model = LearnerSurvey
        fields = ["goal_met", "will_try", "would_recommend"]
        widgets = {
            "goal_met": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "will_try": forms.Textarea(attrs={"rows": 3}),
            "would_recommend": forms.RadioSelect(choices=[(True, "Yes"), (False, "No")]),
        }


class FacilitatorSurveyForm(forms.ModelForm):
    class Meta:
        model = FacilitatorSurvey
        fields = ["rating", "would_facilitate_again", "notes"]
        widgets = {
            "rating": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "would_facilitate_again": forms.RadioSelect(choices=[(True, "Yes"), (False, "No")]),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
