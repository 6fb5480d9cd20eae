"""Auto-debit agreements: requested from the portal or signed at the station, confirmed,
cancelled."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.billing.choices import AgreementStatus
from powerexpress.billing.models import Agreement
from powerexpress.core.errors import ApiError, FieldError


def _agreement_check(*, customer, bank_name: str, bank_account: str, channel: str) -> None:
    from powerexpress.billing.choices import AgreementChannel

    errors = {}
    if not bank_name.strip():
        errors["bank_name"] = _("This field is required.")
    account = bank_account.replace(" ", "")
    if not account.isdigit() or not 12 <= len(account) <= 19:
        errors["bank_account"] = _("Enter a bank account of 12 to 19 digits.")
    if channel not in AgreementChannel.values:
        errors["channel"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(AgreementChannel.values)}
    if (
        not errors
        and Agreement.objects.filter(customer=customer).exclude(status=AgreementStatus.CANCELLED).exists()
    ):
        errors["customer"] = _("This household already has an auto-debit agreement or a pending request.")
    if errors:
        raise FieldError(errors)


def agreement_request_create(
    *, customer, bank_name: str, bank_account: str, channel: str, campaign_ref: str = ""
) -> Agreement:
    """A pending sign-up requested by the villager portal; station staff confirm it."""
    _agreement_check(customer=customer, bank_name=bank_name, bank_account=bank_account, channel=channel)
    return Agreement.objects.create(
        customer=customer,
        bank_name=bank_name.strip(),
        bank_account=bank_account.replace(" ", ""),
        channel=channel,
        campaign_ref=campaign_ref.strip(),
        status=AgreementStatus.PENDING,
    )


def agreement_sign(
    *,
    user,
    customer,
    bank_name: str,
    bank_account: str,
    channel: str,
    campaign_ref: str = "",
    signed_on: datetime.date | None = None,
) -> Agreement:
    """Station staff record an agreement signed in front of them: active at once."""
    agreement = agreement_request_create(
        customer=customer,
        bank_name=bank_name,
        bank_account=bank_account,
        channel=channel,
        campaign_ref=campaign_ref,
    )
    return agreement_confirm(user=user, agreement=agreement, signed_on=signed_on)


def agreement_confirm(*, user, agreement: Agreement, signed_on: datetime.date | None = None) -> Agreement:
    if agreement.status != AgreementStatus.PENDING:
        raise ApiError(_("Only a pending agreement can be confirmed."), status=409, code="conflict")
    agreement.status = AgreementStatus.ACTIVE
    agreement.signed_on = signed_on or timezone.localdate()
    agreement.confirmed_by = user
    agreement.save(update_fields=["status", "signed_on", "confirmed_by"])
    return agreement


def agreement_cancel(*, user, agreement: Agreement) -> Agreement:
    if agreement.status == AgreementStatus.CANCELLED:
        raise ApiError(_("This agreement is already cancelled."), status=409, code="conflict")
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_on = timezone.localdate()
    agreement.cancelled_by = user
    agreement.save(update_fields=["status", "cancelled_on", "cancelled_by"])
    return agreement
