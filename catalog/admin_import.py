"""The Item admin's "Import CSV" page and "Export CSV" downloads.

A file is always previewed first; applying it means choosing the same file again with the
preview box unticked. Nothing is kept on the server between the two steps (no temporary
files to clean up, nothing shared between app servers), and a digest of the previewed file
makes sure the file applied is the one that was previewed.
"""

import itertools

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from learning_portal.core.uploads import NOT_PREVIEWED, PreviewThenApplyForm, file_digest

from .exporting import item_csv_lines, offering_csv_lines
from .importing import IMPORTERS, RowAction
from .models import Item, Offering

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TOO_LARGE = "The file is larger than 10 MB; split it into smaller files."
UPLOAD_NOT_PREVIEWED = NOT_PREVIEWED
KIND_CHOICES = [("items", "Items (items.csv)"), ("sessions", "Sessions (sessions.csv)")]


class CatalogImportForm(PreviewThenApplyForm):
    max_bytes = MAX_UPLOAD_BYTES
    too_large = UPLOAD_TOO_LARGE

    kind = forms.ChoiceField(
        label="The file holds", choices=KIND_CHOICES, initial="items", widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header row. Rows are matched by external_id.",
    )
    dry_run = forms.BooleanField(
        label="Preview only: show what would change and change nothing",
        required=False,
        initial=True,
    )
    atomic = forms.BooleanField(
        label="All or nothing: apply no row if any row has an error", required=False
    )
    create_topics = forms.BooleanField(
        label="Create topics the file names that do not exist yet (items only)", required=False
    )


class CatalogImportExportMixin:
    """Adds `import/` and `export/` to the Item admin; the changelist template links them."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ]
        return own + super().get_urls()

    def _may_import(self, request, kind: str) -> bool:
        model = Item if kind == "items" else Offering
        opts = model._meta
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def import_view(self, request):
        if not self._may_import(request, "items") and not self._may_import(request, "sessions"):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = CatalogImportForm(request.POST, request.FILES)
            if form.is_valid():
                options = form.cleaned_data
                if not self._may_import(request, options["kind"]):
                    raise PermissionDenied
                extra = (
                    {"create_topics": options["create_topics"]}
                    if options["kind"] == "items"
                    else {}
                )
                report = IMPORTERS[options["kind"]](
                    data=options["file"],
                    dry_run=options["dry_run"],
                    atomic=options["atomic"],
                    **extra,
                )
                form = self._next_form(options, report)
        else:
            form = CatalogImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import catalog CSV",
            "form": form,
            "report": report,
            "applying": bool(form.initial.get("previewed_digest")),
        }
        return TemplateResponse(request, "admin/catalog/item/import.html", context)

    def _next_form(self, options, report) -> CatalogImportForm:
        # After a preview with something to apply, the form is set up to apply the same
        # file; otherwise it starts over with a preview.
        initial = {
            "kind": options["kind"],
            "atomic": options["atomic"],
            "create_topics": options["create_topics"],
            "dry_run": True,
        }
        if report.dry_run and (report.count(RowAction.CREATE) or report.count(RowAction.UPDATE)):
            initial.update(dry_run=False, previewed_digest=file_digest(options["file"]))
        return CatalogImportForm(initial=initial)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sessions = request.GET.get("sessions") == "1"
        if sessions and not request.user.has_perm("catalog.view_offering"):
            raise PermissionDenied
        what = "sessions" if sessions else "items"
        filename = f"catalog-{what}-{timezone.localdate():%Y-%m-%d}.csv"
        lines = offering_csv_lines() if sessions else item_csv_lines()
        # Streamed: a large catalog is never held in memory. The BOM makes Excel open the
        # file as UTF-8; the import accepts it.
        response = StreamingHttpResponse(
            itertools.chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
