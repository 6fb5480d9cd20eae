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


def inspection_offline(request: OfflineRequest) -> tuple[str, str]:
    from powerexpress.outreach.forms import InspectionForm
    from powerexpress.outreach.models import InspectionCampaign
    from powerexpress.outreach.views import inspection_from_form

    campaign = (
        visible(request.user, InspectionCampaign.objects.all())
        .filter(pk=_int(request.data.get("ref")))
        .first()
    )
    if campaign is None:
        raise OfflineConflict(_("The inspection campaign is not visible to you."))
    form = InspectionForm(request.data, request.files, campaign=campaign)
    inspection = inspection_from_form(
        user=request.user, campaign=campaign, form=form, submission_key=request.key, recorded_offline=True
    )
    if inspection is None:
        raise OfflineConflict("; ".join(e for errors in form.errors.values() for e in errors))
    return str(campaign.pk), _("Inspection of %(village)s") % {"village": inspection.village.name}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
