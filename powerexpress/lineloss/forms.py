from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.lineloss.choices import Cause


class PlanForm(forms.Form):
    cause = forms.ChoiceField(label=_("cause"), choices=Cause.choices)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
