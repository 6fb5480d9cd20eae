"""Service applications (业扩报装): the application, its appliance lines, its step history, and
the bureau settings that drive the time limits and the headroom check."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.applications.choices import (
    ApplicationKind,
    ApplicationSource,
    ApplicationStatus,
)


class TimeLimit(models.Model):
    """The bureau's time limits for one kind of application, in working days (editable by managers).

    ``to_verify`` marks figures not yet confirmed against the bureau's published commitments.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ApplicationKind.choices, unique=True)
    plan_reply_days = models.PositiveSmallIntegerField(_("supply plan reply (working days)"))
    install_days = models.PositiveSmallIntegerField(_("meter installation after formalities (working days)"))
    to_verify = models.BooleanField(_("to verify"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    station_path = None

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan_reply_days__gte=1, install_days__gte=1),
                name="timelimit_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.plan_reply_days} + {self.install_days}"


class ApplicationPolicy(models.Model):
    """Bureau-wide settings of the application workflow (one row, editable by managers)."""

    heavy_load_percent = models.PositiveSmallIntegerField(
        _("warn when the load rate would pass (%)"), default=80
    )
    household_kva = models.DecimalField(
        _("estimated load per household (kVA)"), max_digits=6, decimal_places=2, default=Decimal("2.00")
    )
    power_factor = models.DecimalField(
        _("power factor for kW → kVA"), max_digits=3, decimal_places=2, default=Decimal("0.90")
    )
    near_due_working_days = models.PositiveSmallIntegerField(_("near due within (working days)"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    station_path = None

    class Meta:
        verbose_name = _("application policy")
        verbose_name_plural = _("application policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(power_factor__gt=0, power_factor__lte=1),
                name="applicationpolicy_power_factor_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class HolidayNotice(models.Model):
    """The State Council's holiday notice for one year, as a manager entered it: public holidays and
    make-up workdays (调休). Used only for years the installed holiday calendar does not know yet,
    so due dates in that year stop being estimates."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.TextField(_("public holidays"))
    makeup_workdays = models.TextField(_("make-up workdays"), blank=True)
    source = models.CharField(_("source"), max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    station_path = None

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class TrackingCounter(models.Model):
    """The last tracking number given out on one day; locked row by row so that simultaneous
    submissions get consecutive numbers without retries."""

    day = models.DateField(_("day"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    station_path = None

    class Meta:
        verbose_name = _("tracking number counter")
        verbose_name_plural = _("tracking number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Application(models.Model):
    """One application for supply: who, where, how much, and where it stands.

    ``due_on`` is the due date of the step in progress (supply plan reply, then connection) so that
    overdue and near-due lists are plain queries. ``id_number`` and ``phone`` are personal data.
    """

    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ApplicationKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.RECEIVED,
        db_index=True,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ApplicationSource.choices, default=ApplicationSource.WEB
    )
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    village = models.ForeignKey(
        "registry.Village", verbose_name=_("village"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(_("applicant name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    phone = models.CharField(_("mobile"), max_length=11, db_index=True)
    address = models.CharField(_("address"), max_length=200)
    business_name = models.CharField(_("shop or workshop name"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    supply_until = models.DateField(_("supply needed until"), null=True, blank=True)
    account_no = models.CharField(_("existing account number"), max_length=20, blank=True)
    requested_kw = models.DecimalField(_("requested capacity (kW)"), max_digits=10, decimal_places=3)
    connected_kw = models.DecimalField(_("connected load (kW)"), max_digits=12, decimal_places=3)
    documents = models.JSONField(_("documents brought"), default=list, blank=True)
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    fee_fen = models.PositiveBigIntegerField(_("fees (fen)"), default=0)
    plan_due_on = models.DateField(_("supply plan due on"))
    connect_due_on = models.DateField(_("connection due on"))
    due_on = models.DateField(_("current step due on"), null=True, blank=True, db_index=True)
    due_dates_estimated = models.BooleanField(_("due dates beyond the holiday calendar"), default=False)
    headroom_note = models.CharField(_("headroom check"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("service application")
        verbose_name_plural = _("service applications")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="application_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(requested_kw__gt=0), name="application_requested_kw_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_no} {self.get_kind_display()}"


class ApplianceLine(models.Model):
    """One line of the applicant's appliance list: name, quantity and kW of each."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="appliances"
    )
    position = models.PositiveSmallIntegerField(_("line"))
    name = models.CharField(_("appliance"), max_length=50)
    quantity = models.PositiveIntegerField(_("quantity"))
    kw_each = models.DecimalField(_("kW each"), max_digits=10, decimal_places=3)

    station_path = "application__station"

    class Meta:
        verbose_name = _("appliance line")
        verbose_name_plural = _("appliance lines")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="applianceline_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def total_kw(self) -> Decimal:
        return self.kw_each * self.quantity


class ApplicationEvent(models.Model):
    """One step of an application: from which status to which, who, when, and notes."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    station_path = "application__station"

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
