"""Writes for fault repair: reporting, the lifecycle, notes, outages, escalation and ratings.

Every status change goes through ``fault_ticket_transition`` (row lock, legal moves only,
actor and time recorded in a ``FaultEvent``).
"""

import datetime
import logging
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.notifications import notify
from powerexpress.core.validators import mobile_error
from powerexpress.registry.models import Customer, TransformerDistrict
from powerexpress.repair.choices import (
    AWAITING_ARRIVAL,
    OPEN_STATUSES,
    OUTAGE_RESTORABLE,
    PHOTO_KINDS,
    TRANSITIONS,
    UNDO_WINDOW_S,
    Escalation,
    FaultSource,
    FaultStatus,
    NoteKind,
    OutageKind,
    OutageStatus,
)
from powerexpress.repair.models import FaultEvent, FaultNote, FaultTicket, Outage, RepairSettings
from powerexpress.repair.selectors import repair_settings_for, report_routing_for

logger = logging.getLogger("powerexpress.repair")

# Moments recorded on the ticket when it enters a status.
STATUS_STAMPS = {
    FaultStatus.DISPATCHED: "dispatched_at",
    FaultStatus.EN_ROUTE: "en_route_at",
    FaultStatus.ON_SITE: "on_site_at",
    FaultStatus.RESTORED: "restored_at",
    FaultStatus.CLOSED: "closed_at",
    FaultStatus.CANCELLED: "closed_at",
    FaultStatus.DUPLICATE: "closed_at",
}
ESCALATION_RANK = {Escalation.NONE: 0, Escalation.NEAR: 1, Escalation.OVERDUE: 2}


def _temporary_number() -> str:
    return "tmp" + uuid.uuid4().hex[:24]


def _numbered(prefix: str, pk: int, at: datetime.datetime) -> str:
    return f"{prefix}{timezone.localtime(at):%Y%m%d}{pk:06d}"


def _customer_by_account(*, village, account_no: str, actor=None):
    """The household of ``account_no`` when it lies in ``village``; else None for a public report
    and a clear error for staff (the hotline)."""
    customer = Customer.objects.filter(account_no=account_no.strip()).select_related("transformer").first()
    if customer is not None and customer.village_id == village.pk:
        return customer
    if actor is not None:  # staff (the hotline) are told what is wrong
        if customer is None:
            raise FieldError({"account_no": _("No household has this account number.")})
        raise FieldError({"account_no": _("This account number belongs to another village.")})
    # A public report is taken either way: a different answer would tell anyone which account
    # numbers exist. It is matched by the reporter's mobile instead.
    return None


def fault_report_errors(
    *, village, phone: str, description: str, source: str, village_message: str | None = None
) -> dict[str, str]:
    """Every reason a report cannot be taken, by field (empty when it can)."""
    errors = {}
    if village is None:
        errors["village"] = village_message or _("Choose the village.")
    error = mobile_error((phone or "").strip())
    if error:
        errors["phone"] = error
    if not (description or "").strip():
        errors["description"] = _("Say what happened.")
    if source not in FaultSource.values:
        errors["source"] = _("Unknown source.")
    return errors


def fault_report_submit(
    *,
    village,
    phone: str,
    description: str,
    account_no: str | None = None,
    source: str = FaultSource.PORTAL,
    idempotency_key: str | None = None,
    actor=None,
) -> tuple[FaultTicket, bool]:
    """Record a fault report; returns ``(ticket, created)``.

    The same ``idempotency_key`` again returns the first ticket and creates nothing. The ticket
    routes to the village's station service team and responsible person, starts the arrival
    clock for the village's area class and joins an outage when neighbours on the same
    transformer district reported within the grouping window.
    """
    key = (idempotency_key or "").strip()[:100]
    # A repeated key is caught by the unique index on insert (below), not looked up first: one
    # query less on every new report, the hot path under load.
    errors = fault_report_errors(village=village, phone=phone, description=description, source=source)
    if errors:
        raise FieldError(errors)
    phone, description = phone.strip(), description.strip()
    routing = getattr(village, "report_routing", None)  # loaded with the village (village_for_report)
    if routing is None or routing.phone != phone:
        routing = report_routing_for(village, phone)
    customer = routing.customer  # by the reporter's mobile, unless the account number says otherwise
    if account_no:
        customer = _customer_by_account(village=village, account_no=account_no, actor=actor) or customer
    commitments = routing.commitments
    now = timezone.now()
    transformer_id = customer.transformer_id if customer else None
    try:
        with transaction.atomic():
            outage = _outage_group(transformer_id, customer, now, commitments) if transformer_id else None
            ticket = FaultTicket.objects.create(
                number=_temporary_number(),
                village=village,
                station_id=village.station_id,
                team_id=routing.team_id,
                responsible_name=village.responsible_name,
                responsible_phone=village.responsible_phone,
                customer=customer,
                transformer=customer.transformer if customer else None,
                outage=outage,
                account_no=customer.account_no if customer else "",
                phone=phone,
                description=description[:2000],
                source=source,
                area_class=village.area_class,
                reported_by=actor,
                reported_at=now,
                arrival_due_at=now
                + datetime.timedelta(minutes=commitments.arrival_minutes(village.area_class)),
                idempotency_key=key,
                rating_token=secrets.token_urlsafe(16),
            )
            ticket.number = _numbered("F", ticket.pk, now)
            FaultTicket.objects.filter(pk=ticket.pk).update(number=ticket.number)
            FaultEvent.objects.create(ticket=ticket, to_status=ticket.status, actor=actor, at=now)
    except IntegrityError:
        existing = FaultTicket.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False
    return ticket, True


