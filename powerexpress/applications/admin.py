from django.contrib import admin

from powerexpress.applications.models import Application, ApplicationPolicy, TimeLimit
from powerexpress.registry.admin import ScopedAdmin


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    """Read-only in the admin: applications move only through the station pages (one service per step)."""

    list_display = ("tracking_no", "kind", "status", "station", "village", "due_on")
    list_filter = ("status", "kind", "station")
    search_fields = ("tracking_no",)
    exclude = ("id_number", "phone", "fingerprint", "idempotency_key")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ("kind", "plan_reply_days", "install_days", "to_verify", "updated_by", "updated_at")


@admin.register(ApplicationPolicy)
class ApplicationPolicyAdmin(admin.ModelAdmin):
    list_display = ("heavy_load_percent", "household_kva", "power_factor", "near_due_working_days")
