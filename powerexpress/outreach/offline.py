"""Care visits recorded on a phone without network, applied when it is back online (see
``core.offline``); the client's key makes a resent visit count once."""

from django.utils.translation import gettext as _

from powerexpress.core.offline import OfflineConflict, OfflineRequest
from powerexpress.core.scope import visible
from powerexpress.outreach.forms import VisitForm
from powerexpress.outreach.services import care_visit_record
from powerexpress.registry.models import Customer


def care_visit_offline(request: OfflineRequest) -> tuple[str, str]:
    account_no = request.data.get("ref", "")
    customer = (
        visible(request.user, Customer.objects.select_related("village"))
        .filter(account_no=account_no)
        .first()
    )
    if customer is None:
        raise OfflineConflict(_("Household %(account)s is not visible to you.") % {"account": account_no})
    form = VisitForm(request.data, user=request.user, station_id=customer.village.station_id)
    if not form.is_valid():
        raise OfflineConflict("; ".join(e for errors in form.errors.values() for e in errors))
    data = {**form.cleaned_data, "submission_key": request.key}
    care_visit_record(user=request.user, customer=customer, recorded_offline=True, **data)
    return customer.account_no, _("Care visit of %(name)s") % {"name": customer.name}
