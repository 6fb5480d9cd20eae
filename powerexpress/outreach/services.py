"""Writes of the outreach programme: one function per write, keyword-only arguments."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import RECORD_OUTREACH
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.notifications import notify, notify_once
from powerexpress.core.scope import can_see_station
from powerexpress.outreach.calc import fen_to_yuan
from powerexpress.outreach.care_schedule import (
    care_schedule_rebuild,
    care_schedule_refresh,
    care_schedule_refresh_station,
)
from powerexpress.outreach.choices import (
    HAZARD_TRANSITIONS,
    PLAN_TRANSITIONS,
    SEVERITY_DAYS,
    CheckItem,
    CheckResult,
    HazardStatus,
    PlanStatus,
    Severity,
)
from powerexpress.outreach.models import (
    Activity,
    ActivityPhoto,
    Beneficiary,
    CareVisit,
    CharityCampaign,
    Distribution,
    Donation,
    Hazard,
    HazardEvent,
    Inspection,
    InspectionCampaign,
    InspectionResult,
    PlanItem,
    PlanItemUpdate,
    ProgressMeeting,
    Reinspection,
    VisitPlan,
)
from powerexpress.outreach.selectors import charity_totals, station_overdue
from powerexpress.registry.models import SupplyStation


def can_record(user) -> bool:
    """Whether ``user`` may record programme data (everyone with a role except the auditor)."""
    return bool(user and user.has_perm(RECORD_OUTREACH))


def _check_writer(user, station_id: int) -> None:
    if not can_record(user):
        raise ApiError(_("You may not record programme data."), status=403, code="forbidden")
    if not can_see_station(user, station_id):
        raise ApiError(_("Not found."), status=404, code="not_found")


def _existing(model, submission_key: str):
    return model.objects.filter(submission_key=submission_key).first() if submission_key else None


def _fields_save(obj, fields: dict) -> None:
    """Set ``fields`` on a saved row and write just those columns."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(fields))


def _activity_attach(activity: Activity, *, participants, photos) -> None:
    """The activity's participants (replacing any before) and its new photos."""
    activity.participants.set(participants)
    for image in photos:
        ActivityPhoto.objects.create(activity=activity, image=image)


def _next_activity_code(station, held_on: datetime.date) -> str:
    prefix = f"HD{station.code}{held_on:%Y%m%d}"
    count = Activity.objects.filter(code__startswith=prefix).count()
    return f"{prefix}{count + 1:03d}"


def _activity_check(*, village, team, held_on) -> None:
    if team is not None and team.station_id != village.station_id:
        raise FieldError({"team": _("The team belongs to another station.")})
    if held_on > timezone.localdate():
        raise FieldError({"held_on": _("An activity cannot be recorded before it is held.")})


def activity_create(
    *,
    user,
    village,
    kind: str,
    title: str,
    held_on: datetime.date,
    team=None,
    participants=(),
    volunteer_count: int = 0,
    people_reached: int = 0,
    materials: str = "",
    outcomes: str = "",
    signups_recorded: int = 0,
    photos=(),
    submission_key: str = "",
) -> Activity:
    """Record an activity held in ``village``; the same ``submission_key`` twice returns the first."""
    _check_writer(user, village.station_id)
    existing = _existing(Activity, submission_key)
    if existing is not None:
        return existing
    _activity_check(village=village, team=team, held_on=held_on)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                activity = Activity.objects.create(
                    station=village.station,
                    code=_next_activity_code(village.station, held_on),
                    kind=kind,
                    title=title,
                    held_on=held_on,
                    village=village,
                    team=team,
                    volunteer_count=volunteer_count,
                    people_reached=people_reached,
                    materials=materials,
                    outcomes=outcomes,
                    signups_recorded=signups_recorded,
                    created_by=user,
                    submission_key=submission_key,
                )
                _activity_attach(activity, participants=participants, photos=photos)
                return activity
        except IntegrityError:
            existing = _existing(Activity, submission_key)
            if existing is not None:
                return existing
    raise ApiError(_("Could not number the activity; try again."), status=409, code="conflict")


