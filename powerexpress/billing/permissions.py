"""Who may operate billing: station staff (their station) and managers (the bureau). Auditors
and the other roles read only what their scope shows."""

from django.utils.translation import gettext as _

from powerexpress.accounts.roles import OPERATE_BILLING
from powerexpress.core.errors import ApiError


def can_operate_billing(user) -> bool:
    return bool(user and user.has_perm(OPERATE_BILLING))


def require_billing_staff(user) -> None:
    if not can_operate_billing(user):
        raise ApiError(_("Only station staff and managers may do this."), status=403, code="forbidden")
