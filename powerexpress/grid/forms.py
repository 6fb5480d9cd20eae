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


# Where each default comes from (DOMAIN.md §4); True marks a project assumption without a
# source, shown as "to verify" on the settings page.
GB_12325 = _("GB/T 12325-2008: 220 V supply between −10 and +7 percent")
EMERGENCY = _("Emergency overload of oil units, old rules (secondary source)")
PRACTICE = _("Practice (vendor alarm rules)")
SD_292 = _("SD 292-1988 §7.5.2: neutral current of Yyn0 units at most a quarter of the rated current")
SOURCES = {
    "heavy_load_pct": (PRACTICE, False),
    "overload_pct": (PRACTICE, False),
    "load_min_duration_min": (PRACTICE, False),
    "unbalance_limit_pct": (_("SD 292-1988: at most 15 percent at the transformer"), False),
    "unbalance_min_load_pct": (_("Project assumption"), True),
    "unbalance_min_duration_min": (PRACTICE, False),
    "practice_unbalance_pct": (PRACTICE, False),
    "practice_load_pct": (PRACTICE, False),
    "practice_min_duration_min": (PRACTICE, False),
    "low_voltage_v": (GB_12325, False),
    "low_voltage_min_duration_min": (_("Project assumption"), True),
    "over_voltage_v": (GB_12325, False),
    "over_voltage_min_duration_min": (_("Project assumption"), True),
    "emergency_long_pct": (EMERGENCY, True),
    "emergency_long_minutes": (EMERGENCY, True),
    "emergency_medium_pct": (EMERGENCY, True),
    "emergency_medium_minutes": (EMERGENCY, True),
    "emergency_short_pct": (EMERGENCY, True),
    "emergency_short_minutes": (EMERGENCY, True),
    "neutral_limit_pct": (SD_292, False),
    "neutral_min_duration_min": (_("Project assumption"), True),
    "bridge_single_gaps": (_("Project assumption"), True),
}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = GridSettings
        fields = SETTINGS_FIELDS

    def rows(self):
        """(field, source, to verify) for the settings page."""
        for name in self.fields:
            source, to_verify = SOURCES.get(name, ("", False))
            yield self[name], source, to_verify
