from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiFormula(models.TextChoices):
    """What a KPI measures; each code has one function in ``scoring.py``."""

    SIGNUP_RATE = "signup_rate", _("Auto-debit signed-up rate (%)")
    ON_TIME_ARRIVAL = "on_time_arrival", _("On-time arrival (%)")
    RESTORATION_IN_TIME = "restoration_in_time", _("Restored within 3/4 h (%)")
    SATISFACTION = "satisfaction", _("Mean satisfaction rating (1–5)")
    DEBIT_SUCCESS = "debit_success", _("Debit success rate (%)")
    APPLICATIONS_ON_TIME = "applications_on_time", _("Applications connected on time (%)")
    HAZARDS_OVERDUE = "hazards_overdue", _("Hazards past their deadline (count)")


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class ReportKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau report")
    STATION = "station", _("Station report")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Being written")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
