from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.grid.choices import Action, DataKind
from powerexpress.grid.models import GridSettings
from powerexpress.grid.services import SETTINGS_FIELDS


class ForecastForm(forms.Form):
    growth = forms.DecimalField(label=_("growth factor"), min_value=0.5, max_value=3, decimal_places=2)
    returnee = forms.DecimalField(label=_("returnee factor"), min_value=0.5, max_value=3, decimal_places=2)


class IssueForm(forms.Form):
    action = forms.ChoiceField(label=_("action"), choices=Action.choices)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DataKind.choices)
    file = forms.FileField(label=_("file (CSV or Parquet)"))


class PlanForm(forms.Form):
    max_moves = forms.IntegerField(label=_("at most moves"), min_value=0, max_value=50, initial=3)
    start = forms.DateField(label=_("data from"))
    end = forms.DateField(label=_("data to"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end must not be before the start."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 31:
            raise forms.ValidationError(_("At most 31 days."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = GridSettings
        fields = SETTINGS_FIELDS
