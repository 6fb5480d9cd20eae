"""The outreach programme: activities, the action plan, care visits, safety inspections and
hazards, and the charity drive. Teams are ``registry.Team``; everything here points at them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.outreach.choices import (
    ActivityKind,
    BeneficiaryKind,
    CampaignKind,
    CheckItem,
    CheckResult,
    HazardStatus,
    PlanItemKind,
    PlanStatus,
    Severity,
)
from powerexpress.registry.choices import CustomerTag

PROTECT = models.PROTECT


def _submission_key():
    return models.CharField(_("submission key"), max_length=40, blank=True, editable=False)


def _station(related_name: str) -> models.ForeignKey:
    """The supply station a programme row belongs to (the scope path of most outreach rows)."""
    return models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=PROTECT, related_name=related_name
    )


def _unique_key(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["submission_key"], condition=~models.Q(submission_key=""), name=name
    )


class Activity(models.Model):
    """One programme activity held in a village by a team: a walk-in, a market-day stall, a
    lecture, a show, a door-to-door campaign, a disaster-relief call-out …

    ``code`` is what billing's auto-debit agreements carry in ``campaign_ref`` so that sign-ups
    are attributed to the activity; ``signups_recorded`` is the count written down on the day.
    """

    station = _station("outreach_activities")
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=PROTECT, related_name="outreach_activities"
    )
    team = models.ForeignKey(
        "registry.Team",
        verbose_name=_("team"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="outreach_activities",
    )
    participants = models.ManyToManyField(
        "registry.Staff", verbose_name=_("participants"), blank=True, related_name="outreach_activities"
    )
    volunteer_count = models.PositiveIntegerField(_("other volunteers"), default=0)
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    materials = models.CharField(_("materials handed out"), max_length=300, blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    signups_recorded = models.PositiveIntegerField(_("auto-debit sign-ups (recorded)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submission_key = _submission_key()

    station_path = "station"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]
        constraints = [_unique_key("activity_one_per_submission")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ActivityPhoto(models.Model):
    """A photo taken at an activity."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="outreach/activities/%Y/%m")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    station_path = "activity__station"

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class PlanItem(models.Model):
    """A dated line of the action plan (推进计划表): an activity to hold or a milestone to reach."""

    station = _station("plan_items")
    kind = models.CharField(
        _("kind"), max_length=20, choices=PlanItemKind.choices, default=PlanItemKind.ACTIVITY
    )
    title = models.CharField(_("title"), max_length=200)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("owner"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    team = models.ForeignKey(
        "registry.Team",
        verbose_name=_("team"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    villages = models.ManyToManyField(
        "registry.Village", verbose_name=_("villages"), blank=True, related_name="plan_items"
    )
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="planitem_progress_max_100"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")), name="planitem_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanItemUpdate(models.Model):
    """One progress report on a plan item: who, when, the status and progress it reached."""

    item = models.ForeignKey(
        PlanItem, verbose_name=_("plan item"), on_delete=models.CASCADE, related_name="updates"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=PlanStatus.choices)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"))
    notes = models.TextField(_("notes"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    station_path = "item__station"

    class Meta:
        verbose_name = _("plan item update")
        verbose_name_plural = _("plan item updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item} → {self.to_status} {self.progress_percent}%"


class ProgressMeeting(models.Model):
    """A progress meeting (推进会) on the action plan, with its minutes and decisions."""

    station = _station("progress_meetings")
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"))
    decisions = models.TextField(_("decisions"), blank=True)
    items = models.ManyToManyField(
        PlanItem, verbose_name=_("plan items discussed"), blank=True, related_name="meetings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )

    station_path = "station"

    class Meta:
        verbose_name = _("progress meeting")
        verbose_name_plural = _("progress meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class VisitPlan(models.Model):
    """How often a station's vanguard team visits households carrying a care tag."""

    station = _station("visit_plans")
    tag = models.CharField(_("care tag"), max_length=30, choices=CustomerTag.choices)
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"))

    station_path = "station"

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        constraints = [
            models.UniqueConstraint(fields=["station", "tag"], name="visitplan_one_per_station_tag"),
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1), name="visitplan_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tag} / {self.interval_days}"


class CareVisit(models.Model):
    """A visit to a vulnerable household by the vanguard team."""

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("household"), on_delete=PROTECT, related_name="care_visits"
    )
    visited_on = models.DateField(_("visited on"))
    team = models.ForeignKey(
        "registry.Team",
        verbose_name=_("team"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="care_visits",
    )
    visitors = models.CharField(_("visitors"), max_length=200, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    help_given = models.TextField(_("help given"), blank=True)
    safety_check_done = models.BooleanField(_("electrical safety check done"), default=False)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_notes = models.CharField(_("follow-up"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_offline = models.BooleanField(_("recorded offline"), default=False)
    submission_key = _submission_key()

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-id"]
        constraints = [_unique_key("carevisit_one_per_submission")]

    def __str__(self) -> str:
        return f"{self.customer} {self.visited_on}"


class CareSchedule(models.Model):
    """When a tagged household with a visit plan is next due a care visit: its tightest planned
    interval, its last visit and the date they give (empty: never visited). Derived data, kept
    current by ``care_schedule`` (visits, plans, tag changes), so that the due list is an indexed
    range on ``next_due_on`` instead of a pass over every household per request."""

    customer = models.OneToOneField(
        "registry.Customer",
        verbose_name=_("household"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="care_schedule",
    )
    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=models.CASCADE, related_name="+"
    )
    account_no = models.CharField(_("account number"), max_length=20)
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    visited = models.BooleanField(_("visited"), default=False)
    next_due_on = models.DateField(_("next visit due on"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("care schedule")
        verbose_name_plural = _("care schedules")
        indexes = [
            models.Index(fields=["visited", "next_due_on", "account_no"], name="careschedule_due"),
            models.Index(
                fields=["station", "visited", "next_due_on", "account_no"], name="careschedule_station_due"
            ),
            models.Index(
                fields=["village", "visited", "next_due_on", "account_no"], name="careschedule_village_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_no} {self.next_due_on}"

    @property
    def tag_list(self) -> list[str]:
        return self.customer.tag_list


class CareDueCount(models.Model):
    """How many scheduled households of a station fall due on each day (``next_due_on`` empty:
    never visited) — the counts the overview and the scoreboard sum over date ranges, kept by
    ``care_schedule`` with every change of ``CareSchedule``."""

    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    next_due_on = models.DateField(_("next visit due on"), null=True, blank=True)
    households = models.IntegerField(_("households"), default=0)

    station_path = "station"

    class Meta:
        verbose_name = _("care visits due per day")
        verbose_name_plural = _("care visits due per day")
        constraints = [
            models.UniqueConstraint(fields=["station", "next_due_on"], name="careduecount_one_per_day"),
            models.UniqueConstraint(
                fields=["station"],
                condition=models.Q(next_due_on__isnull=True),
                name="careduecount_one_never",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.next_due_on}: {self.households}"


class CareScheduleMark(models.Model):
    """How far ``CareSchedule`` has caught up (one row): the last household and visit ids seen and
    the visit plans it was built from, so that rows written outside the services (bulk loads) are
    picked up by the next read."""

    customer_max_id = models.BigIntegerField(default=0)
    visit_max_id = models.BigIntegerField(default=0)
    plans = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("care schedule mark")
        verbose_name_plural = _("care schedule marks")

    def __str__(self) -> str:
        return f"{self.customer_max_id}/{self.visit_max_id}"


class InspectionCampaign(models.Model):
    """A safety inspection campaign of a station: e.g. the pre-festival dragnet inspection of its
    transformer districts and lines, or customer-side checks in safety month."""

    station = _station("inspection_campaigns")
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    checklist = models.JSONField(_("checklist"), default=list)
    villages = models.ManyToManyField(
        "registry.Village", verbose_name=_("villages"), blank=True, related_name="inspection_campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = "station"

    class Meta:
        verbose_name = _("inspection campaign")
        verbose_name_plural = _("inspection campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="inspectioncampaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """One inspection within a campaign: a transformer district, its lines or a household."""

    campaign = models.ForeignKey(
        InspectionCampaign, verbose_name=_("campaign"), on_delete=PROTECT, related_name="inspections"
    )
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=PROTECT, related_name="inspections"
    )
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("household"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.CharField(_("inspector"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )
    recorded_offline = models.BooleanField(_("recorded offline"), default=False)
    submission_key = _submission_key()

    station_path = "campaign__station"

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [_unique_key("inspection_one_per_submission")]

    def __str__(self) -> str:
        return f"{self.village} {self.inspected_on}"


class InspectionResult(models.Model):
    """The result of one checklist item in an inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.CharField(_("check item"), max_length=20, choices=CheckItem.choices)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    station_path = "inspection__campaign__station"

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspectionresult_one_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_result_display()}"


class Hazard(models.Model):
    """A hazard (隐患) found by a failed check item. Its fix is a work order; it closes only after
    a re-inspection passes."""

    station = _station("hazards")
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=PROTECT, related_name="hazards"
    )
    source = models.OneToOneField(
        InspectionResult, verbose_name=_("found by"), on_delete=PROTECT, related_name="hazard"
    )
    item = models.CharField(_("check item"), max_length=20, choices=CheckItem.choices)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    photo = models.ImageField(_("photo"), upload_to="outreach/hazards/%Y/%m", blank=True)
    responsible = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("responsible person"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.village.name} · {self.get_item_display()}"


class HazardEvent(models.Model):
    """One status change of a hazard: who, when, from what to what."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=HazardStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=HazardStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    notes = models.TextField(_("notes"), blank=True)

    station_path = "hazard__station"

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard} → {self.to_status}"


class Reinspection(models.Model):
    """A re-inspection of a hazard after its fix: only a passing one lets the hazard close."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="reinspections"
    )
    inspected_on = models.DateField(_("inspected on"))
    passed = models.BooleanField(_("passed"))
    notes = models.TextField(_("notes"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspected by"), on_delete=PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    station_path = "hazard__station"

    class Meta:
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard} {self.inspected_on} {self.passed}"


class CharityCampaign(models.Model):
    """A charity drive (爱心包裹) for poor students and left-behind children, with an end date."""

    station = _station("charity_campaigns")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_fen = models.PositiveBigIntegerField(_("target (fen)"), default=0)

    station_path = "station"

    class Meta:
        verbose_name = _("charity campaign")
        verbose_name_plural = _("charity campaigns")
        ordering = ["-ends_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="charitycampaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Donation(models.Model):
    """A donation to a charity campaign: money (in fen), items, or both."""

    campaign = models.ForeignKey(
        CharityCampaign, verbose_name=_("campaign"), on_delete=PROTECT, related_name="donations"
    )
    donor = models.CharField(_("donor"), max_length=100)
    donated_on = models.DateField(_("date"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    items = models.CharField(_("items"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )

    station_path = "campaign__station"

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-donated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0) | ~models.Q(items=""), name="donation_money_or_items"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.donated_on}"


class Beneficiary(models.Model):
    """A student in need or a left-behind child the charity drive supports."""

    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=PROTECT, related_name="charity_beneficiaries"
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=BeneficiaryKind.choices)
    school = models.CharField(_("school"), max_length=100, blank=True)
    household = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("household"),
        on_delete=PROTECT,
        null=True,
        blank=True,
        related_name="charity_beneficiaries",
    )

    station_path = "village__station"

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["village", "name"]

    def __str__(self) -> str:
        return self.name


class Distribution(models.Model):
    """What a beneficiary received from a campaign."""

    campaign = models.ForeignKey(
        CharityCampaign, verbose_name=_("campaign"), on_delete=PROTECT, related_name="distributions"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=PROTECT, related_name="distributions"
    )
    given_on = models.DateField(_("date"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    items = models.CharField(_("items"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=PROTECT, related_name="+"
    )

    station_path = "campaign__station"

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0) | ~models.Q(items=""), name="distribution_money_or_items"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.given_on}"
