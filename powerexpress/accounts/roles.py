"""Roles and the permissions each role holds.

Permissions are granted by role (see ``RoleBackend``) so that a user's rights follow from one
field, and scope (which station's rows a user sees) follows from ``User.station``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager (whole bureau)")
    STATION_STAFF = "station_staff", _("Station staff")
    CREW = "crew", _("Repair crew")
    TEAM_MEMBER = "team_member", _("Team member")
    AUDITOR = "auditor", _("Auditor (read-only)")


VIEW_PERSONAL_DATA = "registry.view_personal_data"
EDIT_REGISTRY = "registry.edit_registry"
VIEW_AUDIT_LOG = "core.view_auditentry"
IMPORT_REGISTRY = "registry.import_registry"
VIEW_COMMAND_CENTRE = "command.view_command_centre"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset(
        {VIEW_PERSONAL_DATA, EDIT_REGISTRY, VIEW_AUDIT_LOG, IMPORT_REGISTRY, VIEW_COMMAND_CENTRE}
    ),
    Role.STATION_STAFF: frozenset({VIEW_PERSONAL_DATA, EDIT_REGISTRY, IMPORT_REGISTRY, VIEW_COMMAND_CENTRE}),
    Role.CREW: frozenset(),
    Role.TEAM_MEMBER: frozenset(),
    Role.AUDITOR: frozenset({VIEW_AUDIT_LOG, VIEW_COMMAND_CENTRE}),
}

# Roles that see every station's rows; the others see only their own station's.
BUREAU_WIDE_ROLES = frozenset({Role.MANAGER, Role.AUDITOR})