def fault_report_create(
    *,
    village,
    phone: str,
    description: str,
    account_no: str | None = None,
    source: str = "portal",
    idempotency_key: str | None = None,
    actor=None,
) -> FaultTicket:
    """Record a fault report and return the ticket (the first one again for a repeated key)."""
    ticket, _created = fault_report_submit(
        village=village,
        phone=phone,
        description=description,
        account_no=account_no,
        source=source,
        idempotency_key=idempotency_key,
        actor=actor,
    )
    return ticket


def _outage_group(transformer_id: int, customer, reported_at, commitments: RepairSettings) -> Outage | None:
    """The outage a new report on the transformer district joins: its open outage, or a new one when
    another household on the same district reported within the window (then those reports join it
    too); None when the report stands alone. Called inside the report's transaction, before the
    ticket is written, under a lock on the district so that two reports cannot both open one."""
    transformer = TransformerDistrict.objects.select_for_update().get(pk=transformer_id)
    since = reported_at - datetime.timedelta(minutes=commitments.grouping_window_min)
    outage = (
        Outage.objects.filter(
            transformer=transformer,
            kind=OutageKind.UNPLANNED,
            status=OutageStatus.OPEN,
            last_report_at__gte=since,
        )
        .order_by("-started_at")
        .first()
    )
    if outage is not None:
        Outage.objects.filter(pk=outage.pk).update(last_report_at=reported_at)
        return outage
    neighbours = list(
        FaultTicket.objects.filter(
            transformer=transformer,
            outage__isnull=True,
            status__in=OPEN_STATUSES,
            reported_at__gte=since,
        )
        .exclude(customer_id=customer.pk)
        .order_by("reported_at")
    )
    if not neighbours:
        return None
    outage = Outage.objects.create(
        number=_temporary_number(),
        station_id=transformer.station_id,
        transformer=transformer,
        kind=OutageKind.UNPLANNED,
        status=OutageStatus.OPEN,
        suspected_device=str(transformer),
        affected_households=Customer.objects.filter(transformer=transformer).count(),
        started_at=neighbours[0].reported_at,
        last_report_at=reported_at,
    )
    outage.number = _numbered("T", outage.pk, outage.started_at)
    Outage.objects.filter(pk=outage.pk).update(number=outage.number)
    FaultTicket.objects.filter(pk__in=[n.pk for n in neighbours]).update(outage=outage)
    return outage


