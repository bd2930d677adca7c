from django import forms
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the system writes: logs, counts, the transcript.

    Admins can look and search; nobody adds, edits or deletes rows by hand.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def label_widget(widget, label: str) -> None:
    """Give a widget an accessible name where the admin renders no <label> for it: the inputs
    of a tabular inline's rows (only the column header names them), and the second and later
    inputs of a split widget (date and time), whose <label> points at the first only."""
    widget = getattr(widget, "widget", widget)  # the admin's related-object wrapper
    if isinstance(widget, forms.MultiWidget):
        parts = ("date", "time") if isinstance(widget, forms.SplitDateTimeWidget) else ()
        for number, sub in enumerate(widget.widgets):
            part = parts[number] if number < len(parts) else f"part {number + 1}"
            sub.attrs.setdefault("aria-label", f"{label}: {part}")
        return
    if not widget.is_hidden:
        widget.attrs.setdefault("aria-label", label)


class LabelledFieldsMixin:
    """Split date/time widgets whose every input has a name (see `label_widget`), and names
    for the autocomplete widgets and empty header cells the admin draws (admin-labels.js)."""

    @property
    def media(self):
        return super().media + forms.Media(js=["core/admin-labels.js"])

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(
            getattr(formfield.widget, "widget", formfield.widget), forms.MultiWidget
        ):
            label_widget(formfield.widget, str(formfield.label or db_field.verbose_name))
        return formfield


class LabelledTabularInline(LabelledFieldsMixin, admin.TabularInline):
    """A tabular inline whose inputs each carry their column and row ("Item, row 2")."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                row = "new row" if index is None else f"row {index + 1}"
                for name, field in form.fields.items():
                    label_widget(field.widget, f"{field.label or name}, {row}")

        return LabelledFormSet
