"""Outreach API: activities (list, record, read), who is due a care visit, hazards, and a
village's notice-board data (public).

Activities are referenced by ``code`` (what billing's agreements carry in ``campaign_ref``),
villages and teams by their codes, households by account number.
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from powerexpress.core.errors import FieldError
from powerexpress.core.filters import filtered_or_422
from powerexpress.core.pagination import LimitOffsetPagination
from powerexpress.core.scope import MappedQuerySet, get_visible_or_404
from powerexpress.outreach import selectors, services
from powerexpress.outreach.choices import ActivityKind, HazardStatus, Severity
from powerexpress.outreach.filters import ActivityFilterSet, HazardFilterSet
from powerexpress.outreach.models import Activity
from powerexpress.registry.models import Staff, Team, Village

router = Router(tags=["outreach"])


class ActivityOut(Schema):
    code: str
    kind: ActivityKind
    title: str
    held_on: datetime.date
    station: str
    village: str
    team: str | None
    participants: list[str]
    volunteer_count: int
    people_reached: int
    materials: str
    outcomes: str
    signups: int
    signups_linked: bool
    signups_recorded: int


class ActivityIn(Schema):
    kind: ActivityKind
    title: str = Field(..., min_length=1, max_length=200)
    held_on: datetime.date
    village: str = Field(..., examples=["XD001"])
    team: str | None = Field(None, examples=["XD-publicity"])
    participants: list[str] = Field([], description="Staff employee numbers", examples=[["XD-003"]])
    volunteer_count: int = Field(0, ge=0)
    people_reached: int = Field(0, ge=0)
    materials: str = Field("", max_length=300)
    outcomes: str = ""
    signups_recorded: int = Field(0, ge=0)
    submission_key: str = Field("", max_length=40, description="Same key twice records once")


class ActivityFilter(Schema):
    q: str | None = Field(None, description="Text in the title, code or village (name or code)")
    kind: ActivityKind | None = None
    village: str | None = Field(None, description="Village code")
    team: str | None = Field(None, description="Team code")


class CareDueOut(Schema):
    account_no: str
    name: str
    village: str
    tags: list[str]
    interval_days: int
    last_visited_on: datetime.date | None
    next_due_on: datetime.date | None
    state: str
    days_overdue: int


class HazardOut(Schema):
    id: int
    station: str
    village: str
    item: str
    description: str
    severity: Severity
    status: HazardStatus
    deadline: datetime.date
    overdue: bool
    responsible: str | None
    work_order: str | None


class BoardOut(Schema):
    village: str
    village_name: str
    station: str
    tariff: dict | None
    tips: list[str]
    activities_this_year: int
    people_reached_this_year: int
    signup_rate_percent: str | None
    hazards_fixed: int
    responsible_name: str
    responsible_phone: str
    hotline: str


def _query(filters) -> dict:
    """The API's query parameters as the FilterSet's data (unset ones left out)."""
    data = filters if isinstance(filters, dict) else filters.dict()
    return {key: value for key, value in data.items() if value not in (None, "")}


def activity_out(activity: Activity) -> dict:
    return {
        "code": activity.code,
        "kind": activity.kind,
        "title": activity.title,
        "held_on": activity.held_on,
        "station": activity.station.code,
        "village": activity.village.code,
        "team": activity.team.code if activity.team_id else None,
        "participants": [p.employee_no for p in activity.participants.all()],
        "volunteer_count": activity.volunteer_count,
        "people_reached": activity.people_reached,
        "materials": activity.materials,
        "outcomes": activity.outcomes,
        "signups": activity.signups,
        "signups_linked": activity.signups_linked,
        "signups_recorded": activity.signups_recorded,
    }


class SignupsPage(MappedQuerySet):
    """Pages of activities with their sign-ups counted once per page."""

    def __getitem__(self, item):
        rows = self.queryset[item]
        return (
            [self.fn(a) for a in selectors.with_signups(rows)]
            if isinstance(item, slice)
            else self.fn(selectors.with_signups([rows])[0])
        )


@router.get("/outreach/activities", response=list[ActivityOut])
@paginate(LimitOffsetPagination)
def list_activities(request, filters: Query[ActivityFilter]):
    queryset = selectors.activity_list(request.user).prefetch_related("participants")
    return SignupsPage(filtered_or_422(ActivityFilterSet(_query(filters), queryset)), activity_out)


@router.get("/outreach/activities/{code}", response=ActivityOut)
def get_activity(request, code: str):
    activity = get_visible_or_404(
        request.user, Activity.objects.select_related("station", "village", "team"), code=code
    )
    return activity_out(selectors.with_signups([activity])[0])


@router.post("/outreach/activities", response={201: ActivityOut})
def create_activity(request, data: ActivityIn):
    village = get_visible_or_404(request.user, Village.objects.all(), code=data.village)
    team = None
    if data.team:
        team = Team.objects.filter(code=data.team, station_id=village.station_id).first()
        if team is None:
            raise FieldError({"team": _("No such team at the village's station.")})
    participants = list(
        Staff.objects.filter(employee_no__in=data.participants, station_id=village.station_id)
    )
    if len(participants) != len(set(data.participants)):
        raise FieldError({"participants": _("Every participant must be staff of the village's station.")})
    payload = data.dict(exclude={"village", "team", "participants"})
    activity = services.activity_create(
        user=request.user, village=village, team=team, participants=participants, **payload
    )
    return Status(201, activity_out(selectors.with_signups([activity])[0]))


@router.get("/outreach/care/due", response=list[CareDueOut])
@paginate(LimitOffsetPagination)
def list_care_due(request, state: str = "due", village: str | None = None):
    village_id = get_visible_or_404(request.user, Village.objects.all(), code=village).pk if village else None
    wanted = {"due": selectors.DUE_STATES, "all": selectors.STATES}.get(state, [state])
    rows = selectors.care_households(
        request.user, today=timezone.localdate(), village_id=village_id, states=wanted
    )
    return [
        {
            "account_no": r["customer"].account_no,
            "name": r["customer"].name,
            "village": r["customer"].village.code,
            "tags": r["customer"].tag_list,
            "interval_days": r["interval_days"],
            "last_visited_on": r["customer"].last_visited_on,
            "next_due_on": r["due"].next_due_on,
            "state": r["due"].state,
            "days_overdue": r["due"].days_overdue,
        }
        for r in rows
    ]


@router.get("/outreach/hazards", response=list[HazardOut])
@paginate(LimitOffsetPagination)
def list_hazards(
    request,
    severity: Severity | None = None,
    status: str = "unclosed",
    village: str | None = None,
    q: str | None = Query(None, description="Text in the description or the village (name or code)"),
):
    today = timezone.localdate()
    if village:
        get_visible_or_404(request.user, Village.objects.all(), code=village)
    data = {"severity": severity, "status": status, "village": village, "q": q}
    queryset = filtered_or_422(
        HazardFilterSet(_query(data), selectors.hazard_list(request.user, today=today))
    )
    return MappedQuerySet(
        queryset,
        lambda h: {
            "id": h.pk,
            "station": h.station.code,
            "village": h.village.code,
            "item": h.item,
            "description": h.description,
            "severity": h.severity,
            "status": h.status,
            "deadline": h.deadline,
            "overdue": selectors.hazard_is_overdue(h, today),
            "responsible": h.responsible.name if h.responsible_id else None,
            "work_order": h.work_order.number if h.work_order_id else None,
        },
    )


@router.get("/outreach/boards/{village_code}", response=BoardOut, auth=None)
def get_board(request, village_code: str):
    village = get_object_or_404(Village.objects.select_related("station__bureau"), code=village_code)
    board = selectors.notice_board(village)
    rate = board["signup_rate"]
    return {
        "village": village.code,
        "village_name": village.name,
        "station": village.station.code,
        "tariff": _json_tariff(board["tariff"]),
        "tips": [str(tip) for tip in board["tips"]],
        "activities_this_year": board["activities_this_year"],
        "people_reached_this_year": board["people_reached_this_year"],
        "signup_rate_percent": None if rate is None else str(rate),
        "hazards_fixed": board["hazards_fixed"],
        "responsible_name": board["responsible_name"],
        "responsible_phone": board["responsible_phone"],
        "hotline": board["hotline"],
    }


def _json_tariff(tariff: dict | None) -> dict | None:
    if tariff is None:
        return None
    return {
        "name": tariff["name"],
        "to_verify": tariff["to_verify"],
        "cycle": tariff.get("cycle"),
        "tiers": [
            {key: (None if value is None else str(value)) for key, value in tier.items()}
            for tier in tariff["tiers"]
        ],
        "free_kwh_per_month": {str(who): str(kwh) for who, kwh in tariff.get("free_lines", ())},
    }
