"""Kinds of service application (业扩报装), their lifecycle and what each kind's template asks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential new connection")
    NON_RESIDENTIAL = "non_residential", _("Low-voltage non-residential (shop, workshop)")
    AGRICULTURAL = "agricultural", _("Agricultural pumping / irrigation")
    TEMPORARY = "temporary", _("Temporary supply")
    CAPACITY_INCREASE = "capacity_increase", _("Capacity increase")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    SURVEYED = "surveyed", _("Site survey done")
    PLAN_REPLIED = "plan_replied", _("Supply plan replied")
    FEES_SETTLED = "fees_settled", _("Fees settled")
    INSTALLED = "installed", _("Meter installed")
    CONNECTED = "connected", _("Connected")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationSource(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    PORTAL = "portal", _("Villager portal")
    COUNTER = "counter", _("Service counter")


S = ApplicationStatus
# Which step may follow which; "fees settled" is skipped when the plan names no fee.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.SURVEYED, S.REJECTED, S.WITHDRAWN}),
    S.SURVEYED: frozenset({S.PLAN_REPLIED, S.REJECTED, S.WITHDRAWN}),
    S.PLAN_REPLIED: frozenset({S.FEES_SETTLED, S.INSTALLED, S.WITHDRAWN}),
    S.FEES_SETTLED: frozenset({S.INSTALLED, S.WITHDRAWN}),
    S.INSTALLED: frozenset({S.CONNECTED}),
    S.CONNECTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
CLOSED_STATUSES = frozenset({S.CONNECTED, S.REJECTED, S.WITHDRAWN})
# Steps whose timer is the supply-plan reply; the later ones run against the connection date.
PLAN_STEPS = frozenset({S.RECEIVED, S.SURVEYED})
MAIN_STEPS = (S.RECEIVED, S.SURVEYED, S.PLAN_REPLIED, S.FEES_SETTLED, S.INSTALLED, S.CONNECTED)

# Defaults of the service commitments (DOMAIN.md §3): supply plan reply and meter installation
# after formalities, in working days. Residential and LV non-residential are confirmed; the
# other kinds follow the LV non-residential figures and are marked "to verify".
DEFAULT_TIME_LIMITS: dict[str, tuple[int, int, bool]] = {
    ApplicationKind.RESIDENTIAL: (3, 3, False),
    ApplicationKind.NON_RESIDENTIAL: (7, 5, False),
    ApplicationKind.AGRICULTURAL: (7, 5, True),
    ApplicationKind.TEMPORARY: (7, 5, True),
    ApplicationKind.CAPACITY_INCREASE: (7, 5, True),
}


class Document(models.TextChoices):
    ID_CARD = "id_card", _("Copy of the applicant's resident ID card")
    PROPERTY_PROOF = (
        "property_proof",
        _("Proof of the house or premises (property certificate or village letter)"),
    )
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    LAND_PROOF = "land_proof", _("Village committee letter on the land or pond to be irrigated")
    PUMP_NAMEPLATE = "pump_nameplate", _("Photo of the pump's nameplate")
    WORKS_PERMIT = "works_permit", _("Permit or contract of the temporary works")
    LATEST_BILL = "latest_bill", _("A recent electricity bill of the account")


K = ApplicationKind
# What each kind's template asks beyond the common fields, and its documents checklist.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    K.RESIDENTIAL: (),
    K.NON_RESIDENTIAL: ("business_name",),
    K.AGRICULTURAL: ("purpose",),
    K.TEMPORARY: ("purpose", "supply_until"),
    K.CAPACITY_INCREASE: ("account_no",),
}
KIND_DOCUMENTS: dict[str, tuple[str, ...]] = {
    K.RESIDENTIAL: (Document.ID_CARD, Document.PROPERTY_PROOF),
    K.NON_RESIDENTIAL: (Document.ID_CARD, Document.BUSINESS_LICENCE, Document.PROPERTY_PROOF),
    K.AGRICULTURAL: (Document.ID_CARD, Document.LAND_PROOF, Document.PUMP_NAMEPLATE),
    K.TEMPORARY: (Document.ID_CARD, Document.WORKS_PERMIT),
    K.CAPACITY_INCREASE: (Document.ID_CARD, Document.LATEST_BILL),
}
KIND_EXAMPLES: dict[str, tuple[tuple[str, int, str], ...]] = {
    K.RESIDENTIAL: ((_("Rice cooker"), 1, "0.8"), (_("Water heater"), 1, "2")),
    K.NON_RESIDENTIAL: ((_("Freezer"), 2, "0.3"), (_("Grinder"), 1, "2.2")),
    K.AGRICULTURAL: ((_("Irrigation pump"), 1, "5.5"),),
    K.TEMPORARY: ((_("Concrete mixer"), 1, "5.5"), (_("Work lights"), 10, "0.1")),
    K.CAPACITY_INCREASE: ((_("Air conditioner"), 2, "1.5"),),
}
