from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.analytics import forecast, loading


class EventKind(models.TextChoices):
    HEAVY_LOAD = loading.HEAVY_LOAD, _("Heavy load")
    OVERLOAD = loading.OVERLOAD, _("Overload")
    UNBALANCE = loading.UNBALANCE, _("Three-phase unbalance")
    UNBALANCE_PRACTICE = loading.UNBALANCE_PRACTICE, _("Unbalance under load (practice rule)")
    LOW_VOLTAGE = loading.LOW_VOLTAGE, _("Low voltage")
    OVER_VOLTAGE = loading.OVER_VOLTAGE, _("Over-voltage")
    EMERGENCY_LONG = loading.EMERGENCY_LONG, _("Emergency overload beyond its long limit (1.3× for 2 h)")
    EMERGENCY_MEDIUM = (
        loading.EMERGENCY_MEDIUM,
        _("Emergency overload beyond its medium limit (1.6× for 30 min)"),
    )
    EMERGENCY_SHORT = loading.EMERGENCY_SHORT, _("Emergency overload beyond its short limit (2× for 7.5 min)")
    NEUTRAL_CURRENT = loading.NEUTRAL_CURRENT, _("Neutral current too high")


class DataKind(models.TextChoices):
    TRANSFORMER = "transformer", _("Transformer intervals")
    HOUSEHOLD = "household", _("Household intervals")


class FileStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RiskLevel(models.TextChoices):
    OVERLOAD = "overload", _("Overload (>100%)")
    HEAVY = "heavy", _("Heavy (>80%)")
    NORMAL = "normal", _("Normal")


class Action(models.TextChoices):
    REBALANCE = forecast.REBALANCE, _("Rebalance phases")
    EXTRA_CAPACITY = forecast.EXTRA_CAPACITY, _("Temporary extra capacity")
    REPLACE_UNIT = forecast.REPLACE_UNIT, _("Replace the unit")
