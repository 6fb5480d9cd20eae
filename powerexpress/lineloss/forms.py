from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.lineloss.choices import Cause
from powerexpress.lineloss.models import LineLossSettings
from powerexpress.lineloss.services import SETTINGS_FIELDS


class PlanForm(forms.Form):
    cause = forms.ChoiceField(label=_("cause"), choices=Cause.choices)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = LineLossSettings
        fields = SETTINGS_FIELDS
