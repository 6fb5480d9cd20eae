"""Billing: tariff schedules (versioned data), meter readings, billing runs and bills, bank
auto-debit agreements, debit batches and their return files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.billing.choices import (
    AgreementChannel,
    AgreementStatus,
    BillKind,
    BillStatus,
    DebitResult,
    ReadingResolution,
    ReadingStatus,
    RunStatus,
)


class TariffSchedule(models.Model):
    """One version of a tariff schedule (阶梯电价表). ``definition`` holds the schedule in its
    export format (see ``powerexpress.analytics.tariff``). A change is saved as a new version
    with its own effective date; bills point at the version they used, so issued bills never
    change."""

    code = models.CharField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from"))
    to_verify = models.BooleanField(_("to verify"), default=False)
    residential_default = models.BooleanField(_("bureau's residential default"), default=False)
    definition = models.JSONField(_("definition"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = None

    class Meta:
        verbose_name = _("tariff schedule")
        verbose_name_plural = _("tariff schedules")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="tariff_code_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class MeterReading(models.Model):
    """A register reading of a household's meter on a date, with the consumption since the
    previous reading. A corrected reading is a new revision; held readings are never billed."""

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="readings"
    )
    read_on = models.DateField(_("read on"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    current = models.BooleanField(_("current revision"), default=True)
    register_kwh = models.DecimalField(_("register (kWh)"), max_digits=12, decimal_places=3)
    energy_kwh = models.DecimalField(
        _("consumption (kWh)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    estimated = models.BooleanField(_("estimated"), default=False)
    rollover = models.BooleanField(_("register rolled over"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReadingStatus.choices, default=ReadingStatus.OK
    )
    problem = models.CharField(_("problem"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    resolution = models.CharField(
        _("how the hold was resolved"),
        max_length=20,
        choices=ReadingResolution.choices,
        blank=True,
        default="",
        db_default="",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["customer", "read_on", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "read_on", "revision"], name="reading_revision_unique"
            ),
            models.UniqueConstraint(
                fields=["customer", "read_on"], condition=models.Q(current=True), name="reading_one_current"
            ),
        ]
        indexes = [models.Index(fields=["read_on", "current"], name="reading_date_current")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.read_on} {self.register_kwh}"


class MeterChange(models.Model):
    """A meter replacement (换表): the old meter's final register and the new meter's start
    register on the day of the change, and the new meter's register size. Consumption across the
    change is old final − previous reading + current reading − new start, never a rollover. A
    household's meter before its first recorded change has the bureau's default register size."""

    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="meter_changes",
    )
    changed_on = models.DateField(_("changed on"))
    old_final_kwh = models.DecimalField(
        _("old meter's final register (kWh)"), max_digits=12, decimal_places=3
    )
    new_start_kwh = models.DecimalField(
        _("new meter's start register (kWh)"), max_digits=12, decimal_places=3
    )
    register_digits = models.PositiveSmallIntegerField(_("new meter's register digits"), default=6)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("meter change")
        verbose_name_plural = _("meter changes")
        ordering = ["customer", "changed_on"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "changed_on"], name="meter_change_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(register_digits__gte=4, register_digits__lte=8),
                name="meter_change_register_digits_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.changed_on}"


class BillingRun(models.Model):
    """One run of the monthly billing for a station: who started it, progress and outcome."""

    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="billing_runs",
    )
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    total_count = models.PositiveIntegerField(_("households to bill"), default=0)
    processed_count = models.PositiveIntegerField(_("processed"), default=0)
    bills_created = models.PositiveIntegerField(_("bills created"), default=0)
    adjustments_created = models.PositiveIntegerField(_("adjustment bills created"), default=0)
    held_count = models.PositiveIntegerField(_("held readings"), default=0)
    missing_count = models.PositiveIntegerField(_("missing readings"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}"


class Bill(models.Model):
    """A household's electricity bill for a month. ``sequence`` 0 is the regular bill; a
    corrected reading adds an adjustment bill (sequence 1, 2, …) for the difference, so an
    issued bill is never edited. ``lines`` holds the tier lines
    ``[{"tier", "kwh", "price_yuan_per_kwh", "amount_fen"}]``."""

    # Foreign keys covered by the composite indexes below (or rarely followed back) carry no index
    # of their own: every index costs time on each of a big run's inserts.
    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,
    )
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,
    )
    month = models.DateField(_("month"))
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=BillKind.choices, default=BillKind.REGULAR)
    schedule = models.ForeignKey(
        TariffSchedule,
        verbose_name=_("tariff schedule"),
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,
    )
    run = models.ForeignKey(
        BillingRun,
        verbose_name=_("billing run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        db_index=False,
    )
    energy_kwh = models.DecimalField(_("energy (kWh)"), max_digits=12, decimal_places=3)
    ytd_before_kwh = models.DecimalField(_("cycle kWh before this bill"), max_digits=12, decimal_places=3)
    free_kwh = models.DecimalField(_("free kWh"), max_digits=12, decimal_places=3, default=0)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    tier_after = models.PositiveSmallIntegerField(_("tier after this bill"))
    kwh_left_in_tier = models.DecimalField(
        _("kWh left in tier"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    cycle_start = models.DateField(_("cycle start"))
    lines = models.JSONField(_("lines"), default=list)
    supply_months = models.PositiveSmallIntegerField(
        _("months of supply in the cycle (prorated bounds)"), null=True, blank=True
    )
    estimated = models.BooleanField(_("estimated reading"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.ISSUED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = "station"

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-month", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "sequence"], name="bill_customer_month_sequence"
            ),
        ]
        # The bills list pages by (month, id) newest first (keyset): these two serve it bureau-wide
        # and for one station; the second also serves the run's reads by station and month.
        indexes = [
            models.Index(fields=["month", "id"], name="bill_month_id"),
            models.Index(fields=["station", "month", "id"], name="bill_station_month_id"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}#{self.sequence}"


class Agreement(models.Model):
    """A bank auto-debit agreement (代扣协议) with the county credit union. A villager's portal
    request starts ``pending``; station staff confirm it (``active``) or it is cancelled."""

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="agreements"
    )
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_account = models.CharField(_("bank account"), max_length=32)
    channel = models.CharField(_("channel"), max_length=20, choices=AgreementChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.PENDING
    )
    campaign_ref = models.CharField(_("campaign"), max_length=50, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("auto-debit agreement")
        verbose_name_plural = _("auto-debit agreements")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=~models.Q(status="cancelled"),
                name="agreement_one_open_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.bank_name}"


class DebitBatch(models.Model):
    """A batch debit file sent to the bank for a station and month."""

    batch_no = models.CharField(_("batch number"), max_length=30, unique=True)
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="debit_batches",
    )
    month = models.DateField(_("month"))
    file_format = models.CharField(_("file format"), max_length=20)
    record_count = models.PositiveIntegerField(_("records"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    content = models.TextField(_("file content"))
    reconciled = models.BooleanField(_("reconciled"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = "station"

    class Meta:
        verbose_name = _("debit batch")
        verbose_name_plural = _("debit batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.batch_no


class DebitItem(models.Model):
    """One bill in a debit batch and what the bank answered for it."""

    batch = models.ForeignKey(
        DebitBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="items"
    )
    bill = models.ForeignKey(
        Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="debit_items"
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="debit_items"
    )
    sequence = models.PositiveIntegerField(_("line"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    result = models.CharField(
        _("result"), max_length=12, choices=DebitResult.choices, default=DebitResult.PENDING
    )

    station_path = "batch__station"

    class Meta:
        verbose_name = _("debit item")
        verbose_name_plural = _("debit items")
        ordering = ["batch", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "bill"], name="debit_item_bill_once_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.sequence}"


class ReturnImport(models.Model):
    """An imported bank return file; the same file imported twice is recognised by its hash."""

    batch = models.ForeignKey(
        DebitBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="returns"
    )
    file_sha256 = models.CharField(_("file hash"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200)
    success_count = models.PositiveIntegerField(_("debited"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    station_path = "batch__station"

    class Meta:
        verbose_name = _("return file import")
        verbose_name_plural = _("return file imports")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "file_sha256"], name="return_file_once_per_batch"),
        ]

    def __str__(self) -> str:
        return self.file_name


class CreditApplication(models.Model):
    """Part of a credit (a negative adjustment bill) used to pay part of a household's other bill,
    recorded when a debit file nets them: the bank is asked only for what is left, and the credit
    that is not yet used stays on the household as a balance."""

    credit = models.ForeignKey(
        Bill, verbose_name=_("credit"), on_delete=models.PROTECT, related_name="credit_uses"
    )
    bill = models.ForeignKey(
        Bill, verbose_name=_("bill paid"), on_delete=models.PROTECT, related_name="credits_received"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    batch = models.ForeignKey(
        DebitBatch,
        verbose_name=_("debit batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_applications",
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    station_path = "bill__station"

    class Meta:
        verbose_name = _("credit applied")
        verbose_name_plural = _("credits applied")
        ordering = ["applied_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="credit_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_id}→{self.bill_id} {self.amount_fen}"


class SignupMonth(models.Model):
    """The net change of a station's signed households in a month (agreements signed in it minus
    those cancelled in it): the signed-up KPI sums these up to a month instead of counting every
    agreement per request. Kept by ``billing.kpis`` with every agreement saved or deleted."""

    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    net_signed = models.IntegerField(_("net signed"), default=0)

    station_path = "station"

    class Meta:
        verbose_name = _("signed households per month")
        verbose_name_plural = _("signed households per month")
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="signupmonth_one_per_month")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}: {self.net_signed:+d}"


class StationHouseholds(models.Model):
    """How many households a station supplies, kept by ``billing.kpis`` with every household
    saved, moved or deleted: the signed-up rate's denominator without a count per request."""

    station = models.OneToOneField(
        "registry.SupplyStation",
        verbose_name=_("station"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    households = models.IntegerField(_("households"), default=0)

    station_path = "station"

    class Meta:
        verbose_name = _("households per station")
        verbose_name_plural = _("households per station")

    def __str__(self) -> str:
        return f"{self.station_id}: {self.households}"
