"""Roles and the permissions each role holds.

Permissions are granted by role (see ``RoleBackend``) so that a user's rights follow from one
field, and scope (which station's rows a user sees) follows from ``User.station``. Code asks
``user.has_perm(NAME)`` with one of the names below, never compares roles; a superuser holds
every permission.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.core.permissions import USE_STAFF_PAGES as USE_STAFF_PAGES
from powerexpress.core.permissions import VIEW_AUDIT_LOG as VIEW_AUDIT_LOG
from powerexpress.core.permissions import VIEW_PERSONAL_DATA as VIEW_PERSONAL_DATA


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager (whole bureau)")
    STATION_STAFF = "station_staff", _("Station staff")
    CREW = "crew", _("Repair crew")
    TEAM_MEMBER = "team_member", _("Team member")
    AUDITOR = "auditor", _("Auditor (read-only)")


# Any role: the staff pages (lists, maps, reports) within the user's scope, and the audit log;
# personal data unmasked. Spelled in core (which checks them) and named here with the others.
# (USE_STAFF_PAGES, VIEW_AUDIT_LOG, VIEW_PERSONAL_DATA, imported above)
# Registry: records, imports; stations and first run are bureau-wide.
EDIT_REGISTRY = "registry.edit_registry"
IMPORT_REGISTRY = "registry.import_registry"
EDIT_STATIONS = "registry.edit_stations"
SET_UP_BUREAU = "registry.set_up_bureau"
# Repair: dispatch any visible ticket; move the tickets assigned to oneself; commitments.
DISPATCH_FAULTS = "repair.dispatch_faults"
WORK_ASSIGNED_FAULTS = "repair.work_assigned_faults"
CHANGE_REPAIR_SETTINGS = "repair.change_repair_settings"
# Billing: readings, runs, debit files; tariff schedules are bureau-wide.
OPERATE_BILLING = "billing.operate_billing"
CHANGE_TARIFFS = "billing.change_tariffs"
# Applications: move them along the workflow (crews record surveys and installations); limits.
MOVE_APPLICATIONS = "applications.move_applications"
CHANGE_APPLICATION_SETTINGS = "applications.change_application_settings"
# Work orders: start and close them.
WORK_WORKORDERS = "workorders.work_workorders"
# Outreach: record activities, visits, inspections and hazards.
RECORD_OUTREACH = "outreach.record_outreach"
# Grid: act on detections and balancing proposals; thresholds.
ACT_ON_GRID = "grid.act_on_grid"
CHANGE_GRID_SETTINGS = "grid.change_grid_settings"
# Line loss: act on suspects and the governance plan; bands.
ACT_ON_LINELOSS = "lineloss.act_on_lineloss"
CHANGE_LINELOSS_SETTINGS = "lineloss.change_lineloss_settings"
# Command centre: the scoreboard; the KPI registry.
VIEW_COMMAND_CENTRE = "command.view_command_centre"
CHANGE_KPIS = "command.change_kpis"

_STATION_OFFICE = frozenset(
    {
        USE_STAFF_PAGES,
        VIEW_PERSONAL_DATA,
        EDIT_REGISTRY,
        IMPORT_REGISTRY,
        DISPATCH_FAULTS,
        OPERATE_BILLING,
        MOVE_APPLICATIONS,
        WORK_WORKORDERS,
        RECORD_OUTREACH,
        ACT_ON_GRID,
        ACT_ON_LINELOSS,
        VIEW_COMMAND_CENTRE,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MANAGER: _STATION_OFFICE
    | {
        VIEW_AUDIT_LOG,
        EDIT_STATIONS,
        SET_UP_BUREAU,
        CHANGE_REPAIR_SETTINGS,
        CHANGE_TARIFFS,
        CHANGE_APPLICATION_SETTINGS,
        CHANGE_GRID_SETTINGS,
        CHANGE_LINELOSS_SETTINGS,
        CHANGE_KPIS,
    },
    Role.STATION_STAFF: _STATION_OFFICE,
    Role.CREW: frozenset(
        {USE_STAFF_PAGES, WORK_ASSIGNED_FAULTS, MOVE_APPLICATIONS, WORK_WORKORDERS, RECORD_OUTREACH}
    ),
    Role.TEAM_MEMBER: frozenset({USE_STAFF_PAGES, RECORD_OUTREACH}),
    Role.AUDITOR: frozenset({USE_STAFF_PAGES, VIEW_AUDIT_LOG, VIEW_COMMAND_CENTRE}),
}

# Roles that see every station's rows; the others see only their own station's.
BUREAU_WIDE_ROLES = frozenset({Role.MANAGER, Role.AUDITOR})