def activity_update(
    *,
    user,
    activity: Activity,
    village,
    kind: str,
    title: str,
    held_on: datetime.date,
    team=None,
    participants=(),
    volunteer_count: int = 0,
    people_reached: int = 0,
    materials: str = "",
    outcomes: str = "",
    signups_recorded: int = 0,
    photos=(),
    submission_key: str = "",
) -> Activity:
    """Correct a recorded activity (its code and station stay; new photos are added to the old ones)."""
    _check_writer(user, activity.station_id)
    if village.station_id != activity.station_id:
        raise FieldError({"village": _("An activity stays with its station; pick one of its villages.")})
    _activity_check(village=village, team=team, held_on=held_on)
    with transaction.atomic():
        fields = {
            "village": village,
            "kind": kind,
            "title": title,
            "held_on": held_on,
            "team": team,
            "volunteer_count": volunteer_count,
            "people_reached": people_reached,
            "materials": materials,
            "outcomes": outcomes,
            "signups_recorded": signups_recorded,
        }
        _fields_save(activity, fields)
        _activity_attach(activity, participants=participants, photos=photos)
    return activity


def _plan_item_check(*, station, starts_on, due_on, villages) -> None:
    if due_on < starts_on:
        raise FieldError({"due_on": _("The due date is before the start date.")})
    if any(v.station_id != station.pk for v in villages):
        raise FieldError({"villages": _("Every village must belong to the station.")})


def plan_item_create(
    *,
    user,
    station,
    title: str,
    starts_on,
    due_on,
    kind: str,
    campaign: str = "",
    owner=None,
    team=None,
    villages=(),
    notes: str = "",
) -> PlanItem:
    _check_writer(user, station.pk)
    _plan_item_check(station=station, starts_on=starts_on, due_on=due_on, villages=villages)
    with transaction.atomic():
        item = PlanItem.objects.create(
            station=station,
            title=title,
            starts_on=starts_on,
            due_on=due_on,
            kind=kind,
            campaign=campaign,
            owner=owner,
            team=team,
            notes=notes,
            updated_by=user,
            updated_at=timezone.now(),
        )
        item.villages.set(villages)
    return item


def plan_item_update(
    *,
    user,
    item: PlanItem,
    station,
    title: str,
    starts_on,
    due_on,
    kind: str,
    campaign: str = "",
    owner=None,
    team=None,
    villages=(),
    notes: str = "",
) -> PlanItem:
    """Change a plan item's content and dates (its status changes only through progress reports)."""
    _check_writer(user, item.station_id)
    if station.pk != item.station_id:
        raise FieldError({"station": _("A plan item stays with its station.")})
    _plan_item_check(station=station, starts_on=starts_on, due_on=due_on, villages=villages)
    with transaction.atomic():
        fields = {
            "title": title,
            "starts_on": starts_on,
            "due_on": due_on,
            "kind": kind,
            "campaign": campaign,
            "owner": owner,
            "team": team,
            "notes": notes,
            "updated_by": user,
            "updated_at": timezone.now(),
        }
        _fields_save(item, fields)
        item.villages.set(villages)
    return item


def plan_item_progress(
    *, user, item: PlanItem, status: str, progress_percent: int, notes: str = ""
) -> PlanItem:
    """Report progress on a plan item: the one transition function of its status."""
    _check_writer(user, item.station_id)
    if not 0 <= progress_percent <= 100:
        raise FieldError({"progress_percent": _("Progress is a percentage from 0 to 100.")})
    with transaction.atomic():
        item = PlanItem.objects.select_for_update().get(pk=item.pk)
        if status not in PLAN_TRANSITIONS[item.status]:
            raise ApiError(
                _("A plan item that is “%(current)s” cannot become “%(target)s”.")
                % {"current": item.get_status_display(), "target": PlanStatus(status).label},
                status=409,
                code="illegal_transition",
            )
        if status == PlanStatus.DONE:
            progress_percent = 100
        PlanItemUpdate.objects.create(
            item=item,
            from_status=item.status,
            to_status=status,
            progress_percent=progress_percent,
            notes=notes,
            actor=user,
        )
        item.status, item.progress_percent = status, progress_percent
        item.updated_by, item.updated_at = user, timezone.now()
        item.save(update_fields=["status", "progress_percent", "updated_by", "updated_at"])
    return item


def meeting_create(
    *, user, station, held_on, title: str, minutes: str, attendees: str = "", decisions: str = "", items=()
) -> ProgressMeeting:
    _check_writer(user, station.pk)
    with transaction.atomic():
        meeting = ProgressMeeting.objects.create(
            station=station,
            held_on=held_on,
            title=title,
            minutes=minutes,
            attendees=attendees,
            decisions=decisions,
            created_by=user,
        )
        meeting.items.set([item for item in items if item.station_id == station.pk])
    return meeting


