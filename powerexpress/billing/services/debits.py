"""Debit batches (credits netted first) and the bank's return files, checked line by line."""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from powerexpress.billing.choices import AgreementStatus, BillStatus, DebitResult
from powerexpress.billing.debitfile import DebitFileError, debit_format
from powerexpress.billing.models import (
    Agreement,
    Bill,
    CreditApplication,
    DebitBatch,
    DebitItem,
    ReturnImport,
)
from powerexpress.billing.selectors import bills_outstanding_fen
from powerexpress.core.errors import ApiError


def debit_batch_create(*, user, station, month: datetime.date, file_format: str = "") -> DebitBatch:
    """The month's batch debit file for a station: every unpaid bill up to the month (new bills
    and failed items of earlier batches) of households with an active agreement. Each household's
    credits (negative adjustments) are netted first, oldest first: a bill they cover is paid, the
    bank is asked only for what is left, and a credit larger than what is owed stays as the
    household's balance for later bills. The file never holds a negative or zero line."""
    from powerexpress.billing.debitfile import DEFAULT_FORMAT, DebitLine

    month = month.replace(day=1)
    fmt = debit_format(file_format or DEFAULT_FORMAT)
    agreements = {
        a.customer_id: a
        for a in Agreement.objects.filter(customer__village__station=station, status=AgreementStatus.ACTIVE)
    }
    with transaction.atomic():
        bills = list(
            Bill.objects.select_for_update()
            .select_related("customer")
            .filter(
                station=station,
                month__lte=month,
                status__in=[BillStatus.ISSUED, BillStatus.ARREARS, BillStatus.CREDIT],
                customer_id__in=list(agreements),
            )
            .exclude(amount_fen=0)
            .order_by("customer__account_no", "month", "sequence")
        )
        to_debit, applications = _credits_net(bills)
        batch = None
        if to_debit:
            count = DebitBatch.objects.filter(station=station, month=month).count()
            batch_no = f"{station.code}{month:%Y%m}{count + 1:02d}"
            items, lines = [], []
            for line_no, (bill, amount_fen) in enumerate(to_debit, start=1):
                agreement = agreements[bill.customer_id]
                items.append(
                    DebitItem(bill=bill, agreement=agreement, sequence=line_no, amount_fen=amount_fen)
                )
                lines.append(
                    DebitLine(
                        line_no,
                        str(bill.pk),
                        bill.customer.account_no,
                        agreement.bank_account,
                        bill.customer.name,
                        amount_fen,
                    )
                )
            content = fmt.render(
                batch_no=batch_no, station_code=station.code, month=f"{month:%Y%m}", lines=lines
            )
            batch = DebitBatch.objects.create(
                batch_no=batch_no,
                station=station,
                month=month,
                file_format=fmt.code,
                record_count=len(items),
                total_fen=sum(i.amount_fen for i in items),
                content=content,
                created_by=user,
            )
            for item in items:
                item.batch = batch
            DebitItem.objects.bulk_create(items)
            Bill.objects.filter(pk__in=[bill.pk for bill, _amount in to_debit]).update(
                status=BillStatus.IN_DEBIT
            )
        for application in applications:
            application.batch = batch
        CreditApplication.objects.bulk_create(applications)
    if batch is None:
        raise ApiError(
            _("All unpaid bills were settled by credits; there is nothing left to debit.")
            if applications
            else _("There is no unpaid bill of a signed-up household to debit."),
            status=422,
            code="nothing_to_debit",
        )
    return batch


