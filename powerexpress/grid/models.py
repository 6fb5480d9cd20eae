"""Grid analytics: bureau thresholds, interval-data files and partitions (readings live in
Parquet under ``DATA_DIR/grid``, never one SQL row per reading), detected events, festival
forecasts and phase-balancing plans."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.grid.choices import Action, DataKind, EventKind, FileStatus, RiskLevel


class GridSettings(models.Model):
    """The bureau's detection thresholds and forecast factors (one row per bureau; managers edit)."""

    bureau = models.OneToOneField(
        "registry.Bureau", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="grid_settings"
    )
    heavy_load_pct = models.DecimalField(_("heavy load from (%)"), max_digits=5, decimal_places=1, default=80)
    overload_pct = models.DecimalField(_("overload above (%)"), max_digits=5, decimal_places=1, default=100)
    load_min_duration_min = models.PositiveIntegerField(_("load events last at least (min)"), default=120)
    unbalance_limit_pct = models.DecimalField(
        _("unbalance limit (%)"), max_digits=5, decimal_places=1, default=15
    )
    unbalance_min_load_pct = models.DecimalField(
        _("unbalance counted above load rate (%)"), max_digits=5, decimal_places=1, default=20
    )
    unbalance_min_duration_min = models.PositiveIntegerField(_("unbalance lasts at least (min)"), default=120)
    practice_unbalance_pct = models.DecimalField(
        _("practice rule: unbalance above (%)"), max_digits=5, decimal_places=1, default=25
    )
    practice_load_pct = models.DecimalField(
        _("practice rule: while load rate above (%)"), max_digits=5, decimal_places=1, default=50
    )
    practice_min_duration_min = models.PositiveIntegerField(
        _("practice rule lasts at least (min)"), default=120
    )
    low_voltage_v = models.DecimalField(
        _("low voltage below (V)"), max_digits=5, decimal_places=1, default=198
    )
    low_voltage_min_duration_min = models.PositiveIntegerField(
        _("low voltage lasts at least (min)"), default=15
    )
    over_voltage_v = models.DecimalField(
        _("over-voltage above (V)"), max_digits=5, decimal_places=1, default=Decimal("235.4")
    )
    over_voltage_min_duration_min = models.PositiveIntegerField(
        _("over-voltage lasts at least (min)"), default=15
    )
    emergency_long_pct = models.DecimalField(
        _("emergency overload, long limit: load rate (%)"), max_digits=5, decimal_places=1, default=130
    )
    emergency_long_minutes = models.DecimalField(
        _("emergency overload, long limit: permitted (min)"), max_digits=6, decimal_places=1, default=120
    )
    emergency_medium_pct = models.DecimalField(
        _("emergency overload, medium limit: load rate (%)"), max_digits=5, decimal_places=1, default=160
    )
    emergency_medium_minutes = models.DecimalField(
        _("emergency overload, medium limit: permitted (min)"), max_digits=6, decimal_places=1, default=30
    )
    emergency_short_pct = models.DecimalField(
        _("emergency overload, short limit: load rate (%)"), max_digits=5, decimal_places=1, default=200
    )
    emergency_short_minutes = models.DecimalField(
        _("emergency overload, short limit: permitted (min)"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("7.5"),
    )
    neutral_limit_pct = models.DecimalField(
        _("neutral current above, share of the rated current (%)"), max_digits=5, decimal_places=1, default=25
    )
    neutral_min_duration_min = models.PositiveIntegerField(
        _("neutral current lasts at least (min)"), default=120
    )
    bridge_single_gaps = models.BooleanField(
        _("a single missing reading inside a run bridges it"),
        default=False,
        help_text=_(
            "On: one missing reading between two readings in a condition joins them into one event, "
            "marked “gap inside”. Off: no event is raised, and the event list shows the run as "
            "“gap inside” (not an event). Two missing readings in a row never bridge; the duration "
            "counts readings only."
        ),
    )
    growth_factor = models.DecimalField(_("growth factor"), max_digits=4, decimal_places=2, default=1)
    returnee_factor = models.DecimalField(_("returnee factor"), max_digits=4, decimal_places=2, default=1)
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
        verbose_name = _("grid settings")
        verbose_name_plural = _("grid settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heavy_load_pct__lte=models.F("overload_pct")),
                name="grid_settings_heavy_below_overload",
            ),
            models.CheckConstraint(
                condition=models.Q(growth_factor__gt=0) & models.Q(returnee_factor__gt=0),
                name="grid_settings_factors_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.bureau)


class IntervalFile(models.Model):
    """One ingested file of interval readings, accepted whole or rejected whole, with its report."""

    kind = models.CharField(_("kind"), max_length=20, choices=DataKind.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=FileStatus.choices)
    rows = models.PositiveIntegerField(_("readings"), default=0)
    series = models.PositiveIntegerField(_("series"), default=0)
    step_min = models.PositiveSmallIntegerField(_("step (min)"), null=True, blank=True)
    first_at = models.DateTimeField(_("first reading"), null=True, blank=True)
    last_at = models.DateTimeField(_("last reading"), null=True, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    station_path = "station"

    class Meta:
        verbose_name = _("interval file")
        verbose_name_plural = _("interval files")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(status="accepted"),
                name="grid_interval_file_accepted_once",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class Partition(models.Model):
    """One Parquet partition (kind × station × month) and when detection last ran over it."""

    kind = models.CharField(_("kind"), max_length=20, choices=DataKind.choices)
    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    rows = models.PositiveBigIntegerField(_("readings"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    detected_at = models.DateTimeField(_("detection run at"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("data partition")
        verbose_name_plural = _("data partitions")
        ordering = ["kind", "station", "month"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "station", "month"], name="grid_partition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.station_id} {self.month:%Y-%m}"


class LoadEvent(models.Model):
    """A detected event on a transformer: from start to end, its peak and the energy above the limit.

    ``peak`` is a load rate or unbalance in % for load/unbalance events, the lowest voltage in V
    for low-voltage events."""

    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="load_events",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    peak = models.DecimalField(_("peak"), max_digits=8, decimal_places=1)
    energy_above_kvah = models.DecimalField(
        _("energy above limit (kVAh)"), max_digits=12, decimal_places=1, default=0
    )
    gap_inside = models.BooleanField(_("gap inside"), default=False)

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("load event")
        verbose_name_plural = _("load events")
        ordering = ["-start_at"]
        constraints = [
            models.UniqueConstraint(fields=["transformer", "kind", "start_at"], name="grid_event_unique"),
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")), name="grid_event_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["transformer", "start_at"], name="grid_event_tr_start")]

    def __str__(self) -> str:
        return f"{self.transformer_id} {self.kind} {self.start_at:%Y-%m-%d %H:%M}"

    @property
    def duration_min(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class GapRun(models.Model):
    """A run in a condition that would have been an event but for a single missing reading, found
    while the bureau does not bridge such gaps: shown as "gap inside" in the event list, never
    counted as an event."""

    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="gap_runs",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("run broken by missing data")
        verbose_name_plural = _("runs broken by missing data")
        ordering = ["-start_at"]
        constraints = [
            models.UniqueConstraint(fields=["transformer", "kind", "start_at"], name="grid_gaprun_unique"),
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")), name="grid_gaprun_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transformer_id} {self.kind} {self.start_at:%Y-%m-%d %H:%M} (gap inside)"

    @property
    def duration_min(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class FestivalForecast(models.Model):
    """The forecast peak load rate of a district in a Spring Festival window, its risk and action."""

    festival_year = models.PositiveSmallIntegerField(_("festival year"))
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="festival_forecasts",
    )
    forecast_rate_pct = models.DecimalField(_("forecast peak load rate (%)"), max_digits=6, decimal_places=1)
    naive_rate_pct = models.DecimalField(_("last festival's peak (%)"), max_digits=6, decimal_places=1)
    measured_growth = models.DecimalField(_("measured growth"), max_digits=5, decimal_places=3)
    normal_rate_pct = models.DecimalField(
        _("pre-festival level (%)"), max_digits=6, decimal_places=1, null=True
    )
    unbalance_at_peak_pct = models.DecimalField(
        _("unbalance at peak (%)"), max_digits=5, decimal_places=1, null=True
    )
    peak_on = models.DateField(_("expected peak day"))
    risk = models.CharField(_("risk"), max_length=20, choices=RiskLevel.choices)
    action = models.CharField(_("recommended action"), max_length=30, choices=Action.choices, blank=True)
    growth_factor = models.DecimalField(_("growth factor"), max_digits=4, decimal_places=2)
    returnee_factor = models.DecimalField(_("returnee factor"), max_digits=4, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("festival forecast")
        verbose_name_plural = _("festival forecasts")
        ordering = ["-forecast_rate_pct"]
        constraints = [
            models.UniqueConstraint(fields=["festival_year", "transformer"], name="grid_forecast_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.festival_year} {self.transformer_id} {self.forecast_rate_pct}%"


class PhasePlan(models.Model):
    """A phase-balancing plan for a district: which household moves to which phase.

    ``moves`` is ``[{"household": account_no, "from": "A", "to": "C"}]``; the figures before and
    after are over the days the plan was computed on, the held-out ones over later days."""

    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        related_name="phase_plans",
    )
    max_moves = models.PositiveSmallIntegerField(_("at most moves"))
    moves = models.JSONField(_("moves"), default=list)
    days_from = models.DateField(_("data from"))
    days_to = models.DateField(_("data to"))
    peak_phase_kw_before = models.DecimalField(
        _("peak phase load before (kW)"), max_digits=9, decimal_places=2
    )
    peak_phase_kw_after = models.DecimalField(_("peak phase load after (kW)"), max_digits=9, decimal_places=2)
    unbalance_before_pct = models.DecimalField(_("unbalance before (%)"), max_digits=5, decimal_places=1)
    unbalance_after_pct = models.DecimalField(_("unbalance after (%)"), max_digits=5, decimal_places=1)
    holdout_kw_before = models.DecimalField(
        _("held-out peak before (kW)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    holdout_kw_after = models.DecimalField(
        _("held-out peak after (kW)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    optimal = models.BooleanField(_("proven optimal"), default=False)
    solver = models.CharField(_("solver"), max_length=50)
    stopped_early = models.BooleanField(_("stopped by the safety time limit"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = "transformer__station"

    class Meta:
        verbose_name = _("phase-balancing plan")
        verbose_name_plural = _("phase-balancing plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.transformer_id} {len(self.moves)} moves"
