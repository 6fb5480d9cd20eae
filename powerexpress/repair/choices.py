from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("On site")
    RESTORED = "restored", _("Restored")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DUPLICATE = "duplicate", _("Duplicate")


# The lifecycle: which status may follow which. Every move goes through services.fault_ticket_transition.
TRANSITIONS: dict[str, frozenset[str]] = {
    FaultStatus.REPORTED: frozenset({FaultStatus.DISPATCHED, FaultStatus.CANCELLED, FaultStatus.DUPLICATE}),
    FaultStatus.DISPATCHED: frozenset({FaultStatus.EN_ROUTE, FaultStatus.CANCELLED, FaultStatus.DUPLICATE}),
    FaultStatus.EN_ROUTE: frozenset({FaultStatus.ON_SITE, FaultStatus.CANCELLED}),
    FaultStatus.ON_SITE: frozenset({FaultStatus.RESTORED}),
    FaultStatus.RESTORED: frozenset({FaultStatus.CLOSED}),
    FaultStatus.CLOSED: frozenset(),
    FaultStatus.CANCELLED: frozenset(),
    FaultStatus.DUPLICATE: frozenset(),
}

# Restoring an outage restores its tickets from any of these (the crew fixed the shared device).
OUTAGE_RESTORABLE = frozenset(
    {FaultStatus.REPORTED, FaultStatus.DISPATCHED, FaultStatus.EN_ROUTE, FaultStatus.ON_SITE}
)
OPEN_STATUSES = OUTAGE_RESTORABLE
# Statuses in which the arrival clock runs (nobody on site yet).
AWAITING_ARRIVAL = frozenset({FaultStatus.REPORTED, FaultStatus.DISPATCHED, FaultStatus.EN_ROUTE})
# The crew's next step, one tap each.
CREW_NEXT_STEP = {
    FaultStatus.DISPATCHED: FaultStatus.EN_ROUTE,
    FaultStatus.EN_ROUTE: FaultStatus.ON_SITE,
    FaultStatus.ON_SITE: FaultStatus.RESTORED,
}


# The crew's step buttons say what the tap does (an action), not the state it leads to.
CREW_STEP_ACTIONS = {
    FaultStatus.EN_ROUTE: _("Set off"),
    FaultStatus.ON_SITE: _("Confirm arrival on site"),
    FaultStatus.RESTORED: _("Confirm power restored"),
}


class FaultSource(models.TextChoices):
    PORTAL = "portal", _("Villager portal")
    QR = "qr", _("Village QR code")
    HOTLINE = "hotline", _("Hotline")
    API = "api", _("API")


class Escalation(models.TextChoices):
    NONE = "", _("On time")
    NEAR = "near", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    MATERIAL = "material", _("Material used")
    PHOTO = "photo", _("Photo")
    BEFORE = "before", _("Photo before the repair")
    AFTER = "after", _("Photo after the repair")


PHOTO_KINDS = frozenset({NoteKind.PHOTO, NoteKind.BEFORE, NoteKind.AFTER})
# A crew member may take back their own last step within this many seconds (a mis-tap).
UNDO_WINDOW_S = 15


class OutageKind(models.TextChoices):
    UNPLANNED = "unplanned", _("Unplanned")
    PLANNED = "planned", _("Planned")


class OutageStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANNOUNCED = "announced", _("Announced")
    RESTORED = "restored", _("Restored")
    CANCELLED = "cancelled", _("Cancelled")
