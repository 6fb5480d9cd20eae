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
