"""Writes of billing, one module per section: tariff schedules and quotes (``tariffs``), meter
readings and meter changes (``readings``), billing runs and adjustment bills (``runs``),
auto-debit agreements (``agreements``), debit batches and return files (``debits``).

Every public name is re-exported here: callers write ``services.billing_run_start`` or
``from powerexpress.billing.services import billing_run_start``."""

from powerexpress.billing.services.agreements import (
    agreement_cancel,
    agreement_confirm,
    agreement_request_create,
    agreement_sign,
)
from powerexpress.billing.services.debits import (
    ReturnOutcome,
    debit_batch_create,
    debit_failures_notify,
    debit_return_import,
)
from powerexpress.billing.services.readings import (
    ReadingImportOutcome,
    meter_change_record,
    reading_confirm_rollover,
    reading_consumption,
    reading_correct,
    reading_resolve,
    readings_import,
)
from powerexpress.billing.services.runs import (
    BILL_COLUMNS,
    billing_run_chunk,
    billing_run_finish,
    billing_run_now,
    billing_run_start,
    bills_insert,
    month_parse,
)
from powerexpress.billing.services.tariffs import (
    KERNEL_MESSAGES,
    field_error,
    kernel_message,
    tariff_quote,
    tariff_schedule_save,
)

__all__ = [
    "BILL_COLUMNS",
    "KERNEL_MESSAGES",
    "ReadingImportOutcome",
    "ReturnOutcome",
    "agreement_cancel",
    "agreement_confirm",
    "agreement_request_create",
    "agreement_sign",
    "billing_run_chunk",
    "billing_run_finish",
    "billing_run_now",
    "billing_run_start",
    "bills_insert",
    "debit_batch_create",
    "debit_failures_notify",
    "debit_return_import",
    "field_error",
    "kernel_message",
    "meter_change_record",
    "month_parse",
    "reading_confirm_rollover",
    "reading_consumption",
    "reading_correct",
    "reading_resolve",
    "readings_import",
    "tariff_quote",
    "tariff_schedule_save",
]
