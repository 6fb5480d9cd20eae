from django.contrib import admin

from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.scope import visible
from powerexpress.registry.models import (
    Bureau,
    Customer,
    Meter,
    Staff,
    SupplyStation,
    Team,
    Township,
    TransformerDistrict,
    Village,
)


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists honour the user's station scope like every other page."""

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "hotline")


@admin.register(SupplyStation)
class SupplyStationAdmin(ScopedAdmin):
    list_display = ("code", "name", "head_name")
    search_fields = ("code", "name")


@admin.register(Township)
class TownshipAdmin(ScopedAdmin):
    list_display = ("code", "name", "station")
    list_filter = ("station",)
    search_fields = ("code", "name")


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    list_display = ("code", "name", "station", "area_class", "responsible_name")
    list_filter = ("station", "area_class")
    search_fields = ("code", "name")


@admin.register(TransformerDistrict)
class TransformerDistrictAdmin(ScopedAdmin):
    list_display = ("code", "name", "station", "village", "rated_kva", "connection_group")
    list_filter = ("station", "connection_group")
    search_fields = ("code", "name")
    raw_id_fields = ("village",)


@admin.register(Customer)
class CustomerAdmin(ScopedAdmin):
    list_display = ("account_no", "name", "masked_id_number", "masked_phone", "village", "phase")
    list_filter = ("village__station", "phase", "payment_method")
    search_fields = ("account_no", "name")
    raw_id_fields = ("village", "transformer")
    exclude = ("id_number", "phone")
    readonly_fields = ("masked_id_number", "masked_phone")

    @admin.display(description="ID")
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="Mobile")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Meter)
class MeterAdmin(ScopedAdmin):
    list_display = ("meter_no", "customer", "multiplier", "status")
    search_fields = ("meter_no",)
    raw_id_fields = ("customer",)


@admin.register(Staff)
class StaffAdmin(ScopedAdmin):
    list_display = ("employee_no", "name", "station", "position")
    search_fields = ("employee_no", "name")
    exclude = ("phone",)


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ("code", "name", "station", "kind", "responsible_person")
    list_filter = ("station", "kind")
    filter_horizontal = ("members",)