def fault_ticket_transition(
    *,
    ticket: FaultTicket,
    to_status: str,
    actor,
    notes: str = "",
    assignee=None,
    duplicate_of: FaultTicket | None = None,
    outage: Outage | None = None,
    at: datetime.datetime | None = None,
    recorded_offline: bool = False,
) -> FaultTicket:
    """Move a ticket to ``to_status`` under a row lock, recording actor and time.

    Illegal moves are refused with a clear message (so of two dispatchers taking the same
    ticket at once, exactly one wins). ``outage`` restores a ticket from any open status.
    ``at`` is the moment the step really happened (a phone that was offline sends it later);
    it may not lie in the future nor before the ticket's previous step, and the commitment
    clocks are judged on it.
    """
    if to_status not in FaultStatus.values:
        raise ApiError(
            _("Unknown status “%(status)s”.") % {"status": to_status}, status=422, code="invalid_status"
        )
    with transaction.atomic():
        locked = FaultTicket.objects.select_for_update().get(pk=ticket.pk)
        from_status = locked.status
        if outage is not None:
            legal = to_status == FaultStatus.RESTORED and from_status in OUTAGE_RESTORABLE
        else:
            legal = to_status in TRANSITIONS[from_status]
        if not legal:
            raise _illegal(locked, to_status)
        now = _step_time(locked, at)
        update = {"status": to_status, STATUS_STAMPS[to_status]: now}
        if to_status == FaultStatus.DISPATCHED:
            if assignee is None:
                raise FieldError({"assignee": _("Choose the crew member to send.")})
            if assignee.station_id != locked.station_id:
                raise FieldError({"assignee": _("The crew member belongs to another station.")})
            update["assignee"] = assignee
        if to_status == FaultStatus.ON_SITE:
            commitments = repair_settings_for(locked.station.bureau_id)
            update["restore_due_at"] = now + datetime.timedelta(
                minutes=commitments.restore_minutes(locked.area_class)
            )
        if to_status == FaultStatus.DUPLICATE:
            if (
                duplicate_of is None
                or duplicate_of.pk == locked.pk
                or duplicate_of.station_id != locked.station_id
            ):
                raise FieldError({"duplicate_of": _("Give the number of another ticket of this station.")})
            update["duplicate_of"] = duplicate_of
        for name, value in update.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(update))
        if outage is not None and not notes:
            with translation.override(settings.LANGUAGE_CODE):
                notes = _("Restored with outage %(number)s.") % {"number": outage.number}
        FaultEvent.objects.create(
            ticket=locked,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            at=now,
            notes=notes[:2000],
            recorded_offline=recorded_offline,
        )
    if to_status == FaultStatus.CLOSED:
        _send_rating_link(locked)
    return locked


# A phone's clock may run this far ahead of the server's before its times are refused.
CLOCK_SKEW = datetime.timedelta(minutes=2)


def _step_time(ticket: FaultTicket, at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise FieldError({"occurred_at": _("The time lies in the future; check the phone's clock.")})
    previous = ticket.events.order_by("-at").values_list("at", flat=True).first()
    if previous is not None and at < previous:
        raise FieldError({"occurred_at": _("The time lies before the ticket's previous step.")})
    return min(at, now)


def fault_ticket_step_undo(*, ticket: FaultTicket, actor, window_s: int = UNDO_WINDOW_S) -> FaultTicket:
    """Take back the actor's own last step within ``window_s`` seconds (a mis-tap).

    The ticket returns to the previous status, the step's stamp is cleared, and the undo is
    recorded in the history as its own event; anything else is refused with a 409."""
    with transaction.atomic():
        locked = FaultTicket.objects.select_for_update().get(pk=ticket.pk)
        last = locked.events.order_by("-at", "-id").first()
        now = timezone.now()
        if (
            last is None
            or last.is_undo
            or last.actor_id != actor.pk
            or not last.from_status
            or last.to_status != locked.status
            or last.to_status in (FaultStatus.DISPATCHED, FaultStatus.CLOSED)
            or now - last.at > datetime.timedelta(seconds=window_s)
        ):
            raise ApiError(_("This step can no longer be undone."), status=409, code="undo_expired")
        update = {"status": last.from_status, STATUS_STAMPS[last.to_status]: None}
        if last.to_status == FaultStatus.ON_SITE:
            update["restore_due_at"] = None
        for name, value in update.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(update))
        FaultEvent.objects.create(
            ticket=locked,
            from_status=last.to_status,
            to_status=last.from_status,
            actor=actor,
            at=now,
            is_undo=True,
        )
    return locked


def _illegal(ticket: FaultTicket, to_status: str) -> ApiError:
    return ApiError(
        _("Ticket %(number)s is “%(current)s” and cannot become “%(target)s”.")
        % {
            "number": ticket.number,
            "current": ticket.get_status_display(),
            "target": FaultStatus(to_status).label,
        },
        status=409,
        code="illegal_transition",
    )


def _send_rating_link(ticket: FaultTicket) -> None:
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "repair:rate", args=[ticket.number, ticket.rating_token]
    )
    with translation.override(settings.LANGUAGE_CODE):
        _notify_rating(ticket, link)


def _notify_rating(ticket: FaultTicket, link: str) -> None:
    notify(
        channel="sms",
        recipient=ticket.phone,
        purpose="repair_rating",
        subject=_("Repair %(number)s closed") % {"number": ticket.number},
        body=_("Your fault report %(number)s is closed. Rate our repair (1–5): %(link)s")
        % {"number": ticket.number, "link": link},
    )


