from django import forms
from django.utils.translation import gettext_lazy as _

from powerexpress.repair.choices import NoteKind
from powerexpress.repair.models import RepairSettings

MAX_PHOTO_BYTES = 8 * 1024 * 1024


def photo_size_checked(photo):
    if photo and photo.size > MAX_PHOTO_BYTES:
        raise forms.ValidationError(_("The photo is too large (at most 8 MB)."))
    return photo


class ReportForm(forms.Form):
    """The villager's (and the hotline's) fault report."""

    village = forms.CharField(label=_("Village"), max_length=20)
    phone = forms.CharField(
        label=_("Your mobile"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "placeholder": "13812345678"}
        ),
    )
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    account_no = forms.CharField(
        label=_("Account number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    photo = forms.ImageField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def clean_photo(self):
        return photo_size_checked(self.cleaned_data.get("photo"))


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    text = forms.CharField(label=_("Text"), max_length=500, required=False)
    photo = forms.ImageField(
        label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def clean_photo(self):
        return photo_size_checked(self.cleaned_data.get("photo"))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlannedOutageForm(forms.Form):
    transformer = forms.ModelChoiceField(label=_("Transformer district"), queryset=None)
    start_at = forms.DateTimeField(
        label=_("Power off from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end_at = forms.DateTimeField(
        label=_("Power back by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, transformers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transformer"].queryset = transformers


class RepairSettingsForm(forms.ModelForm):
    class Meta:
        model = RepairSettings
        fields = [
            "arrival_urban_min",
            "arrival_rural_min",
            "arrival_remote_min",
            "restore_urban_min",
            "restore_rural_min",
            "restore_remote_min",
            "warn_before_min",
            "grouping_window_min",
            "planned_notice_days",
        ]