def _credits_net(bills: list[Bill]) -> tuple[list[tuple[Bill, int]], list[CreditApplication]]:
    """Net each household's unused credits against its unpaid bills (both oldest first). Returns
    the bills left to debit with their amounts and the credit applications; sets the statuses
    of bills paid by credit (paid), credits used up (settled) and credits left (carried)."""
    outstanding = bills_outstanding_fen([bill.pk for bill in bills])
    by_customer: dict[int, list[Bill]] = defaultdict(list)
    for bill in bills:
        by_customer[bill.customer_id].append(bill)
    to_debit, applications, status = [], [], {}
    for household_bills in by_customer.values():
        credits = [[b, -outstanding[b.pk]] for b in household_bills if outstanding[b.pk] < 0]
        for bill in household_bills:
            owed = outstanding[bill.pk]
            if owed <= 0:
                continue
            for credit in credits:
                use = min(credit[1], owed)
                if use > 0:
                    applications.append(CreditApplication(credit=credit[0], bill=bill, amount_fen=use))
                    credit[1], owed = credit[1] - use, owed - use
            if owed:
                to_debit.append((bill, owed))
            else:
                status[bill.pk] = BillStatus.PAID
        for credit, left in credits:
            status[credit.pk] = BillStatus.CREDIT if left else BillStatus.SETTLED
    for value in (BillStatus.PAID, BillStatus.CREDIT, BillStatus.SETTLED):
        Bill.objects.filter(pk__in=[pk for pk, s in status.items() if s == value]).update(status=value)
    return to_debit, applications


@dataclass
class ReturnOutcome:
    imported: ReturnImport
    repeated: bool