def fault_note_add(
    *,
    ticket: FaultTicket,
    actor,
    kind: str,
    text: str = "",
    photo=None,
    at: datetime.datetime | None = None,
    recorded_offline: bool = False,
) -> FaultNote:
    """Add a note, a material used (e.g. "200 m conductor") or a photo (before/after the repair)
    to a ticket; ``at`` is when it really happened (a phone that was offline sends it later)."""
    text = (text or "").strip()
    if kind not in NoteKind.values:
        raise FieldError({"kind": _("Unknown note kind.")})
    if kind in PHOTO_KINDS and not photo:
        raise FieldError({"photo": _("Choose a photo.")})
    if kind not in PHOTO_KINDS and not text:
        raise FieldError({"text": _("Write something.")})
    now = timezone.now()
    if at is not None and at > now + CLOCK_SKEW:
        raise FieldError({"occurred_at": _("The time lies in the future; check the phone's clock.")})
    return FaultNote.objects.create(
        ticket=ticket,
        kind=kind,
        text=text[:500],
        photo=photo or "",
        author=actor,
        at=min(at, now) if at else now,
        recorded_offline=recorded_offline,
    )


def fault_ticket_rate(*, ticket: FaultTicket, rating: int, comment: str = "") -> FaultTicket:
    """The reporter's satisfaction (1–5) with a comment, once, after the ticket is closed."""
    if ticket.status != FaultStatus.CLOSED:
        raise ApiError(_("A repair can be rated once it is closed."), status=409, code="not_closed")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise FieldError({"rating": _("Choose 1 to 5 stars.")})
    updated = FaultTicket.objects.filter(pk=ticket.pk, rating__isnull=True).update(
        rating=rating, rating_comment=(comment or "").strip()[:1000], rated_at=timezone.now()
    )
    if not updated:
        raise ApiError(_("This repair has already been rated. Thank you!"), status=409, code="already_rated")
    ticket.refresh_from_db()
    return ticket


def repair_settings_update(*, settings_obj: RepairSettings, actor, values: dict) -> RepairSettings:
    """Change the bureau's commitments (managers only; checked by the caller)."""
    errors = {}
    for name, value in values.items():
        if not isinstance(value, int) or value <= 0:
            errors[name] = _("Enter a whole number above zero.")
    if errors:
        raise FieldError(errors)
    for name, value in values.items():
        setattr(settings_obj, name, value)
    settings_obj.updated_by = actor
    settings_obj.save()
    return settings_obj


def outage_restore(*, outage: Outage, actor) -> Outage:
    """Restore an outage and, with it, every open ticket grouped into it."""
    with transaction.atomic():
        locked = Outage.objects.select_for_update().get(pk=outage.pk)
        if locked.status not in (OutageStatus.OPEN, OutageStatus.ANNOUNCED):
            raise ApiError(
                _("Outage %(number)s is already “%(status)s”.")
                % {"number": locked.number, "status": locked.get_status_display()},
                status=409,
                code="illegal_transition",
            )
        locked.status, locked.restored_at, locked.restored_by = OutageStatus.RESTORED, timezone.now(), actor
        locked.save(update_fields=["status", "restored_at", "restored_by"])
        for ticket in locked.tickets.filter(status__in=OUTAGE_RESTORABLE):
            fault_ticket_transition(ticket=ticket, to_status=FaultStatus.RESTORED, actor=actor, outage=locked)
    return locked


def planned_outage_announce(
    *,
    transformer: TransformerDistrict,
    start_at: datetime.datetime,
    end_at: datetime.datetime,
    reason: str,
    actor,
) -> Outage:
    """Announce planned work on a transformer district; refused with less than the notice period."""
    commitments = repair_settings_for(transformer.station.bureau_id)
    now = timezone.now()
    errors = {}
    if start_at < now + datetime.timedelta(days=commitments.planned_notice_days):
        errors["start_at"] = _("A planned outage must be announced at least %(days)s days ahead.") % {
            "days": commitments.planned_notice_days
        }
    if end_at <= start_at:
        errors["end_at"] = _("The end must be after the start.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the power will be off.")
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        outage = Outage.objects.create(
            number=_temporary_number(),
            station_id=transformer.station_id,
            transformer=transformer,
            kind=OutageKind.PLANNED,
            status=OutageStatus.ANNOUNCED,
            suspected_device=str(transformer),
            affected_households=Customer.objects.filter(transformer=transformer).count(),
            reason=reason.strip(),
            started_at=start_at,
            planned_end_at=end_at,
            announced_at=now,
            created_by=actor,
        )
        outage.number = _numbered("P", outage.pk, start_at)
        Outage.objects.filter(pk=outage.pk).update(number=outage.number)
    return outage


