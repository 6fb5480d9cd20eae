from django.contrib import admin

from powerexpress.outreach import models


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "kind",
        "title",
        "held_on",
        "village",
        "team",
        "people_reached",
        "signups_recorded",
    )
    list_filter = ("kind", "station")
    search_fields = ("code", "title")


@admin.register(models.PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "station", "starts_on", "due_on", "status", "progress_percent")
    list_filter = ("status", "station")


@admin.register(models.Hazard)
class HazardAdmin(admin.ModelAdmin):
    list_display = ("id", "village", "item", "severity", "status", "deadline")
    list_filter = ("status", "severity", "station")


for model in (
    models.ProgressMeeting,
    models.VisitPlan,
    models.CareVisit,
    models.InspectionCampaign,
    models.Inspection,
    models.CharityCampaign,
    models.Donation,
    models.Beneficiary,
    models.Distribution,
):
    admin.site.register(model)
