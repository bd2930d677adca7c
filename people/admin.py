from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join

from learning_portal.core.admin import ReadOnlyAdmin

from .forms import HRFeedImportForm, UserChangeForm, UserCreationForm
from .importing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from .models import AccessChange, Department, Employee, ImportRun, Role, User
from .services import (
    access_change_record,
    access_changes_between,
    group_access_snapshot,
    people_import,
    user_access_snapshot,
)

# Fields that grant access: editable by superusers only, whatever permissions staff hold.
ACCESS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts sign in by email; there is no username.

    Only superusers grant access (staff and superuser flags, groups, permissions) or change a
    staff account at all (its email or password would be a way into it). Others who may
    change users (the Support role) edit non-staff accounts' details and passwords.
    """

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "first_name", "last_name", "employee__employee_id"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return not (obj.is_staff or obj.is_superuser)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ACCESS_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        form.access_before = user_access_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        access_change_record(
            actor=request.user,
            kind=AccessChange.Kind.USER,
            target=user.email,
            changes=access_changes_between(
                getattr(form, "access_before", {}), user_access_snapshot(user)
            ),
        )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            access_change_record(
                actor=request.user,
                kind=AccessChange.Kind.USER,
                target=user.email,
                changes=["password set by an admin"],
            )
        return response


admin.site.unregister(Group)

# Clutter for learning admins: the site record is fixed (SITE_ID), SSO providers come from
# settings (settings/sso.py) and store no tokens, and email addresses come from the HR feed.
for model in (Site, SocialApp, SocialAccount, SocialToken, EmailAddress):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Groups are roles (people.roles): seen and changed by superusers only."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    has_delete_permission = has_change_permission

    def save_model(self, request, obj, form, change):
        form.access_before = group_access_snapshot(Group.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        before = getattr(form, "access_before", {})
        changes = access_changes_between(before, group_access_snapshot(group))
        if not change:
            changes.insert(0, "group created")
        access_change_record(
            actor=request.user, kind=AccessChange.Kind.GROUP, target=group.name, changes=changes
        )

    def delete_model(self, request, obj):
        name = obj.name
        super().delete_model(request, obj)
        access_change_record(
            actor=request.user, kind=AccessChange.Kind.GROUP, target=name, changes=["deleted"]
        )


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    """The access log (who changed access, what and when), for superusers only."""

    list_display = ["at", "actor_email", "kind", "target", "change"]
    list_filter = ["kind"]
    search_fields = ["actor_email", "target", "change"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    """HR details only. A person's learning record is theirs: it is not shown here."""

    # An employee's page on the portal is their own profile (/me/profile/), which shows the
    # *viewer's* details: "View on site" would open the admin's own profile.
    view_on_site = False
    change_list_template = "admin/people/employee/change_list.html"
    list_display = [
        "employee_id",
        "full_name",
        "email",
        "department",
        "role",
        "job_title",
        "is_manager",
        "active",
    ]
    list_select_related = ["user", "department", "role"]
    list_filter = [
        "department",
        "role",
        "is_manager",
        ("user__is_active", admin.BooleanFieldListFilter),
    ]
    search_fields = ["employee_id", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "manager"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("user", "employee_id")}),
        ("From the HR feed", {"fields": ("department", "role", "job_title", "location")}),
        ("Reporting line", {"fields": ("is_manager", "manager")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            # Re-pointing a profile at another account would hand that account to whoever
            # signs in with this employee ID.
            readonly.append("user")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            # A new profile attaches only to a non-staff account that has none yet.
            kwargs["queryset"] = User.objects.filter(
                is_staff=False, is_superuser=False, employee__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="name", ordering="user__last_name")
    def full_name(self, employee):
        return employee.full_name

    @admin.display(description="email", ordering="user__email")
    def email(self, employee):
        return employee.user.email

    @admin.display(description="active", boolean=True, ordering="user__is_active")
    def active(self, employee):
        return employee.user.is_active

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="people_employee_import",
            ),
        ]
        return urls + super().get_urls()

    def can_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.can_import(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = HRFeedImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = people_import(
                        file=upload,
                        filename=upload.name,
                        dry_run=form.cleaned_data["dry_run"],
                        deactivate_missing=form.cleaned_data["deactivate_missing"],
                        force=form.cleaned_data["force"],
                        actor=request.user,
                        source=ImportRun.Source.ADMIN,
                    )
                except ValidationError as error:
                    form.add_error("file", error)
        else:
            form = HRFeedImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import HR feed",
            "form": form,
            "report": report,
            "required_columns": REQUIRED_COLUMNS,
            "optional_columns": OPTIONAL_COLUMNS,
            "recent_runs": ImportRun.objects.select_related("actor")[:5],
        }
        return TemplateResponse(request, "admin/people/employee/import.html", context)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """A read-only log: imports are made by the import page or command, never edited."""

    list_display = [
        "started_at",
        "source",
        "actor",
        "filename",
        "dry_run",
        "rows",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "deactivated",
    ]
    list_filter = ["source", "dry_run", "deactivate_missing"]
    list_select_related = ["actor"]
    date_hierarchy = "started_at"
    exclude = ["problems"]
    readonly_fields = ["problem_table"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="problems")
    def problem_table(self, run):
        if not run.problems:
            return "None"
        kinds = {"rejected": "row rejected", "manager_link": "manager link not applied"}
        return format_html_join(
            "\n",
            "<p>Row {} ({}), {}: {}</p>",
            (
                (
                    problem["row"],
                    problem["employee_id"] or "no ID",
                    kinds.get(problem["kind"], problem["kind"]),
                    problem["reason"],
                )
                for problem in run.problems
            ),
        )
