from django.contrib import admin

from powerexpress.lineloss.models import LineLoss, LineLossSettings, LossSuspect, PlanItem, TransformerMove
from powerexpress.registry.admin import ScopedAdmin


@admin.register(LineLossSettings)
class LineLossSettingsAdmin(admin.ModelAdmin):
    list_display = ("bureau", "high_from_pct", "negative_to_pct", "economic_to_pct", "min_coverage_pct")


@admin.register(LineLoss)
class LineLossAdmin(ScopedAdmin):
    list_display = ("transformer", "month", "supply_kwh", "sales_kwh", "loss_rate", "coverage", "loss_class")
    list_filter = ("loss_class", "month")


@admin.register(LossSuspect)
class LossSuspectAdmin(ScopedAdmin):
    list_display = ("customer", "transformer", "suggested", "month", "corr_suggested", "status")


@admin.register(TransformerMove)
class TransformerMoveAdmin(ScopedAdmin):
    list_display = ("customer", "from_transformer", "to_transformer", "moved_by", "moved_at")


@admin.register(PlanItem)
class PlanItemAdmin(ScopedAdmin):
    list_display = ("transformer", "month", "cause", "due_on", "status", "work_order")