def visit_plan_set(*, user, station, tag: str, interval_days: int) -> VisitPlan:
    _check_writer(user, station.pk)
    if interval_days < 1:
        raise FieldError({"interval_days": _("Visit at least every day.")})
    with transaction.atomic():
        plan, _created = VisitPlan.objects.update_or_create(
            station=station, tag=tag, defaults={"interval_days": interval_days}
        )
        care_schedule_refresh_station(station.pk)
    return plan


def care_visit_record(
    *,
    user,
    customer,
    visited_on,
    team=None,
    visitors: str = "",
    findings: str = "",
    help_given: str = "",
    safety_check_done: bool = False,
    follow_up_needed: bool = False,
    follow_up_notes: str = "",
    submission_key: str = "",
    recorded_offline: bool = False,
) -> CareVisit:
    _check_writer(user, customer.village.station_id)
    existing = _existing(CareVisit, submission_key)
    if existing is not None:
        return existing
    if visited_on > timezone.localdate():
        raise FieldError({"visited_on": _("A visit cannot be recorded before it happens.")})
    if follow_up_needed and not follow_up_notes.strip():
        raise FieldError({"follow_up_notes": _("Say what needs following up.")})
    try:
        with transaction.atomic():
            visit = CareVisit.objects.create(
                customer=customer,
                visited_on=visited_on,
                team=team,
                visitors=visitors,
                findings=findings,
                help_given=help_given,
                safety_check_done=safety_check_done,
                follow_up_needed=follow_up_needed,
                follow_up_notes=follow_up_notes,
                recorded_by=user,
                submission_key=submission_key,
                recorded_offline=recorded_offline,
            )
            care_schedule_refresh([customer.pk])
            return visit
    except IntegrityError:
        return CareVisit.objects.get(submission_key=submission_key)


def inspection_campaign_create(
    *, user, station, kind: str, title: str, starts_on, ends_on, checklist=None, villages=()
) -> InspectionCampaign:
    _check_writer(user, station.pk)
    if ends_on < starts_on:
        raise FieldError({"ends_on": _("The end date is before the start date.")})
    checklist = list(checklist or CheckItem.values)
    if not checklist or any(item not in CheckItem.values for item in checklist):
        raise FieldError({"checklist": _("Choose items from the checklist.")})
    with transaction.atomic():
        campaign = InspectionCampaign.objects.create(
            station=station,
            kind=kind,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            checklist=checklist,
            created_by=user,
        )
        campaign.villages.set([v for v in villages if v.station_id == station.pk])
    return campaign


def inspection_record(
    *,
    user,
    campaign: InspectionCampaign,
    village,
    inspected_on,
    results: list[dict],
    transformer=None,
    customer=None,
    inspector: str = "",
    notes: str = "",
    submission_key: str = "",
    recorded_offline: bool = False,
) -> Inspection:
    """Record one inspection; every failed item becomes a hazard.

    ``results`` holds one dict per checklist item: ``item``, ``result`` and, for a failure,
    optional ``notes``, ``severity``, ``deadline``, ``responsible`` (Staff) and ``photo``.
    """
    _check_writer(user, campaign.station_id)
    existing = _existing(Inspection, submission_key)
    if existing is not None:
        return existing
    errors = {}
    if village.station_id != campaign.station_id:
        errors["village"] = _("The village belongs to another station.")
    if transformer is not None and transformer.village_id != village.pk:
        errors["transformer"] = _("The transformer district is not in this village.")
    if customer is not None and customer.village_id != village.pk:
        errors["customer"] = _("The household is not in this village.")
    given = {row["item"] for row in results}
    if given != set(campaign.checklist):
        errors["results"] = _("Give a result for every item of the checklist.")
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            campaign=campaign,
            village=village,
            transformer=transformer,
            customer=customer,
            inspected_on=inspected_on,
            inspector=inspector,
            notes=notes,
            recorded_by=user,
            submission_key=submission_key,
            recorded_offline=recorded_offline,
        )
        for row in results:
            result = InspectionResult.objects.create(
                inspection=inspection, item=row["item"], result=row["result"], notes=row.get("notes", "")
            )
            if row["result"] == CheckResult.FAIL:
                _hazard_from(user=user, result=result, row=row)
    return inspection


