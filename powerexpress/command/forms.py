"""The scoreboard's filters: station, period, area class."""

from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.command.selectors import Filters
from powerexpress.core.scope import visible
from powerexpress.registry.choices import AreaClass
from powerexpress.registry.models import SupplyStation

PERIOD_CHOICES = [
    (1, _("this month")),
    (3, _("last 3 months")),
    (6, _("last 6 months")),
    (12, _("last 12 months")),
]


class ScoreboardFilterForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=SupplyStation.objects.none(),
        required=False,
        empty_label=_("all stations"),
    )
    months = forms.TypedChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, coerce=int, required=False, initial=3
    )
    area_class = forms.ChoiceField(
        label=_("Area class"), choices=[("", _("all area classes")), *AreaClass.choices], required=False
    )

    def __init__(self, data=None, *, user):
        super().__init__(data, prefix=None)
        self.fields["station"].queryset = visible(user, SupplyStation.objects.order_by("code"))

    def filters(self) -> Filters:
        """The filters chosen; anything invalid falls back to its default (a bookmark with an old
        station or period still opens the page)."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            station_id=data["station"].pk if data.get("station") else None,
            months=data.get("months") or 3,
            area_class=data.get("area_class") or "",
        )


class KpiForm(forms.ModelForm):
    class Meta:
        from powerexpress.command.models import Kpi

        model = Kpi
        fields = [
            "code",
            "name",
            "formula",
            "direction",
            "target",
            "weight_points",
            "deduction_per_unit",
            "cutoff_day",
            "active",
        ]


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )

    def clean_month(self):
        from django.utils import timezone

        month = self.cleaned_data["month"].replace(day=1)
        if month >= timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("Choose a month that has ended."))
        return month
