"""Who may operate billing: station staff (their station) and managers (the bureau). Auditors
and the other roles read only what their scope shows."""

from django.utils.translation import gettext as _

from powerexpress.accounts.roles import Role
from powerexpress.core.errors import ApiError

OPERATING_ROLES = frozenset({Role.STATION_STAFF, Role.MANAGER})


def can_operate_billing(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in OPERATING_ROLES))


def require_billing_staff(user) -> None:
    if not can_operate_billing(user):
        raise ApiError(_("Only station staff and managers may do this."), status=403, code="forbidden")
