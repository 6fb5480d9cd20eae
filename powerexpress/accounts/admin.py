from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from powerexpress.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "station", "is_active")
    list_filter = ("role", "station", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("Power Express", {"fields": ("role", "station", "staff")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at")
    readonly_fields = ("key_hash",)