def debit_return_import(
    *, user, batches, file_name: str, content: bytes, notify_customers: bool = True
) -> ReturnOutcome:
    """Apply a bank's return file to its batch (``batches``: the batches the user may touch).

    The whole file is rejected when its checksum, record count or total does not match its
    lines or the batch. The same file twice (also with other line endings) changes nothing.
    Otherwise the file is checked line by line and applied without its bad lines, each reported
    by line, bill and reason: an unknown bill, a wrong amount, an account number that is not the
    bill's household, a bill answered twice in the file (none of its answers is applied: it
    waits for a corrected file) or already answered otherwise by an earlier file. Failed items
    put the bill in arrears (it goes into the next batch). Counts are of distinct bills."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(_("The return file is not UTF-8 text."), status=422, code="bad_file") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()  # the same file whatever its line endings
    head = text.strip().split("\n", 1)[0].split("|")
    batch = batches.filter(batch_no=head[1].strip() if len(head) > 1 else "").first()
    if batch is None:
        raise ApiError(_("The return file names no batch of yours."), status=422, code="unknown_batch")
    try:
        parsed = debit_format(batch.file_format).parse_return(text)
    except DebitFileError as exc:
        raise ApiError(
            _("The return file was rejected: %(reason)s") % {"reason": exc},
            status=422,
            code="bad_return_file",
        ) from exc
    _return_totals_check(batch, parsed)
    with transaction.atomic():
        batch = DebitBatch.objects.select_for_update().get(pk=batch.pk)
        previous = ReturnImport.objects.filter(batch=batch, file_sha256=digest).first()
        if previous:
            return ReturnOutcome(previous, True)
        record, failed_items = _return_apply(
            user=user, batch=batch, parsed=parsed, file_name=file_name, digest=digest
        )
    if notify_customers:
        debit_failures_notify(items=failed_items)
    return ReturnOutcome(record, False)


def debit_failures_notify(*, items: list[DebitItem]) -> int:
    """Tell each household whose debit failed by SMS (DOMAIN.md §6): the bill goes into the next
    batch, or they may pay at the counter."""
    from powerexpress.core.notifications import notify

    count = 0
    for item in DebitItem.objects.select_related("bill__customer").filter(pk__in=[i.pk for i in items]):
        customer = item.bill.customer
        if not customer.phone:
            continue
        notify(
            channel="sms",
            recipient=customer.phone,
            purpose="debit_failed",
            subject=_("Electricity bill not debited"),
            body=_(
                "%(account)s: the bank could not debit %(yuan)s yuan for %(month)s (%(reason)s). We will try "
                "again next month, or pay at the station counter."
            )
            % {
                "account": customer.account_no,
                "yuan": f"{Decimal(item.amount_fen) / 100:.2f}",
                "month": f"{item.bill.month:%Y-%m}",
                "reason": item.get_result_display(),
            },
        )
        count += 1
    return count


def _return_totals_check(batch: DebitBatch, parsed) -> None:
    counted, summed = len(parsed.lines), sum(line.amount_fen for line in parsed.lines)
    problems = []
    if parsed.record_count != counted or parsed.total_fen != summed:
        problems.append(
            _(
                "the header says %(n)s records and %(fen)s fen but the lines hold %(m)s records and "
                "%(sum)s fen"
            )
            % {"n": parsed.record_count, "fen": parsed.total_fen, "m": counted, "sum": summed}
        )
    if parsed.record_count != batch.record_count or parsed.total_fen != batch.total_fen:
        problems.append(
            _(
                "batch %(batch)s has %(n)s records and %(fen)s fen but the file reports %(m)s records "
                "and %(sum)s fen"
            )
            % {
                "batch": batch.batch_no,
                "n": batch.record_count,
                "fen": batch.total_fen,
                "m": parsed.record_count,
                "sum": parsed.total_fen,
            }
        )
    if problems:
        raise ApiError(
            _("The return file was rejected: %(reason)s.") % {"reason": "; ".join(map(str, problems))},
            status=422,
            code="return_mismatch",
        )


def _return_line_problem(line, item, answers: int) -> str | None:
    if item is None:
        return _("Unknown bill.")
    if answers > 1:
        return _("This bill is answered %(n)s times in the file; none of its answers was applied.") % {
            "n": answers
        }
    if line.account_no != item.bill.customer.account_no:
        return _("Account %(got)s is not this bill's household (%(want)s).") % {
            "got": line.account_no,
            "want": item.bill.customer.account_no,
        }
    if item.amount_fen != line.amount_fen:
        return _("Amount %(got)s fen differs from the batch's %(want)s fen.") % {
            "got": line.amount_fen,
            "want": item.amount_fen,
        }
    if item.result not in (DebitResult.PENDING, line.result):
        return _(
            "This bill was already answered (%(result)s) by an earlier file; this answer was not applied."
        ) % {"result": item.get_result_display()}
    return None


def _return_apply(*, user, batch, parsed, file_name, digest) -> tuple[ReturnImport, list[DebitItem]]:
    items = {str(item.bill_id): item for item in batch.items.select_related("bill__customer")}
    answers: dict[str, int] = defaultdict(int)
    for line in parsed.lines:
        answers[line.bill_ref] += 1
    problems, success, failed = [], 0, 0
    outcomes = defaultdict(list)
    for line in parsed.lines:
        item = items.get(line.bill_ref)
        problem = _return_line_problem(line, item, answers[line.bill_ref])
        if problem:
            problems.append({"line": line.line_no, "bill": line.bill_ref, "message": str(problem)})
            continue
        if item.result != DebitResult.PENDING:
            continue
        outcomes[line.result].append(item)
    for result, answered in outcomes.items():
        paid = result == DebitResult.SUCCESS
        DebitItem.objects.filter(pk__in=[item.pk for item in answered]).update(result=result)
        Bill.objects.filter(pk__in=[item.bill_id for item in answered]).update(
            status=BillStatus.PAID if paid else BillStatus.ARREARS
        )
        success, failed = success + paid * len(answered), failed + (not paid) * len(answered)
    if not batch.items.filter(result=DebitResult.PENDING).exists():
        DebitBatch.objects.filter(pk=batch.pk).update(reconciled=True)
    record = ReturnImport.objects.create(
        batch=batch,
        file_sha256=digest,
        file_name=file_name[:200],
        success_count=success,
        failed_count=failed,
        problems=problems,
        imported_by=user,
    )
    failed_items = [
        item for result, answered in outcomes.items() if result != DebitResult.SUCCESS for item in answered
    ]
    return record, failed_items
