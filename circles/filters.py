import django_filters
from django import forms

from catalog.models import Item, Topic

from .models import Circle

TIME_OF_DAY = [
    ("morning", "Morning (before 12:00)"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening (17:00 on)"),
]


class CircleFilterSet(django_filters.FilterSet):
    """/circles/ filters: the subject's topic and format, the meeting day and time of day."""

    topic = django_filters.ModelChoiceFilter(
        field_name="subject__topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label="Any topic",
        label="Topic",
    )
    format = django_filters.ChoiceFilter(
        field_name="subject__format",
        choices=Item.Format.choices,
        empty_label="Any format",
        label="Format",
    )
    day = django_filters.ChoiceFilter(
        field_name="weekday", choices=Circle.Weekday.choices, empty_label="Any day", label="Day"
    )
    time = django_filters.ChoiceFilter(
        choices=TIME_OF_DAY, method="filter_time", empty_label="Any time", label="Time of day"
    )

    class Meta:
        model = Circle
        fields = ["topic", "format", "day", "time"]
        form = forms.Form

    def filter_time(self, queryset, name, value):
        if value == "morning":
            return queryset.filter(meeting_time__hour__lt=12)
        if value == "afternoon":
            return queryset.filter(meeting_time__hour__gte=12, meeting_time__hour__lt=17)
        return queryset.filter(meeting_time__hour__gte=17)