def _hazard_from(*, user, result: InspectionResult, row: dict) -> Hazard:
    inspection = result.inspection
    severity = row.get("severity") or Severity.MAJOR
    deadline = row.get("deadline") or inspection.inspected_on + datetime.timedelta(
        days=SEVERITY_DAYS[severity]
    )
    where = inspection.transformer or inspection.customer
    description = row.get("notes") or _("%(item)s failed") % {"item": CheckItem(result.item).label}
    if where is not None:
        description = f"{where} · {description}"
    hazard = Hazard.objects.create(
        station_id=inspection.campaign.station_id,
        village=inspection.village,
        source=result,
        item=result.item,
        description=description,
        severity=severity,
        photo=row.get("photo") or "",
        responsible=row.get("responsible"),
        deadline=deadline,
    )
    HazardEvent.objects.create(hazard=hazard, to_status=HazardStatus.OPEN, actor=user)
    if hazard.responsible is not None and hazard.responsible.phone:
        transaction.on_commit(lambda: _notify_responsible(hazard))
    return hazard


def _notify_responsible(hazard: Hazard) -> None:
    """Text the responsible person about a new hazard (in Chinese: staff read SMS in Chinese)."""
    with translation.override("zh-hans"):
        body = _("Hazard in %(village)s: %(description)s. Severity %(severity)s, fix by %(deadline)s.") % {
            "village": hazard.village.name,
            "description": hazard.description,
            "severity": hazard.get_severity_display(),
            "deadline": hazard.deadline.isoformat(),
        }
        notify(
            channel="sms",
            recipient=hazard.responsible.phone,
            subject=_("New hazard"),
            body=body,
            purpose="outreach.hazard",
        )


def hazard_transition(*, user, hazard: Hazard, to_status: str, notes: str = "") -> Hazard:
    """Move a hazard to ``to_status``. Closing is refused unless a re-inspection has passed."""
    _check_writer(user, hazard.station_id)
    with transaction.atomic():
        hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
        if to_status not in HAZARD_TRANSITIONS[hazard.status]:
            raise ApiError(
                _("A hazard that is “%(current)s” cannot become “%(target)s”.")
                % {"current": hazard.get_status_display(), "target": HazardStatus(to_status).label},
                status=409,
                code="illegal_transition",
            )
        if to_status == HazardStatus.CLOSED and not hazard.reinspections.filter(passed=True).exists():
            raise ApiError(
                _("A hazard closes only after a re-inspection passes."),
                status=409,
                code="reinspection_required",
            )
        HazardEvent.objects.create(
            hazard=hazard, from_status=hazard.status, to_status=to_status, actor=user, notes=notes
        )
        hazard.status = to_status
        if to_status == HazardStatus.CLOSED:
            hazard.closed_at = timezone.now()
        hazard.save(update_fields=["status", "closed_at"])
    return hazard


def hazard_order_fix(*, user, hazard: Hazard) -> Hazard:
    """Raise the remediation work order for the station's service team (once) and mark the hazard
    as being fixed."""
    from powerexpress.workorders.choices import WorkOrderKind
    from powerexpress.workorders.services import work_order_create

    _check_writer(user, hazard.station_id)
    source = hazard.source.inspection
    with transaction.atomic():
        order = work_order_create(
            user=user,
            station=hazard.station,
            kind=WorkOrderKind.HAZARD_FIX,
            title=_("Fix hazard: %(hazard)s") % {"hazard": hazard},
            description=hazard.description,
            village=hazard.village,
            transformer=source.transformer,
            due_on=hazard.deadline,
            source_type="hazard",
            source_ref=str(hazard.pk),
        )
        Hazard.objects.filter(pk=hazard.pk).update(work_order=order)
        hazard.refresh_from_db()
        if hazard.status == HazardStatus.OPEN:
            hazard = hazard_transition(
                user=user, hazard=hazard, to_status=HazardStatus.FIXING, notes=order.number
            )
    return hazard


def hazard_reinspect(*, user, hazard: Hazard, inspected_on, passed: bool, notes: str = "") -> Hazard:
    """Record a re-inspection; a pass closes the hazard, a failure leaves it open."""
    _check_writer(user, hazard.station_id)
    if hazard.status == HazardStatus.CLOSED:
        raise ApiError(_("The hazard is already closed."), status=409, code="illegal_transition")
    with transaction.atomic():
        Reinspection.objects.create(
            hazard=hazard, inspected_on=inspected_on, passed=passed, notes=notes, actor=user
        )
        if passed:
            hazard = hazard_transition(user=user, hazard=hazard, to_status=HazardStatus.CLOSED, notes=notes)
    return hazard


