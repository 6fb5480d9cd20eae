"""One FilterSet per billing list (bills, agreements, runs, debit batches), shared by the pages.

They filter the selectors' querysets, already narrowed to what the user may see: a filter only
narrows further, so no query string widens the scope. The bills list keeps its keyset pages over
(month, id): the filters only add conditions, never an ordering or a count."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerexpress.billing.choices import AgreementStatus, BillStatus, RunStatus
from powerexpress.billing.models import Agreement, Bill, BillingRun, DebitBatch


class CustomerSearchFilter(django_filters.CharFilter):
    """``q``: the account number starts with the text, or the customer's name contains it."""

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(customer__account_no__startswith=value) | Q(customer__name__icontains=value))


def month_filter() -> django_filters.DateFilter:
    """``month`` as YYYY-MM (the first of the month is stored)."""
    return django_filters.DateFilter(
        input_formats=["%Y-%m"],
        label=_("Month (YYYY-MM)"),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )


class BillFilterSet(django_filters.FilterSet):
    q = CustomerSearchFilter(label=_("Account number or name"))
    account_no = django_filters.CharFilter(field_name="customer__account_no", label=_("Account number"))
    month = month_filter()
    status = django_filters.ChoiceFilter(choices=BillStatus.choices, empty_label="—", label=_("Status"))

    class Meta:
        model = Bill
        fields: list[str] = []


class AgreementFilterSet(django_filters.FilterSet):
    """Agreements; ``status`` defaults to pending (the clerk's worklist)."""

    q = CustomerSearchFilter(label=_("Account number or name"))
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, empty_label=None, label=_("Status"))

    class Meta:
        model = Agreement
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = AgreementStatus.PENDING
        super().__init__(data, *args, **kwargs)


class RunFilterSet(django_filters.FilterSet):
    station = django_filters.CharFilter(field_name="station__code", label=_("Station"))
    month = month_filter()
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, empty_label="—", label=_("Status"))

    class Meta:
        model = BillingRun
        fields: list[str] = []


class BatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="batch_no", lookup_expr="icontains", label=_("Batch number"))
    station = django_filters.CharFilter(field_name="station__code", label=_("Station"))
    month = month_filter()

    class Meta:
        model = DebitBatch
        fields: list[str] = []
