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
