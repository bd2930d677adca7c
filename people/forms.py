from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from learning_portal.core.languages import organisation_language
from learning_portal.core.timezones import zone_choices

from .importing import DEACTIVATION_LIMIT, FILE_TOO_LARGE, MAX_FILE_BYTES
from .models import User


class UserCreationForm(AdminUserCreationForm):
    """The admin's "add user" form for an email-only account (there is no username)."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"


class HRFeedImportForm(forms.Form):
    file = forms.FileField(
        label="HR feed (CSV)",
        help_text="A CSV file saved as UTF-8, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label="Dry run",
        required=False,
        initial=True,
        help_text="Check the file and show the report without saving anything.",
    )
    deactivate_missing = forms.BooleanField(
        label="Deactivate people missing from the file",
        required=False,
        help_text="Only for the full feed: everyone active who is not in it is deactivated.",
    )
    force = forms.BooleanField(
        label="Deactivate even above the safety limit",
        required=False,
        help_text=(
            f"Normally refused when more than {round(100 * DEACTIVATION_LIMIT)}% of active "
            "employees would be deactivated, which usually means a truncated file."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        return upload


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = settings.TIME_ZONE
        self.fields["time_zone"].choices = [
            ("", f"Organisation's: {organisation.replace('_', ' ')}"),
            *zone_choices(),
        ]
        self.fields[
            "time_zone"
        ].help_text = (
            "Session times are shown in this zone, with the session's own noted when it differs."
        )


class LanguageForm(forms.Form):
    """The language a person prefers to learn in, among `languages` ((code, name) pairs:
    those the catalog teaches in)."""

    language = forms.ChoiceField(label="Learning language", required=False)

    def __init__(self, *args, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        organisation = organisation_language()
        names = dict(languages)
        self.fields["language"].choices = [
            ("", f"Organisation's: {names.get(organisation, organisation)}"),
            *languages,
        ]
        self.fields["language"].help_text = (
            "Suggestions on the home page and the intranet widget show learning in this "
            "language first."
        )
