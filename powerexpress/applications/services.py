"""Writes: submitting an application and one function per step of its lifecycle.

Every step goes through ``_move`` which checks the step is allowed, records who, when and the
notes, keeps the due date of the step in progress, and tells the applicant by SMS.
"""

import datetime
import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.applications import calendar, workdays
from powerexpress.applications.calendar import add_working_days
from powerexpress.applications.choices import (
    CLOSED_STATUSES,
    DEFAULT_TIME_LIMITS,
    TRANSITIONS,
    ApplicationSource,
    ApplicationStatus,
)
from powerexpress.applications.models import (
    ApplianceLine,
    Application,
    ApplicationEvent,
    HolidayNotice,
    TimeLimit,
    TrackingCounter,
)
from powerexpress.applications.selectors import (
    application_new_load_kw,
    headroom_check,
    policy_current,
    time_limit_for,
)
from powerexpress.applications.validation import application_clean
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.notifications import notify, notify_once

S = ApplicationStatus


def _next_tracking_no() -> str:
    """YK + date + the day's sequence (called inside the submission's transaction)."""
    today = timezone.localdate()
    stamp = today.strftime("%Y%m%d")
    TrackingCounter.objects.get_or_create(
        day=today, defaults={"last": Application.objects.filter(tracking_no__startswith=f"YK{stamp}").count()}
    )
    counter = TrackingCounter.objects.select_for_update().get(day=today)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"YK{stamp}{counter.last:04d}"


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _existing_for_key(key: str, fingerprint: str) -> Application | None:
    existing = Application.objects.filter(idempotency_key=key).first() if key else None
    if existing is not None and existing.fingerprint != fingerprint:
        raise ApiError(
            _("This Idempotency-Key was already used for a different application."),
            status=409,
            code="idempotency_conflict",
        )
    return existing


def _tell_applicant(application: Application, text: str) -> None:
    notify(
        channel="sms",
        recipient=application.phone,
        subject=_("Service application %(no)s") % {"no": application.tracking_no},
        body=text,
        purpose="application",
    )


def application_submit(
    *, raw: dict, source: str = ApplicationSource.WEB, idempotency_key: str = "", user=None
) -> tuple[Application, bool]:
    """Check and record an application; returns (application, created).

    Re-sending the same body with the same ``idempotency_key`` returns the first application
    instead of a second one; the same key with a different body is refused (409).
    """
    clean = application_clean(raw)
    key = (idempotency_key or "").strip()[:100]
    fingerprint = _fingerprint(clean.canonical())
    existing = _existing_for_key(key, fingerprint)
    if existing is not None:
        return existing, False
    limit = time_limit_for(clean.kind)
    today = timezone.localdate()
    plan_due = add_working_days(today, limit.plan_reply_days)
    connect_due = add_working_days(plan_due.on, limit.install_days)
    transformers = list(clean.village.transformers.all()[:2])
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    tracking_no=_next_tracking_no(),
                    kind=clean.kind,
                    source=source,
                    station=clean.village.station,
                    village=clean.village,
                    applicant_name=clean.applicant_name,
                    id_number=clean.id_number,
                    phone=clean.phone,
                    address=clean.address,
                    business_name=clean.business_name,
                    purpose=clean.purpose,
                    supply_until=clean.supply_until,
                    account_no=clean.account_no,
                    requested_kw=clean.requested_kw,
                    connected_kw=clean.connected_kw,
                    documents=clean.documents,
                    transformer=transformers[0] if len(transformers) == 1 else None,
                    plan_due_on=plan_due.on,
                    connect_due_on=connect_due.on,
                    due_on=plan_due.on,
                    due_dates_estimated=plan_due.estimated or connect_due.estimated,
                    idempotency_key=key,
                    fingerprint=fingerprint,
                    created_by=user if user and user.is_authenticated else None,
                )
                ApplianceLine.objects.bulk_create(
                    [
                        ApplianceLine(
                            application=application,
                            position=index,
                            name=line.name,
                            quantity=line.quantity,
                            kw_each=line.kw_each,
                        )
                        for index, line in enumerate(clean.appliances)
                    ]
                )
                ApplicationEvent.objects.create(
                    application=application, to_status=S.RECEIVED, actor=application.created_by
                )
                break
        except IntegrityError:
            existing = _existing_for_key(key, fingerprint)
            if existing is not None:
                return existing, False
    else:
        raise ApiError(_("Could not number the application; please try again."), status=409, code="conflict")
    _tell_applicant(
        application,
        _("We received your application %(no)s. Supply plan due by %(due)s.")
        % {"no": application.tracking_no, "due": application.plan_due_on.isoformat()},
    )
    return application, True