def charity_campaign_create(
    *, user, station, title: str, starts_on, ends_on, target_fen: int = 0, description: str = ""
) -> CharityCampaign:
    _check_writer(user, station.pk)
    if ends_on < starts_on:
        raise FieldError({"ends_on": _("The end date is before the start date.")})
    return CharityCampaign.objects.create(
        station=station,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        target_fen=target_fen,
        description=description,
    )


def _money_or_items(amount_fen: int, items: str) -> None:
    if amount_fen < 0:
        raise FieldError({"amount": _("The amount cannot be negative.")})
    if amount_fen == 0 and not items.strip():
        raise FieldError({"amount": _("Give an amount, items, or both.")})


def donation_record(
    *, user, campaign: CharityCampaign, donor: str, donated_on, amount_fen: int = 0, items: str = ""
) -> Donation:
    _check_writer(user, campaign.station_id)
    _money_or_items(amount_fen, items)
    if not campaign.starts_on <= donated_on <= campaign.ends_on:
        raise FieldError(
            {
                "donated_on": _("The campaign takes donations from %(start)s to %(end)s.")
                % {"start": campaign.starts_on, "end": campaign.ends_on}
            }
        )
    return Donation.objects.create(
        campaign=campaign,
        donor=donor,
        donated_on=donated_on,
        amount_fen=amount_fen,
        items=items,
        recorded_by=user,
    )


def beneficiary_create(
    *, user, village, name: str, kind: str, school: str = "", household=None
) -> Beneficiary:
    _check_writer(user, village.station_id)
    if household is not None and household.village_id != village.pk:
        raise FieldError({"household": _("The household is not in this village.")})
    return Beneficiary.objects.create(
        village=village, name=name, kind=kind, school=school, household=household
    )


def distribution_record(
    *,
    user,
    campaign: CharityCampaign,
    beneficiary: Beneficiary,
    given_on,
    amount_fen: int = 0,
    items: str = "",
) -> Distribution:
    """Record what a beneficiary received; money handed out never exceeds money donated."""
    _check_writer(user, campaign.station_id)
    _money_or_items(amount_fen, items)
    if beneficiary.village.station_id != campaign.station_id:
        raise FieldError({"beneficiary": _("The beneficiary belongs to another station.")})
    with transaction.atomic():
        locked = CharityCampaign.objects.select_for_update().get(pk=campaign.pk)
        totals = charity_totals(locked)
        if amount_fen > totals["balance_fen"]:
            raise FieldError(
                {
                    "amount": _("Only %(balance)s yuan is left to hand out.")
                    % {"balance": fen_to_yuan(totals["balance_fen"])}
                }
            )
        return Distribution.objects.create(
            campaign=locked,
            beneficiary=beneficiary,
            given_on=given_on,
            amount_fen=amount_fen,
            items=items,
            recorded_by=user,
        )


def overdue_reminders_send(*, today: datetime.date | None = None) -> int:
    """Once a day: text each station head what the station has let slip (care visits past due,
    vulnerable households never visited, hazards past their deadline). One message per station
    and day, however often the job runs; nothing is sent when nothing is overdue. Returns the
    number of messages sent."""
    today = today or timezone.localdate()
    care_schedule_rebuild()  # the daily backstop: rows changed outside the services are caught up
    sent = 0
    for station in SupplyStation.objects.exclude(head_phone="").order_by("code"):
        counts = station_overdue(station, today)
        if not any(counts.values()):
            continue
        with translation.override("zh-hans"):
            body = _(
                "%(station)s, %(date)s: %(care_overdue)s care visits overdue, %(care_never)s vulnerable households "
                "never visited, %(hazards)s hazards past their deadline. Details: Outreach in Power Express."
            ) % {"station": station.name, "date": today.isoformat(), **counts}
            subject = _("Outreach: overdue work")
        sent += (
            notify_once(
                channel="sms",
                recipient=station.head_phone,
                subject=subject,
                body=body,
                purpose=f"outreach_overdue:{station.code}:{today.isoformat()}",
            )
            is not None
        )
    return sent
