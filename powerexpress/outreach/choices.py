from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    WALK_IN_VILLAGE = "walk_in_village", _("Walk-in: village")
    WALK_IN_SCHOOL = "walk_in_school", _("Walk-in: school")
    WALK_IN_HOME = "walk_in_home", _("Walk-in: homes")
    WALK_IN_FIELD = "walk_in_field", _("Walk-in: fields")
    WALK_IN_AGRI_PARK = "walk_in_agri_park", _("Walk-in: agricultural park")
    MARKET_DAY = "market_day", _("Market-day stall")
    SAFETY_MONTH = "safety_month", _("Safety month")
    SAFETY_LECTURE = "safety_lecture", _("Safety lecture")
    ART_SHOW = "art_show", _("Art troupe show")
    AUTO_DEBIT_CAMPAIGN = "auto_debit_campaign", _("Door-to-door auto-debit campaign")
    MODEL_WORKER = "model_worker", _("Model-worker selection")
    DISASTER_RELIEF = "disaster_relief", _("Disaster-relief call-out")


class PlanItemKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    MILESTONE = "milestone", _("Milestone")


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


PLAN_TRANSITIONS = {
    PlanStatus.PLANNED: {PlanStatus.PLANNED, PlanStatus.IN_PROGRESS, PlanStatus.DONE, PlanStatus.CANCELLED},
    PlanStatus.IN_PROGRESS: {PlanStatus.IN_PROGRESS, PlanStatus.DONE, PlanStatus.CANCELLED},
    PlanStatus.DONE: set(),
    PlanStatus.CANCELLED: set(),
}


class CampaignKind(models.TextChoices):
    PRE_FESTIVAL = "pre_festival", _("Pre-festival dragnet inspection")
    SAFETY_MONTH = "safety_month", _("Safety-month customer-side checks")
    ROUTINE = "routine", _("Routine inspection")


class CheckItem(models.TextChoices):
    RCD_TRIP = "rcd_trip", _("Residual-current breaker trip test")
    WIRING = "wiring", _("Wiring")
    METER_BOX = "meter_box", _("Meter box")
    POLE_LINE = "pole_line", _("Pole and line condition")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


SEVERITY_DAYS = {Severity.MINOR: 30, Severity.MAJOR: 14, Severity.CRITICAL: 3}


class HazardStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIXING = "fixing", _("Being fixed")
    CLOSED = "closed", _("Closed")


HAZARD_TRANSITIONS = {
    HazardStatus.OPEN: {HazardStatus.FIXING, HazardStatus.CLOSED},
    HazardStatus.FIXING: {HazardStatus.CLOSED},
    HazardStatus.CLOSED: set(),
}


class BeneficiaryKind(models.TextChoices):
    STUDENT = "student", _("Student in need")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")


# Default visit interval (days) per care tag, used where a station has not set its own plan.
DEFAULT_VISIT_DAYS = {
    "empty_nest": 30,
    "left_behind_children": 30,
    "hardship": 45,
    "old_party_member": 60,
    "low_income": 90,
}
DUE_SOON_DAYS = 7
