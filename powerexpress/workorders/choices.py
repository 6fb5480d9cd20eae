from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderKind(models.TextChoices):
    PHASE_BALANCE = "phase_balance", _("Phase balancing")
    EXTRA_CAPACITY = "extra_capacity", _("Temporary extra capacity")
    REPLACE_UNIT = "replace_unit", _("Replace the transformer")
    HAZARD_FIX = "hazard_fix", _("Hazard remediation")
    INSPECTION = "inspection", _("Inspection")
    OTHER = "other", _("Other")


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


TRANSITIONS = {
    WorkOrderStatus.OPEN: {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED},
    WorkOrderStatus.IN_PROGRESS: {WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED},
    WorkOrderStatus.DONE: set(),
    WorkOrderStatus.CANCELLED: set(),
}

# Orders whose completion records a new rated capacity on the transformer district.
CAPACITY_KINDS = frozenset({WorkOrderKind.EXTRA_CAPACITY, WorkOrderKind.REPLACE_UNIT})
