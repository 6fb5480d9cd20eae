"""Fault repair (抢修): tickets, their history, crew notes, outages and the bureau's commitments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.registry.choices import AreaClass
from powerexpress.repair.choices import (
    Escalation,
    FaultSource,
    FaultStatus,
    NoteKind,
    OutageKind,
    OutageStatus,
)


class RepairSettings(models.Model):
    """The bureau's service commitments for fault repair (editable by managers).

    Defaults follow the CSG/SGCC commitments: arrive within 45/90/120 minutes of the report
    (urban/rural/remote), restore within 3 h (urban) / 4 h (rural, remote) of arriving.
    """

    bureau = models.OneToOneField(
        "registry.Bureau", verbose_name=_("bureau"), on_delete=models.CASCADE, related_name="repair_settings"
    )
    arrival_urban_min = models.PositiveIntegerField(_("arrival, urban (minutes)"), default=45)
    arrival_rural_min = models.PositiveIntegerField(_("arrival, rural (minutes)"), default=90)
    arrival_remote_min = models.PositiveIntegerField(_("arrival, remote (minutes)"), default=120)
    restore_urban_min = models.PositiveIntegerField(
        _("restoration, urban (minutes from on site)"), default=180
    )
    restore_rural_min = models.PositiveIntegerField(
        _("restoration, rural (minutes from on site)"), default=240
    )
    restore_remote_min = models.PositiveIntegerField(
        _("restoration, remote (minutes from on site)"), default=240
    )
    warn_before_min = models.PositiveIntegerField(
        _("warn the station head this many minutes before a deadline"), default=15
    )
    grouping_window_min = models.PositiveIntegerField(
        _("group reports on one transformer district within (minutes)"), default=60
    )
    planned_notice_days = models.PositiveIntegerField(_("planned outage notice (days)"), default=7)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = None

    class Meta:
        verbose_name = _("repair commitments")
        verbose_name_plural = _("repair commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    arrival_urban_min__gt=0,
                    arrival_rural_min__gt=0,
                    arrival_remote_min__gt=0,
                    restore_urban_min__gt=0,
                    restore_rural_min__gt=0,
                    restore_remote_min__gt=0,
                ),
                name="repairsettings_positive_minutes",
            ),
        ]

    def __str__(self) -> str:
        return str(self.bureau)

    def arrival_minutes(self, area_class: str) -> int:
        return {
            AreaClass.URBAN: self.arrival_urban_min,
            AreaClass.RURAL: self.arrival_rural_min,
            AreaClass.REMOTE: self.arrival_remote_min,
        }[area_class]

    def restore_minutes(self, area_class: str) -> int:
        return {
            AreaClass.URBAN: self.restore_urban_min,
            AreaClass.RURAL: self.restore_rural_min,
            AreaClass.REMOTE: self.restore_remote_min,
        }[area_class]


class Outage(models.Model):
    """An outage on one transformer district: reports grouped automatically (unplanned), or
    work announced in advance (planned) with the list of households to notify."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.PROTECT, related_name="outages"
    )
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="outages",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutageKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=OutageStatus.choices)
    suspected_device = models.CharField(_("suspected device"), max_length=200, blank=True)
    affected_households = models.PositiveIntegerField(_("affected households"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    last_report_at = models.DateTimeField(_("last report at"), null=True, blank=True)
    planned_end_at = models.DateTimeField(_("planned end"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restored by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = "station"

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["transformer", "kind", "status"], name="outage_open_lookup")]

    def __str__(self) -> str:
        return self.number


class FaultTicket(models.Model):
    """A fault report (报修单) and the repair that answers it, with the commitment clocks.

    ``arrival_due_at`` is fixed at the report; ``restore_due_at`` once the crew is on site.
    ``phone`` is the reporter's mobile (personal data: shown masked to staff).
    """

    number = models.CharField(_("number"), max_length=30, unique=True)
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=models.PROTECT, related_name="fault_tickets"
    )
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="fault_tickets",
    )
    team = models.ForeignKey(
        "registry.Team",
        verbose_name=_("service team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    outage = models.ForeignKey(
        Outage,
        verbose_name=_("outage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    account_no = models.CharField(_("account number"), max_length=20, blank=True)
    phone = models.CharField(_("reporter's mobile"), max_length=11)
    description = models.TextField(_("what happened"))
    source = models.CharField(
        _("source"), max_length=20, choices=FaultSource.choices, default=FaultSource.PORTAL
    )
    area_class = models.CharField(_("area class"), max_length=10, choices=AreaClass.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=FaultStatus.choices, default=FaultStatus.REPORTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("crew"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    arrival_due_at = models.DateTimeField(_("arrival due"))
    restore_due_at = models.DateTimeField(_("restoration due"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("en route at"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    arrival_escalation = models.CharField(
        _("arrival escalation"),
        max_length=10,
        choices=Escalation.choices,
        blank=True,
        default=Escalation.NONE,
    )
    restore_escalation = models.CharField(
        _("restoration escalation"),
        max_length=10,
        choices=Escalation.choices,
        blank=True,
        default=Escalation.NONE,
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    rating_token = models.CharField(_("rating token"), max_length=40)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("fault ticket")
        verbose_name_plural = _("fault tickets")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="faultticket_one_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="faultticket_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status"], name="faultticket_station_status"),
            models.Index(fields=["phone", "reported_at"], name="faultticket_phone"),
            models.Index(fields=["transformer", "reported_at"], name="faultticket_transformer"),
        ]

    def __str__(self) -> str:
        return self.number


class FaultEvent(models.Model):
    """One status change of a ticket: who (none for the public or the system), when, from, to."""

    ticket = models.ForeignKey(
        FaultTicket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=FaultStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=FaultStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_offline = models.BooleanField(_("recorded offline"), default=False)
    is_undo = models.BooleanField(_("undoes the previous step"), default=False)

    station_path = "ticket__station"

    class Meta:
        verbose_name = _("fault ticket event")
        verbose_name_plural = _("fault ticket events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class FaultNote(models.Model):
    """A note, a material used (e.g. "200 m conductor") or a photo on a ticket."""

    ticket = models.ForeignKey(
        FaultTicket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.CharField(_("text"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="repair/%Y/%m/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    recorded_offline = models.BooleanField(_("recorded offline"), default=False)

    station_path = "ticket__station"

    class Meta:
        verbose_name = _("fault ticket note")
        verbose_name_plural = _("fault ticket notes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"
