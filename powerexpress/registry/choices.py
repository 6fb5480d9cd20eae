from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaClass(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    REMOTE = "remote", _("Remote")


class ConnectionGroup(models.TextChoices):
    DYN11 = "Dyn11", "Dyn11"
    YYN0 = "Yyn0", "Yyn0"


class Phase(models.TextChoices):
    A = "A", _("Phase A")
    B = "B", _("Phase B")
    C = "C", _("Phase C")
    ABC = "ABC", _("Three-phase")


class CustomerTag(models.TextChoices):
    LOW_INCOME = "low_income", _("Low-income")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")
    LEFT_BEHIND_CHILDREN = "left_behind_children", _("Left-behind children")
    OLD_PARTY_MEMBER = "old_party_member", _("Old party member")
    HARDSHIP = "hardship", _("Family in hardship")


class PaymentMethod(models.TextChoices):
    COUNTER = "counter", _("Counter")
    AUTO_DEBIT = "auto_debit", _("Bank auto-debit")
    MOBILE = "mobile", _("Mobile payment")
    AGENT_POINT = "agent_point", _("Village agent point")


class TeamKind(models.TextChoices):
    SERVICE = "service", _("Service team")
    PUBLICITY = "publicity", _("Publicity team")
    VANGUARD = "vanguard", _("Vanguard team")


class MeterStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    REMOVED = "removed", _("Removed")
