"""Web forms of the registry. Validation is the spec's (``registry.specs``), shared with the API
and the import, so a rule and its message exist once."""

from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.registry.specs import SPECS

IMPORT_KINDS = [(kind, kind) for kind in SPECS]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


def registry_form_class(kind: str) -> type[forms.Form]:
    """A plain form with one text field per spec field; the spec does the cleaning."""
    spec = SPECS[kind]
    fields = {}
    for spec_field in spec.fields:
        fields[spec_field.name] = forms.CharField(label=spec_field.label, required=False)
    return type(f"{kind.title()}Form", (forms.Form,), fields)


def initial_from_instance(kind: str, instance) -> dict:
    from powerexpress.registry.tables import COLUMNS, UNMASKED

    row = {name: fn(instance) for name, _label, fn in COLUMNS[kind]}
    for name, fn in UNMASKED.get(kind, {}).items():
        row[name] = fn(instance)
    return row


class BureauSetupForm(forms.Form):
    """The first-run form: the bureau and, optionally, its first manager (``bureau_setup`` checks)."""

    code = forms.CharField(label=_("bureau code"), max_length=20)
    name = forms.CharField(label=_("bureau name"), max_length=100)
    hotline = forms.CharField(label=_("hotline"), max_length=20, initial="95598")
    manager = forms.CharField(label=_("manager's username (optional)"), max_length=150, required=False)
    password = forms.CharField(
        label=_("manager's password"), required=False, widget=forms.PasswordInput(render_value=False)
    )
