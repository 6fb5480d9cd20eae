from django import forms
from django.contrib import admin

from powerexpress.analytics import tariff as kernel
from powerexpress.billing.models import Agreement, Bill, TariffSchedule
from powerexpress.billing.services import kernel_message


class TariffScheduleForm(forms.ModelForm):
    class Meta:
        model = TariffSchedule
        fields = [
            "code",
            "version",
            "name",
            "effective_from",
            "to_verify",
            "residential_default",
            "definition",
            "source",
        ]

    def clean_definition(self):
        try:
            parsed = kernel.schedule_from_dict(self.cleaned_data["definition"], path="definition")
        except kernel.ScheduleError as exc:
            raise forms.ValidationError(f"{exc.field}: {kernel_message(exc)}") from exc
        return kernel.schedule_to_dict(parsed)


@admin.register(TariffSchedule)
class TariffScheduleAdmin(admin.ModelAdmin):
    """New versions are added here or on the billing pages; a saved version is read-only so that
    issued bills never change."""

    form = TariffScheduleForm
    list_display = ["name", "code", "version", "effective_from", "to_verify", "residential_default"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "version", "effective_from", "definition"] if obj else []


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ["customer", "month", "sequence", "kind", "amount_fen", "status"]
    list_filter = ["station", "month", "status"]
    raw_id_fields = ["customer", "run"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["customer", "bank_name", "channel", "status", "signed_on", "campaign_ref"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["customer"]