def _move(*, application: Application, to_status: str, user, notes: str = "", **changes) -> Application:
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if to_status not in TRANSITIONS[application.status]:
            raise ApiError(
                _("An application that is “%(current)s” cannot become “%(target)s”.")
                % {"current": application.get_status_display(), "target": S(to_status).label},
                status=409,
                code="illegal_transition",
            )
        for name, value in changes.items():
            setattr(application, name, value)
        ApplicationEvent.objects.create(
            application=application,
            from_status=application.status,
            to_status=to_status,
            actor=user if user and user.is_authenticated else None,
            notes=notes,
        )
        application.status = to_status
        if to_status in (S.CONNECTED, S.REJECTED, S.WITHDRAWN):
            application.closed_at = timezone.now()
            application.due_on = None
        application.save()
    _tell_applicant(
        application,
        _("Your application %(no)s is now: %(status)s.")
        % {"no": application.tracking_no, "status": application.get_status_display()},
    )
    return application


def _connect_due(application: Application) -> dict:
    limit: TimeLimit = time_limit_for(application.kind)
    due = add_working_days(timezone.localdate(), limit.install_days)
    return {
        "connect_due_on": due.on,
        "due_on": due.on,
        "due_dates_estimated": application.due_dates_estimated or due.estimated,
    }


def application_survey(*, user, application: Application, transformer=None, notes: str = "") -> Application:
    """Record the site survey, and the transformer district that will supply the applicant."""
    transformer = transformer or application.transformer
    if transformer is not None and transformer.station_id != application.station_id:
        raise FieldError({"transformer": _("Choose a transformer district of this station.")})
    return _move(
        application=application, to_status=S.SURVEYED, user=user, notes=notes, transformer=transformer
    )


def application_reply_plan(
    *, user, application: Application, fee_fen: int = 0, notes: str = "", acknowledge_headroom: bool = False
) -> Application:
    """Reply the supply plan (the approval). Checks the district's headroom first: when the new load
    would pass the heavy-load threshold the reply needs ``acknowledge_headroom``."""
    if application.transformer is None:
        raise FieldError({"transformer": _("Record the transformer district at the site survey first.")})
    if fee_fen < 0:
        raise FieldError(
            {"fee_fen": _("Enter the fees in yuan, not negative, at most 2 decimals (e.g. 120.50).")}
        )
    headroom = headroom_check(
        transformer=application.transformer, new_kw=application_new_load_kw(application)
    )
    note = _("Load rate %(before)s%% → %(after)s%% of %(rated)s kVA (%(source)s).") % {
        "before": headroom.rate_before_percent,
        "after": headroom.rate_after_percent,
        "rated": headroom.rated_kva,
        "source": _("measured peak") if headroom.source == "measured" else _("estimate"),
    }
    if headroom.warn and not acknowledge_headroom:
        raise ApiError(
            _(
                "The new load would push the transformer district past %(limit)s%%: %(note)s Confirm to "
                "reply the plan anyway."
            )
            % {"limit": headroom.limit_percent, "note": note},
            status=409,
            code="headroom_warning",
        )
    changes = {"fee_fen": fee_fen, "headroom_note": note[:300]}
    if fee_fen == 0:
        changes.update(_connect_due(application))
    else:
        changes["due_on"] = application.connect_due_on
    return _move(application=application, to_status=S.PLAN_REPLIED, user=user, notes=notes, **changes)


def application_settle_fees(*, user, application: Application, notes: str = "") -> Application:
    """Record that the applicant paid the fees; the installation timer starts now."""
    return _move(
        application=application, to_status=S.FEES_SETTLED, user=user, notes=notes, **_connect_due(application)
    )


