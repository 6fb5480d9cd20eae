from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.analytics import lineloss


class LossClass(models.TextChoices):
    QUALIFIED = lineloss.QUALIFIED, _("Qualified")
    HIGH = lineloss.HIGH, _("High loss")
    NEGATIVE = lineloss.NEGATIVE, _("Negative loss")
    UNCOMPUTABLE = lineloss.UNCOMPUTABLE, _("Cannot be computed")
    STOPPED = lineloss.STOPPED, _("Stopped")


class LossReason(models.TextChoices):
    NO_SUPPLY_DATA = lineloss.NO_SUPPLY_DATA, _("No energy data from the district meter")
    NO_HOUSEHOLDS = lineloss.NO_HOUSEHOLDS, _("No households registered")
    LOW_COVERAGE = lineloss.LOW_COVERAGE, _("Too few households with readings")
    NO_SUPPLY = lineloss.NO_SUPPLY, _("The district meter reports no energy (stopped)")


class Cause(models.TextChoices):
    THEFT = "theft", _("Theft suspected")
    METER_FAULT = "meter_fault", _("Meter fault")
    OLD_WIRE = "old_wire", _("Old wire")
    MAPPING = "mapping", _("Household-to-transformer error")
    DATA = "data", _("Data problem")


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SuspectStatus(models.TextChoices):
    OPEN = "open", _("To check")
    CONFIRMED = "confirmed", _("Moved")
    DISMISSED = "dismissed", _("Dismissed")
