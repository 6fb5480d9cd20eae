"""The command centre's data: the KPI registry, the frozen monthly scores and figures, the
archived monthly reports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.command.choices import Direction, KpiFormula, ReportFormat, ReportKind, ReportStatus


class Kpi(models.Model):
    """One line of the KPI registry (考核指标) that managers edit: what is measured, the target,
    the points it carries and how many points each unit short of the target costs.

    A month's scores freeze on ``cutoff_day`` of the following month (the latest cut-off of the
    active KPIs), after which re-runs read the frozen snapshot."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    formula = models.CharField(_("formula"), max_length=30, choices=KpiFormula.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2)
    weight_points = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    deduction_per_unit = models.DecimalField(
        _("points deducted per unit short of the target"), max_digits=6, decimal_places=2
    )
    cutoff_day = models.PositiveSmallIntegerField(
        _("cut-off day of the following month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    active = models.BooleanField(_("active"), default=True)
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
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cutoff_day__gte=1, cutoff_day__lte=28), name="kpi_cutoff_1_to_28"
            ),
            models.CheckConstraint(
                condition=models.Q(weight_points__gte=0, deduction_per_unit__gte=0),
                name="kpi_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScoreMonth(models.Model):
    """A month whose scores and figures are frozen (one row per month, written once)."""

    month = models.DateField(_("month"), unique=True)
    frozen_at = models.DateTimeField(_("frozen at"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    station_path = None

    class Meta:
        verbose_name = _("frozen month")
        verbose_name_plural = _("frozen months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class Score(models.Model):
    """One KPI's frozen result for a station (``responsible`` blank) or for one responsible
    person (台区经理) of the station, with the items that cost points."""

    score_month = models.ForeignKey(
        ScoreMonth, verbose_name=_("month"), on_delete=models.CASCADE, related_name="scores"
    )
    station = models.ForeignKey(
        "registry.SupplyStation", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.CharField(_("responsible person"), max_length=50, blank=True)
    kpi_code = models.CharField(_("KPI"), max_length=30)
    kpi_name = models.CharField(_("KPI name"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2)
    weight_points = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    deducted_points = models.DecimalField(_("points deducted"), max_digits=6, decimal_places=2)
    score_points = models.DecimalField(_("score (points)"), max_digits=6, decimal_places=2)
    items = models.JSONField(_("items that cost points"), default=list, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["station__code", "responsible", "kpi_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["score_month", "station", "responsible", "kpi_code"],
                name="score_one_per_month_station_person_kpi",
            )
        ]

    def __str__(self) -> str:
        return f"{self.score_month} {self.station_id} {self.responsible} {self.kpi_code}"


class FrozenTable(models.Model):
    """One table of the month's figures as it stood at the freeze (station blank: the bureau's)."""

    score_month = models.ForeignKey(
        ScoreMonth, verbose_name=_("month"), on_delete=models.CASCADE, related_name="tables"
    )
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    header = models.JSONField(_("header"), default=list)
    rows = models.JSONField(_("rows"), default=list)

    station_path = "station"

    class Meta:
        verbose_name = _("frozen table")
        verbose_name_plural = _("frozen tables")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["score_month", "station", "key"], name="frozentable_one_per_key"),
        ]

    def __str__(self) -> str:
        return self.title


class MonthlyReport(models.Model):
    """An archived monthly report file (station or bureau, Excel or PDF). The file is written
    after the row commits; the row says whether it is ready."""

    score_month = models.ForeignKey(
        ScoreMonth, verbose_name=_("month"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fmt = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to="command/reports/%Y/%m", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    station_path = "station"

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-score_month__month", "kind", "station__code", "fmt"]
        constraints = [
            models.UniqueConstraint(
                fields=["score_month", "kind", "station", "fmt"],
                name="monthlyreport_one_per_month_kind_station_fmt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score_month} {self.kind} {self.fmt}"


class MapOutline(models.Model):
    """A township or village outline for the power map, imported from a bureau's GeoJSON
    (WGS-84 longitude/latitude, as GeoJSON defines). Geography, not personal data: every map
    user sees every outline."""

    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    station_path = None

    class Meta:
        verbose_name = _("map outline")
        verbose_name_plural = _("map outlines")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