def application_install(*, user, application: Application, notes: str = "") -> Application:
    """Record the meter and line installed."""
    if application.status == S.PLAN_REPLIED and application.fee_fen > 0:
        raise ApiError(
            _("The fees of %(yuan)s yuan must be settled before installation.")
            % {"yuan": format_yuan(application.fee_fen)},
            status=409,
            code="fees_unsettled",
        )
    return _move(application=application, to_status=S.INSTALLED, user=user, notes=notes)


def application_connect(*, user, application: Application, notes: str = "") -> Application:
    """Record the supply connected: the application is complete."""
    return _move(application=application, to_status=S.CONNECTED, user=user, notes=notes)


def application_reject(*, user, application: Application, notes: str) -> Application:
    """Refuse the application; the reason is required and shown to the applicant."""
    if not notes.strip():
        raise FieldError({"notes": _("Give the reason for the rejection; the applicant will see it.")})
    return _move(application=application, to_status=S.REJECTED, user=user, notes=notes)


def application_withdraw(*, user, application: Application, notes: str = "") -> Application:
    """Withdraw the application (by the applicant, ``user`` None, or by staff on their behalf)."""
    return _move(application=application, to_status=S.WITHDRAWN, user=user, notes=notes)


def format_yuan(amount_fen: int) -> str:
    return f"{amount_fen // 100}.{amount_fen % 100:02d}"


STEP_SERVICES = {
    S.SURVEYED: application_survey,
    S.PLAN_REPLIED: application_reply_plan,
    S.FEES_SETTLED: application_settle_fees,
    S.INSTALLED: application_install,
    S.CONNECTED: application_connect,
    S.REJECTED: application_reject,
    S.WITHDRAWN: application_withdraw,
}


