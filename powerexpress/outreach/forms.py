"""Web forms of the outreach pages. Choices are limited to what the user may see; the services
do the checking that matters."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.core.inputs import INT32_MAX
from powerexpress.core.scope import visible
from powerexpress.outreach.calc import yuan_to_fen
from powerexpress.outreach.choices import (
    ActivityKind,
    BeneficiaryKind,
    CampaignKind,
    CheckItem,
    CheckResult,
    PlanItemKind,
    PlanStatus,
    Severity,
)
from powerexpress.registry.choices import CustomerTag
from powerexpress.registry.models import Staff, SupplyStation, Team, TransformerDistrict, Village

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    widget = MultipleFileInput(attrs={"accept": "image/*"})  # core/photos.js shrinks them on the phone

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleImageField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class SubmissionForm(forms.Form):
    """A form carrying a one-time key so that a double submission records once."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)


class YuanField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return yuan_to_fen(value or "0")
        except ValueError as exc:
            raise forms.ValidationError(_("Enter an amount in yuan with at most 2 decimals.")) from exc


def _station_field(user):
    queryset = visible(user, SupplyStation.objects.all())
    return forms.ModelChoiceField(queryset, label=_("station"), initial=user.station_id)


class ActivityForm(SubmissionForm):
    kind = forms.ChoiceField(label=_("type"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("date"), widget=DATE)
    village = forms.ModelChoiceField(Village.objects.none(), label=_("village"))
    team = forms.ModelChoiceField(Team.objects.none(), label=_("team"), required=False)
    participants = forms.ModelMultipleChoiceField(
        Staff.objects.none(), label=_("participants"), required=False, widget=forms.CheckboxSelectMultiple
    )
    volunteer_count = forms.IntegerField(
        label=_("other volunteers"), min_value=0, max_value=INT32_MAX, initial=0
    )
    people_reached = forms.IntegerField(
        label=_("people reached"), min_value=0, max_value=INT32_MAX, initial=0
    )
    materials = forms.CharField(label=_("materials handed out"), max_length=300, required=False)
    signups_recorded = forms.IntegerField(
        label=_("auto-debit sign-ups (recorded)"), min_value=0, max_value=INT32_MAX, initial=0
    )
    outcomes = forms.CharField(label=_("outcomes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleImageField(label=_("photos"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = visible(user, Village.objects.all())
        self.fields["team"].queryset = visible(user, Team.objects.select_related("station"))
        self.fields["participants"].queryset = visible(user, Staff.objects.all())
        self.initial.setdefault("held_on", timezone.localdate())
        if user.staff_id:
            team = user.staff.teams.first()
            if team is not None:
                self.initial.setdefault("team", team.pk)


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PlanItemKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    campaign = forms.CharField(label=_("campaign"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    due_on = forms.DateField(label=_("due on"), widget=DATE)
    owner = forms.ModelChoiceField(Staff.objects.none(), label=_("owner"), required=False)
    team = forms.ModelChoiceField(Team.objects.none(), label=_("team"), required=False)
    villages = forms.ModelMultipleChoiceField(
        Village.objects.none(),
        label=_("villages"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"station": _station_field(user), **self.fields}
        self.fields["owner"].queryset = visible(user, Staff.objects.all())
        self.fields["team"].queryset = visible(user, Team.objects.all())
        self.fields["villages"].queryset = visible(user, Village.objects.all())


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=PlanStatus.choices)
    progress_percent = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("date"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=200)
    attendees = forms.CharField(label=_("attendees"), max_length=300, required=False)
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(
        label=_("decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    items = forms.ModelMultipleChoiceField(
        Village.objects.none(),
        label=_("plan items discussed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"station": _station_field(user), **self.fields}
        self.fields["items"].queryset = items
        self.initial.setdefault("held_on", timezone.localdate())


class VisitForm(SubmissionForm):
    visited_on = forms.DateField(label=_("visited on"), widget=DATE)
    team = forms.ModelChoiceField(Team.objects.none(), label=_("team"), required=False)
    visitors = forms.CharField(label=_("visitors"), max_length=200, required=False)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    help_given = forms.CharField(
        label=_("help given"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    safety_check_done = forms.BooleanField(label=_("electrical safety check done"), required=False)
    follow_up_needed = forms.BooleanField(label=_("follow-up needed"), required=False)
    follow_up_notes = forms.CharField(label=_("follow-up"), max_length=300, required=False)

    def __init__(self, *args, user, station_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(station_id=station_id)
        vanguard = self.fields["team"].queryset.filter(kind="vanguard").first()
        self.initial.setdefault("team", vanguard.pk if vanguard else None)
        self.initial.setdefault("visited_on", timezone.localdate())
        if user.staff_id:
            self.initial.setdefault("visitors", user.staff.name)


class VisitPlanForm(forms.Form):
    def __init__(self, *args, days: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for tag, label in CustomerTag.choices:
            self.fields[tag] = forms.IntegerField(
                label=label, min_value=1, max_value=366, initial=days.get(tag)
            )


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CampaignKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)
    checklist = forms.MultipleChoiceField(
        label=_("checklist"),
        choices=CheckItem.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=CheckItem.values,
    )
    villages = forms.ModelMultipleChoiceField(
        Village.objects.none(),
        label=_("villages"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"station": _station_field(user), **self.fields}
        self.fields["villages"].queryset = visible(user, Village.objects.all())


class InspectionForm(SubmissionForm):
    village = forms.ModelChoiceField(Village.objects.none(), label=_("village"))
    transformer = forms.ModelChoiceField(
        TransformerDistrict.objects.none(), label=_("transformer district"), required=False
    )
    customer = forms.CharField(label=_("household account number"), max_length=20, required=False)
    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    inspector = forms.CharField(label=_("inspector"), max_length=100, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        villages = (
            campaign.villages.all()
            if campaign.villages.exists()
            else Village.objects.filter(station_id=campaign.station_id)
        )
        self.fields["village"].queryset = villages
        self.fields["transformer"].queryset = TransformerDistrict.objects.filter(village__in=villages)
        self.fields["responsible"] = forms.ModelChoiceField(
            Staff.objects.filter(station_id=campaign.station_id),
            label=_("responsible person for hazards"),
            required=False,
        )
        self.initial.setdefault("inspected_on", timezone.localdate())
        self.items = []
        for item in campaign.checklist:
            label = CheckItem(item).label
            self.fields[f"{item}__result"] = forms.ChoiceField(
                label=label, choices=CheckResult.choices, widget=forms.RadioSelect, initial=CheckResult.PASS
            )
            self.fields[f"{item}__notes"] = forms.CharField(label=_("notes"), max_length=300, required=False)
            self.fields[f"{item}__severity"] = forms.ChoiceField(
                label=_("severity if failed"), choices=Severity.choices, initial=Severity.MAJOR
            )
            self.fields[f"{item}__photo"] = forms.ImageField(
                label=_("photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
            )
            self.items.append(item)

    def item_rows(self):
        return [
            (
                CheckItem(item).label,
                [self[f"{item}__{part}"] for part in ("result", "notes", "severity", "photo")],
            )
            for item in self.items
        ]

    def results(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "item": item,
                "result": data[f"{item}__result"],
                "notes": data[f"{item}__notes"],
                "severity": data[f"{item}__severity"],
                "photo": data.get(f"{item}__photo"),
                "responsible": data.get("responsible"),
            }
            for item in self.items
        ]


class ReinspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("result"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=(("1", _("Pass: the hazard is gone")), ("0", _("Fail: still there"))),
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("inspected_on", timezone.localdate())


class CharityCampaignForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)
    target = YuanField(label=_("target (yuan)"), required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"station": _station_field(user), **self.fields}


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("donor"), max_length=100)
    donated_on = forms.DateField(label=_("date"), widget=DATE)
    amount = YuanField(label=_("amount (yuan)"), required=False)
    items = forms.CharField(label=_("items"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("donated_on", timezone.localdate())


class BeneficiaryForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    kind = forms.ChoiceField(label=_("kind"), choices=BeneficiaryKind.choices)
    village = forms.ModelChoiceField(Village.objects.none(), label=_("village"))
    school = forms.CharField(label=_("school"), max_length=100, required=False)

    def __init__(self, *args, station_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(station_id=station_id)


class DistributionForm(forms.Form):
    beneficiary = forms.ModelChoiceField(Village.objects.none(), label=_("beneficiary"))
    given_on = forms.DateField(label=_("date"), widget=DATE)
    amount = YuanField(label=_("amount (yuan)"), required=False)
    items = forms.CharField(label=_("items"), max_length=300, required=False)

    def __init__(self, *args, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries
        self.initial.setdefault("given_on", timezone.localdate())
