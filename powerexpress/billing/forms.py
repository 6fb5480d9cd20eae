import datetime
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.billing.choices import AgreementChannel
from powerexpress.core.scope import visible
from powerexpress.registry.models import SupplyStation


class StationMonthForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=SupplyStation.objects.none(), to_field_name="code"
    )
    month = forms.RegexField(label=_("Month (YYYY-MM)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        stations = visible(user, SupplyStation.objects.order_by("code"))
        self.fields["station"].queryset = stations
        if len(stations) == 1:
            self.fields["station"].empty_label = None
        previous = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        self.fields["month"].initial = f"{previous:%Y-%m}"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class AgreementForm(forms.Form):
    account_no = forms.CharField(label=_("Account number"), max_length=20)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, initial="玉屏县农村信用合作联社")
    bank_account = forms.CharField(label=_("Bank account"), max_length=32)
    channel = forms.ChoiceField(label=_("Channel"), choices=AgreementChannel.choices)
    campaign_ref = forms.CharField(label=_("Campaign"), max_length=50, required=False)


class TariffForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    to_verify = forms.BooleanField(label=_("To verify"), required=False)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    definition = forms.CharField(
        label=_("Definition (JSON)"), widget=forms.Textarea(attrs={"rows": 18, "cols": 80})
    )

    def clean_definition(self):
        try:
            value = json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Enter valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a schedule object."))
        return value
