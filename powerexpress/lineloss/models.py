"""Line loss (同期线损): the bureau's bands, monthly figures per district, households suspected of
being registered to the wrong district, their moves, and the governance plan (治理计划)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.lineloss.choices import Cause, LossClass, LossReason, PlanStatus, SuspectStatus


class LineLossSettings(models.Model):
    """The bureau's class bands and coverage floor (practice, *to verify*; managers edit)."""

    bureau = models.OneToOneField(
        "registry.Bureau",
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="lineloss_settings",
    )
    high_from_pct = models.DecimalField(_("high loss from (%)"), max_digits=5, decimal_places=2, default=6)
    negative_to_pct = models.DecimalField(
        _("negative loss up to (%)"), max_digits=5, decimal_places=2, default=-1
    )
    economic_to_pct = models.DecimalField(
        _("economic loss up to (%)"), max_digits=5, decimal_places=2, default=4
    )
    min_coverage_pct = models.DecimalField(
        _("computable from household coverage (%)"), max_digits=5, decimal_places=1, default=90
    )
    suspect_min_score = models.DecimalField(
        _("suspect a household from score"), max_digits=3, decimal_places=2, default=Decimal("0.6")
    )
    plan_due_days = models.PositiveSmallIntegerField(_("plan items due after (days)"), default=30)
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
        verbose_name = _("line-loss settings")
        verbose_name_plural = _("line-loss settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(negative_to_pct__lt=models.F("high_from_pct")),
                name="lineloss_settings_bands_ordered",
                violation_error_message=_("The negative band must lie below the high band."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_coverage_pct__gte=0) & models.Q(min_coverage_pct__lte=100),
                name="lineloss_settings_coverage_pct",
                violation_error_message=_("Coverage is a share between 0 and 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.bureau)


class LineLoss(models.Model):
    """One district's line loss over one calendar month (same window for supply and sales)."""

    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="line_losses",
    )
    month = models.DateField(_("month"))
    supply_kwh = models.FloatField(_("supply (kWh)"), null=True, blank=True)
    sales_kwh = models.FloatField(_("sales (kWh)"), default=0)
    loss_kwh = models.FloatField(_("loss (kWh)"), null=True, blank=True)
    loss_rate = models.FloatField(_("loss rate"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    households_with_data = models.PositiveIntegerField(_("households with data"), default=0)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)
    loss_class = models.CharField(_("class"), max_length=20, choices=LossClass.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=LossReason.choices, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("line loss")
        verbose_name_plural = _("line losses")
        ordering = ["-month", "transformer"]
        constraints = [
            models.UniqueConstraint(fields=["transformer", "month"], name="lineloss_unique_month"),
        ]
        indexes = [models.Index(fields=["month", "loss_class"], name="lineloss_month_class")]

    def __str__(self) -> str:
        return f"{self.transformer_id} {self.month:%Y-%m} {self.loss_class}"

    @property
    def loss_rate_pct(self) -> float | None:
        return None if self.loss_rate is None else 100 * self.loss_rate

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else 100 * self.coverage


class LossSuspect(models.Model):
    """A household whose consumption fits another district's loss residual better than its own."""

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("registered district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("suspected correct district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"))
    corr_suggested = models.FloatField(_("correlation with the suspected district"))
    corr_own = models.FloatField(_("correlation with its own district"))
    sales_kwh = models.FloatField(_("consumption (kWh)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=SuspectStatus.choices, default=SuspectStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("suspected household")
        verbose_name_plural = _("suspected households")
        ordering = ["-corr_suggested"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="lineloss_suspect_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.transformer_id}→{self.suggested_id}"


class TransformerMove(models.Model):
    """History of a household moved from one district to another (who, when, why). Never edited."""

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    from_transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("from district"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    to_transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("to district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    suspect = models.ForeignKey(
        LossSuspect,
        verbose_name=_("suspicion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("household move")
        verbose_name_plural = _("household moves")
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_transformer_id}→{self.to_transformer_id}"


class PlanItem(models.Model):
    """A district on the governance plan (治理计划): the cause, the loss before, its work order."""

    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month of the figure"))
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    loss_class_before = models.CharField(_("class before"), max_length=20, choices=LossClass.choices)
    loss_rate_before = models.FloatField(_("loss rate before"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("governance plan item")
        verbose_name_plural = _("governance plan items")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transformer", "month"],
                condition=models.Q(status="open"),
                name="lineloss_plan_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transformer_id} {self.month:%Y-%m} {self.cause}"

    @property
    def loss_rate_before_pct(self) -> float | None:
        return None if self.loss_rate_before is None else 100 * self.loss_rate_before