def _int_between(values, name: str, low: int, high: int, errors: dict) -> int:
    try:
        number = int(str(values.get(name, "")).strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return number


def _decimal_between(values, name: str, low: Decimal, high: Decimal, errors: dict) -> Decimal:
    try:
        number = Decimal(str(values.get(name, "")).strip())
    except InvalidOperation:
        number = low - 1
    if not (number.is_finite() and low <= number <= high):
        errors[name] = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return number


def settings_update(*, user, values) -> None:
    """A manager changes the time limits per kind (``<kind>-plan``, ``<kind>-install``) and the policy.

    New limits apply to applications received from then on; due dates already given stand.
    """
    errors: dict = {}
    limits = {
        kind: (
            _int_between(values, f"{kind}-plan", 1, 60, errors),
            _int_between(values, f"{kind}-install", 1, 60, errors),
        )
        for kind in DEFAULT_TIME_LIMITS
    }
    policy_values = {
        "heavy_load_percent": _int_between(values, "heavy_load_percent", 50, 120, errors),
        "household_kva": _decimal_between(values, "household_kva", Decimal("0.1"), Decimal("50"), errors),
        "power_factor": _decimal_between(values, "power_factor", Decimal("0.5"), Decimal("1"), errors),
        "near_due_working_days": _int_between(values, "near_due_working_days", 0, 10, errors),
    }
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        for kind, (plan_days, install_days) in limits.items():
            limit = time_limit_for(kind)
            if (limit.plan_reply_days, limit.install_days) != (plan_days, install_days):
                limit.plan_reply_days, limit.install_days, limit.to_verify = plan_days, install_days, False
                limit.updated_by = user
                limit.save()
        policy = policy_current()
        for name, value in policy_values.items():
            setattr(policy, name, value)
        policy.save()


def holiday_notice_save(
    *, user, year, holidays: str, makeup_workdays: str = "", source: str = ""
) -> HolidayNotice:
    """A manager enters (or corrects) the State Council's holiday notice for a year the installed
    calendar does not know: the public holidays and the make-up workdays (调休), as dates or
    ranges. Due dates computed from then on use it, and open applications' due dates in that year
    are recounted (:func:`_recount_due_dates`)."""
    errors: dict = {}
    year = _int_between(
        {"year": year}, "year", workdays.KNOWN_LAST_YEAR + 1, timezone.localdate().year + 2, errors
    )
    if "year" in errors:
        errors["year"] = _(
            "The installed calendar knows the years up to %(year)s; enter a later year, up to %(last)s."
        ) % {"year": workdays.KNOWN_LAST_YEAR, "last": timezone.localdate().year + 2}
    days = {}
    for field, text in (("holidays", holidays), ("makeup_workdays", makeup_workdays)):
        parsed, bad = workdays.parse_days(text)
        outside = [day for day in parsed if day.year != year]
        if bad:
            errors[field] = _("Not a date or a range of dates: %(pieces)s.") % {"pieces": ", ".join(bad[:5])}
        elif outside and "year" not in errors:
            errors[field] = _("Every date must lie in %(year)s: %(dates)s.") % {
                "year": year,
                "dates": ", ".join(day.isoformat() for day in outside[:5]),
            }
        days[field] = parsed
    if not days["holidays"] and "holidays" not in errors:
        errors["holidays"] = _("Enter the public holidays of the notice.")
    weekdays = [day for day in days["makeup_workdays"] if day.weekday() < 5]
    if weekdays and "makeup_workdays" not in errors:
        errors["makeup_workdays"] = _("A make-up workday is a Saturday or Sunday: %(dates)s.") % {
            "dates": ", ".join(day.isoformat() for day in weekdays[:5])
        }
    both = sorted(set(days["holidays"]) & set(days["makeup_workdays"]))
    if both and not errors:
        errors["makeup_workdays"] = _("A day cannot be both a holiday and a workday: %(dates)s.") % {
            "dates": ", ".join(day.isoformat() for day in both[:5])
        }
    if not (source or "").strip():
        errors["source"] = _("Name the notice (e.g. 国务院办公厅关于2027年部分节假日安排的通知).")
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        remaining = _working_days_left_in(year)
        notice, _created = HolidayNotice.objects.update_or_create(
            year=year,
            defaults={
                "holidays": ", ".join(day.isoformat() for day in days["holidays"]),
                "makeup_workdays": ", ".join(day.isoformat() for day in days["makeup_workdays"]),
                "source": source.strip()[:200],
                "updated_by": user,
            },
        )
        _recount_due_dates(remaining)
    return notice


DUE_FIELDS = ("plan_due_on", "connect_due_on", "due_on")


def _working_days_left_in(year: int) -> dict[int, dict[str, int]]:
    """For open applications with a due date in ``year`` or later: the working days from today to
    each such date, counted on the calendar as it stands. Only while ``year`` has not begun: until
    then the old and the new calendar agree on every day up to today, so "n working days after
    today" on the new calendar is exactly the due date the application would have been given."""
    today = timezone.localdate()
    if today.year >= year:
        return {}
    start = datetime.date(year, 1, 1)
    later = Q(plan_due_on__gte=start) | Q(connect_due_on__gte=start) | Q(due_on__gte=start)
    calendar.sync()
    return {
        application.pk: {
            field: workdays.working_days_between(today, getattr(application, field))
            for field in DUE_FIELDS
            if getattr(application, field) and getattr(application, field) > today
        }
        for application in Application.objects.exclude(status__in=CLOSED_STATUSES).filter(later)
    }


def _recount_due_dates(remaining: dict[int, dict[str, int]]) -> None:
    today = timezone.localdate()
    calendar.sync()
    for pk, counts in remaining.items():
        dues = {field: workdays.add_working_days(today, days) for field, days in counts.items()}
        Application.objects.filter(pk=pk).update(
            due_dates_estimated=any(due.estimated for due in dues.values()),
            **{field: due.on for field, due in dues.items()},
        )


def overdue_digest_send(*, today=None) -> int:
    """Tell each station head, once a day, how many applications are overdue or due soon.

    Returns how many messages were sent; a second run on the same day sends nothing.
    """
    from powerexpress.applications.selectors import station_due_totals

    today = today or timezone.localdate()
    sent = 0
    for station, overdue, near_due in station_due_totals(today):
        if not station.head_phone or not (overdue or near_due):
            continue
        sent += (
            notify_once(
                channel="sms",
                recipient=station.head_phone,
                subject=_("Service applications"),
                purpose=f"applications-digest-{today.isoformat()}",
                body=_("%(station)s: %(overdue)s applications overdue, %(near)s due soon.")
                % {"station": station.name, "overdue": overdue, "near": near_due},
            )
            is not None
        )
    return sent