def planned_outage_notify(*, outage: Outage) -> dict[str, int]:
    """Send the planned-outage notice to every affected household with a mobile number;
    returns the count per real outcome (logged / sent / failed)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _planned_outage_send(outage)


def _planned_outage_send(outage: Outage) -> dict[str, int]:
    counts: dict[str, int] = {}
    start = timezone.localtime(outage.started_at)
    end = timezone.localtime(outage.planned_end_at) if outage.planned_end_at else start
    body = _("Planned outage on %(district)s from %(start)s to %(end)s: %(reason)s") % {
        "district": outage.transformer.name,
        "start": f"{start:%Y-%m-%d %H:%M}",
        "end": f"{end:%Y-%m-%d %H:%M}",
        "reason": outage.reason,
    }
    phones = (
        Customer.objects.filter(transformer=outage.transformer)
        .exclude(phone="")
        .values_list("phone", flat=True)
        .distinct()
    )
    for phone in phones:
        result = notify(
            channel="sms",
            recipient=phone,
            subject=_("Planned outage %(number)s") % {"number": outage.number},
            body=body,
            purpose="planned_outage",
        )
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


def _escalation_level(now, due, warn: datetime.timedelta) -> str:
    if now >= due:
        return Escalation.OVERDUE
    if now >= due - warn:
        return Escalation.NEAR
    return Escalation.NONE


def fault_escalation_process_one(
    *, ticket: FaultTicket, now: datetime.datetime, warn: datetime.timedelta
) -> bool:
    """Mark one ticket near or past its deadline and tell the station head (once per level)."""
    if ticket.status in AWAITING_ARRIVAL:
        field, due = "arrival_escalation", ticket.arrival_due_at
    elif ticket.status == FaultStatus.ON_SITE and ticket.restore_due_at:
        field, due = "restore_escalation", ticket.restore_due_at
    else:
        return False
    level = _escalation_level(now, due, warn)
    if ESCALATION_RANK[level] <= ESCALATION_RANK[getattr(ticket, field)]:
        return False
    if not FaultTicket.objects.filter(pk=ticket.pk, **{field: getattr(ticket, field)}).update(
        **{field: level}
    ):
        return False
    station = ticket.station
    if not station.head_phone:
        logger.warning(
            "repair: station %s has no head phone; ticket %s is %s", station.code, ticket.number, level
        )
        return True
    with translation.override(settings.LANGUAGE_CODE):
        _notify_head(ticket, level, clock_is_arrival=field == "arrival_escalation", due=due)
    return True


def _notify_head(ticket: FaultTicket, level: str, *, clock_is_arrival: bool, due) -> None:
    clock = _("arrival") if clock_is_arrival else _("restoration")
    subject = (
        _("Overdue: %(clock)s of %(number)s")
        if level == Escalation.OVERDUE
        else _("Deadline near: %(clock)s of %(number)s")
    ) % {"clock": clock, "number": ticket.number}
    body = _("%(village)s, ticket %(number)s (%(status)s): %(clock)s due %(due)s.") % {
        "village": ticket.village.name,
        "number": ticket.number,
        "status": ticket.get_status_display(),
        "clock": clock,
        "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}",
    }
    notify(
        channel="sms",
        recipient=ticket.station.head_phone,
        subject=subject,
        body=body,
        purpose="repair_escalation",
    )


def fault_escalation_run(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: escalate every open ticket near or past a deadline; returns how many."""
    now = now or timezone.now()
    warn_by_bureau: dict[int, datetime.timedelta] = {}
    count = 0
    tickets = (
        FaultTicket.objects.filter(status__in=OPEN_STATUSES)
        .exclude(arrival_escalation=Escalation.OVERDUE, restore_escalation=Escalation.OVERDUE)
        .select_related("station", "village")
    )
    for ticket in tickets.iterator():
        bureau_id = ticket.station.bureau_id
        if bureau_id not in warn_by_bureau:
            warn_by_bureau[bureau_id] = datetime.timedelta(
                minutes=repair_settings_for(bureau_id).warn_before_min
            )
        count += fault_escalation_process_one(ticket=ticket, now=now, warn=warn_by_bureau[bureau_id])
    return count
