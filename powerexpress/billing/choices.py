from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadingStatus(models.TextChoices):
    OK = "ok", _("OK")
    HELD = "held", _("Held for checking")


class ReadingResolution(models.TextChoices):
    ROLLOVER = "rollover", _("Confirmed as a register rollover")
    CORRECTED = "corrected", _("Corrected reading entered")
    METER_CHANGE = "meter_change", _("Meter replacement recorded")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    GAPS = "gaps", _("Completed with gaps")
    FAILED = "failed", _("Failed")


class BillKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    ADJUSTMENT = "adjustment", _("Adjustment")


class BillStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    IN_DEBIT = "in_debit", _("Sent for debit")
    PAID = "paid", _("Paid")
    ARREARS = "arrears", _("In arrears")
    CREDIT = "credit", _("Credit carried forward")
    SETTLED = "settled", _("Settled against other bills")


class AgreementStatus(models.TextChoices):
    PENDING = "pending", _("Pending confirmation")
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class AgreementChannel(models.TextChoices):
    COUNTER = "counter", _("Credit union counter")
    UNIONPAY = "unionpay", _("UnionPay")
    AGENT_POINT = "agent_point", _("Village agent point (村村通)")


class DebitResult(models.TextChoices):
    PENDING = "pending", _("Awaiting return file")
    SUCCESS = "success", _("Debited")
    INSUFFICIENT = "insufficient", _("Insufficient balance")
    CLOSED = "closed", _("Account closed")
    INVALID = "invalid", _("Invalid account")
