"""Programme data for the demo county: activities, the action plan and its meetings, care
visits, a pre-festival inspection campaign with hazards at every stage, and a charity drive.

Deterministic from a seed (dates are relative to today so that due and overdue lists are never
empty), idempotent (does nothing when the data exists unless reset), and fast: bulk writes.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.outreach.care_schedule import care_schedule_rebuild
from powerexpress.outreach.choices import (
    SEVERITY_DAYS,
    ActivityKind,
    BeneficiaryKind,
    CampaignKind,
    CheckItem,
    CheckResult,
    HazardStatus,
    PlanItemKind,
    PlanStatus,
    Severity,
)
from powerexpress.outreach.models import (
    Activity,
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
)
from powerexpress.outreach.selectors import agreement_model
from powerexpress.registry.choices import TeamKind
from powerexpress.registry.models import Customer, SupplyStation

ACTIVITY_TEAM = {
    ActivityKind.WALK_IN_VILLAGE: TeamKind.PUBLICITY,
    ActivityKind.WALK_IN_SCHOOL: TeamKind.PUBLICITY,
    ActivityKind.WALK_IN_HOME: TeamKind.SERVICE,
    ActivityKind.WALK_IN_FIELD: TeamKind.SERVICE,
    ActivityKind.WALK_IN_AGRI_PARK: TeamKind.SERVICE,
    ActivityKind.MARKET_DAY: TeamKind.PUBLICITY,
    ActivityKind.SAFETY_MONTH: TeamKind.PUBLICITY,
    ActivityKind.SAFETY_LECTURE: TeamKind.PUBLICITY,
    ActivityKind.ART_SHOW: TeamKind.PUBLICITY,
    ActivityKind.AUTO_DEBIT_CAMPAIGN: TeamKind.PUBLICITY,
    ActivityKind.MODEL_WORKER: TeamKind.SERVICE,
    ActivityKind.DISASTER_RELIEF: TeamKind.VANGUARD,
}
TITLES = {
    ActivityKind.WALK_IN_VILLAGE: ("走进{v}：安全用电宣讲", "走进{v}：电力地图核对"),
    ActivityKind.WALK_IN_SCHOOL: ("走进{v}小学：安全用电第一课",),
    ActivityKind.WALK_IN_HOME: ("走进{v}农户：入户检查线路",),
    ActivityKind.WALK_IN_FIELD: ("走进{v}田间：抗旱抽水泵用电服务", "走进{v}田间：排灌线路巡视"),
    ActivityKind.WALK_IN_AGRI_PARK: ("走进{v}农业园区：产业用电上门服务",),
    ActivityKind.MARKET_DAY: ("{v}赶集日：银行代扣电费宣传摊点", "{v}赶集日：阶梯电价咨询"),
    ActivityKind.SAFETY_MONTH: ("安全月：{v}安全用电宣传",),
    ActivityKind.SAFETY_LECTURE: ("{v}安全用电讲座",),
    ActivityKind.ART_SHOW: ("文艺队{v}演出：节约用电小品",),
    ActivityKind.AUTO_DEBIT_CAMPAIGN: ("{v}挨家挨户签约代扣电费",),
    ActivityKind.MODEL_WORKER: ("{v}服务标兵评选",),
    ActivityKind.DISASTER_RELIEF: ("{v}暴雨抢险：转移群众、恢复供电",),
}
MATERIALS = ("宣传单 300 份", "安全用电手册 120 本", "代扣签约宣传单 500 份、围裙 50 条", "节能灯 40 只", "")
FINDINGS = (
    "老人独居，身体尚好，家中插座松动",
    "孩子跟随爷爷奶奶生活，学习用灯昏暗",
    "家中线路老化，已提醒更换",
    "电热毯使用不当，已讲解安全用法",
    "一切正常",
)
HELP = ("更换插座 2 个", "赠送护眼台灯 1 盏", "代办银行代扣签约", "帮助缴纳电费", "讲解阶梯电价")
PLAN = (
    (PlanItemKind.ACTIVITY, "五走进", "走进村寨：逐村宣讲安全用电", -120, -30, TeamKind.PUBLICITY),
    (PlanItemKind.ACTIVITY, "五走进", "走进学校：安全用电第一课", -60, 10, TeamKind.PUBLICITY),
    (PlanItemKind.ACTIVITY, "五走进", "走进田间、农业园区：春耕用电服务", -40, -5, TeamKind.SERVICE),
    (PlanItemKind.ACTIVITY, "电力地图", "电力地图：台区与户表关系核对", -90, 30, TeamKind.SERVICE),
    (PlanItemKind.MILESTONE, "银行代扣", "代扣率达到 80%", -200, 35, TeamKind.PUBLICITY),
    (PlanItemKind.ACTIVITY, "拉网式排查", "春节前拉网式安全排查", -10, 45, TeamKind.SERVICE),
    (PlanItemKind.ACTIVITY, "五服务", "空巢老人、留守儿童走访全覆盖", -150, 20, TeamKind.VANGUARD),
    (PlanItemKind.MILESTONE, "宣传园地", "每村一个宣传园地全部上墙", -100, -20, TeamKind.PUBLICITY),
)


def outreach_demo_exists() -> bool:
    return Activity.objects.filter(code__startswith="HD").exists() and PlanItem.objects.exists()


def outreach_demo_reset() -> None:
    with transaction.atomic():
        model = agreement_model()
        if model is not None:
            model.objects.filter(campaign_ref__in=Activity.objects.values("code")).update(campaign_ref="")
        for model in (Distribution, Donation, Beneficiary, CharityCampaign, Reinspection, HazardEvent):
            model.objects.all().delete()
        from powerexpress.workorders.models import WorkOrder

        Hazard.objects.all().delete()
        WorkOrder.objects.filter(source_type="hazard").delete()
        for model in (
            InspectionResult,
            Inspection,
            InspectionCampaign,
            CareVisit,
            ProgressMeeting,
            PlanItemUpdate,
            PlanItem,
            Activity,
        ):
            model.objects.all().delete()
        care_schedule_rebuild()


def outreach_demo_build(*, seed: int = 20261127, today: datetime.date | None = None) -> dict:
    """Build the programme data on the demo county in one transaction; returns counts."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    actor = User.objects.filter(username="manager").first() or User.objects.order_by("pk").first()
    if actor is None:
        raise ValueError("Load the demo county first (powerexpress demo).")
    counts = {"activities": 0, "plan_items": 0, "visits": 0, "hazards": 0, "donations": 0}
    with transaction.atomic():
        for station in SupplyStation.objects.prefetch_related("villages", "teams"):
            teams = {team.kind: team for team in station.teams.all()}
            villages = list(station.villages.all())
            if not villages:
                continue
            clerk = User.objects.filter(station=station, role=Role.STATION_STAFF).first() or actor
            counts["activities"] += _activities(station, villages, teams, clerk, rng, today)
            counts["plan_items"] += _plan(station, villages, teams, clerk, rng, today)
            counts["visits"] += _visits(station, teams, clerk, rng, today)
            counts["hazards"] += _inspections(station, villages, clerk, rng, today)
            counts["donations"] += _charity(station, villages, clerk, rng, today)
        care_schedule_rebuild()
    return counts


def _activities(station, villages, teams, user, rng, today) -> int:
    rows, per_day = [], {}
    for index in range(36 + rng.randrange(12)):
        kind = (
            ActivityKind.values[index % len(ActivityKind.values)]
            if index < 24
            else rng.choice(
                (
                    ActivityKind.MARKET_DAY,
                    ActivityKind.AUTO_DEBIT_CAMPAIGN,
                    ActivityKind.WALK_IN_VILLAGE,
                    ActivityKind.SAFETY_LECTURE,
                )
            )
        )
        village = rng.choice(villages)
        held_on = today - datetime.timedelta(days=rng.randrange(1, 330))
        per_day[held_on] = per_day.get(held_on, 0) + 1
        signups = (
            rng.randrange(8, 60) if kind in (ActivityKind.MARKET_DAY, ActivityKind.AUTO_DEBIT_CAMPAIGN) else 0
        )
        rows.append(
            Activity(
                station=station,
                code=f"HD{station.code}{held_on:%Y%m%d}{per_day[held_on]:03d}",
                kind=kind,
                title=rng.choice(TITLES[kind]).format(v=village.name.removesuffix("村")),
                held_on=held_on,
                village=village,
                team=teams.get(ACTIVITY_TEAM[kind]),
                volunteer_count=rng.randrange(0, 12),
                people_reached=rng.randrange(20, 400),
                materials=rng.choice(MATERIALS),
                outcomes=f"现场签约银行代扣 {signups} 户" if signups else "群众反响良好",
                signups_recorded=signups,
                created_by=user,
            )
        )
    Activity.objects.bulk_create(rows)
    _attribute_agreements(rows)
    return len(rows)


def _attribute_agreements(activities) -> None:
    """Where billing's demo has agreements, mark as many of the village's unattributed ones as an
    activity recorded with the activity's code (``campaign_ref``)."""
    model = agreement_model()
    if model is None:
        return
    for activity in activities:
        if activity.signups_recorded:
            pks = list(
                model.objects.filter(customer__village=activity.village, campaign_ref="")
                .order_by("pk")
                .values_list("pk", flat=True)[: activity.signups_recorded]
            )
            model.objects.filter(pk__in=pks).update(campaign_ref=activity.code)


def _plan(station, villages, teams, user, rng, today) -> int:
    items = []
    for kind, campaign, title, start, due, team_kind in PLAN:
        starts_on, due_on = today + datetime.timedelta(days=start), today + datetime.timedelta(days=due)
        team = teams.get(team_kind)
        if due < 0:
            status = PlanStatus.DONE if rng.random() < 0.6 else PlanStatus.IN_PROGRESS
        else:
            status = PlanStatus.IN_PROGRESS if start < 0 else PlanStatus.PLANNED
        progress = (
            100
            if status == PlanStatus.DONE
            else (rng.randrange(20, 90, 5) if status == PlanStatus.IN_PROGRESS else 0)
        )
        item = PlanItem.objects.create(
            station=station,
            kind=kind,
            campaign=campaign,
            title=title,
            starts_on=starts_on,
            due_on=due_on,
            team=team,
            owner=team.responsible_person if team else None,
            status=status,
            progress_percent=progress,
            updated_by=user,
            updated_at=timezone.now(),
        )
        item.villages.set(rng.sample(villages, min(len(villages), 3)))
        if status != PlanStatus.PLANNED:
            PlanItemUpdate.objects.create(
                item=item,
                from_status=PlanStatus.PLANNED,
                to_status=status,
                progress_percent=progress,
                actor=user,
            )
        items.append(item)
    for months_ago in (3, 2, 1):
        held_on = today - datetime.timedelta(days=30 * months_ago)
        meeting = ProgressMeeting.objects.create(
            station=station,
            held_on=held_on,
            title=f"{held_on:%Y年%m月}推进会",
            attendees=f"{station.name}所长、三支队伍队长",
            minutes="各队汇报本月活动开展情况、代扣签约进度和隐患整改情况。",
            decisions="1. 赶集日继续设立代扣宣传摊点；2. 逾期事项由所长督办；3. 下月完成留守儿童走访。",
            created_by=user,
        )
        meeting.items.set(rng.sample(items, 3))
    return len(items)


def _visits(station, teams, user, rng, today) -> int:
    vanguard = teams.get(TeamKind.VANGUARD)
    people = list(vanguard.members.values_list("name", flat=True)) if vanguard else []
    households = (
        Customer.objects.filter(village__station=station).exclude(tags="").values_list("pk", flat=True)
    )
    rows = []
    for pk in households:
        if rng.random() < 0.25:
            continue  # never visited yet
        for _visit in range(rng.choice((1, 1, 2, 3))):
            rows.append(
                CareVisit(
                    customer_id=pk,
                    visited_on=today - datetime.timedelta(days=rng.randrange(1, 150)),
                    team=vanguard,
                    visitors="、".join(rng.sample(people, min(2, len(people)))),
                    findings=rng.choice(FINDINGS),
                    help_given=rng.choice(HELP),
                    safety_check_done=rng.random() < 0.8,
                    follow_up_needed=False,
                    recorded_by=user,
                )
            )
    CareVisit.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _inspections(station, villages, user, rng, today) -> int:
    from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
    from powerexpress.workorders.services import work_order_create, work_order_transition

    chosen = rng.sample(villages, min(len(villages), 6))
    campaign = InspectionCampaign.objects.create(
        station=station,
        kind=CampaignKind.PRE_FESTIVAL,
        title=f"{station.name}春节前拉网式排查",
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        checklist=CheckItem.values,
        created_by=user,
    )
    campaign.villages.set(chosen)
    staff = list(station.staff.all())
    count = 0
    for village in chosen:
        for transformer in village.transformers.all()[:4]:
            inspected_on = today - datetime.timedelta(days=rng.randrange(1, 20))
            inspection = Inspection.objects.create(
                campaign=campaign,
                village=village,
                transformer=transformer,
                inspected_on=inspected_on,
                inspector=rng.choice(staff).name,
                recorded_by=user,
            )
            for item in CheckItem.values:
                failed = rng.random() < 0.12
                result = InspectionResult.objects.create(
                    inspection=inspection, item=item, result=CheckResult.FAIL if failed else CheckResult.PASS
                )
                if failed:
                    _demo_hazard(
                        result,
                        village,
                        transformer,
                        staff,
                        user,
                        rng,
                        inspected_on,
                        today,
                        work_order_create,
                        work_order_transition,
                        WorkOrderKind,
                        WorkOrderStatus,
                    )
                    count += 1
    return count


def _demo_hazard(
    result,
    village,
    transformer,
    staff,
    user,
    rng,
    inspected_on,
    today,
    work_order_create,
    work_order_transition,
    WorkOrderKind,
    WorkOrderStatus,
):
    severity = rng.choice((Severity.MINOR, Severity.MAJOR, Severity.MAJOR, Severity.CRITICAL))
    descriptions = {
        CheckItem.RCD_TRIP: "漏电保护开关试跳不动作",
        CheckItem.WIRING: "进户线老化破损",
        CheckItem.METER_BOX: "计量箱门锁损坏、箱体锈蚀",
        CheckItem.POLE_LINE: "电杆倾斜、导线弧垂过大",
    }
    hazard = Hazard.objects.create(
        station=village.station,
        village=village,
        source=result,
        item=result.item,
        description=f"{transformer} · {descriptions[result.item]}",
        severity=severity,
        responsible=rng.choice(staff),
        deadline=inspected_on + datetime.timedelta(days=SEVERITY_DAYS[severity]),
    )
    HazardEvent.objects.create(hazard=hazard, to_status=HazardStatus.OPEN, actor=user)
    stage = rng.random()
    if stage < 0.3:
        return
    order = work_order_create(
        user=user,
        station=village.station,
        kind=WorkOrderKind.HAZARD_FIX,
        title=f"整改隐患：{village.name} {descriptions[result.item]}",
        village=village,
        transformer=transformer,
        due_on=hazard.deadline,
        source_type="hazard",
        source_ref=str(hazard.pk),
    )
    hazard.work_order, hazard.status = order, HazardStatus.FIXING
    HazardEvent.objects.create(
        hazard=hazard,
        from_status=HazardStatus.OPEN,
        to_status=HazardStatus.FIXING,
        actor=user,
        notes=order.number,
    )
    if stage > 0.6:
        work_order_transition(user=user, order=order, to_status=WorkOrderStatus.DONE, notes="已整改")
        Reinspection.objects.create(
            hazard=hazard, inspected_on=min(today, hazard.deadline), passed=True, notes="复查合格", actor=user
        )
        HazardEvent.objects.create(
            hazard=hazard,
            from_status=HazardStatus.FIXING,
            to_status=HazardStatus.CLOSED,
            actor=user,
            notes="复查合格",
        )
        hazard.status, hazard.closed_at = HazardStatus.CLOSED, timezone.now()
    hazard.save()


def _charity(station, villages, user, rng, today) -> int:
    campaign = CharityCampaign.objects.create(
        station=station,
        title=f"{station.name.removesuffix('供电所')}爱心包裹 {today.year}",
        description="为困难学生和留守儿童送去书包、文具和冬衣。",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=30),
        target_fen=rng.randrange(20, 40) * 100_000,
    )
    donors = (f"{station.name}全体职工", "县农村信用合作联社", "玉屏供电局工会", "爱心人士王先生", "新店商会")
    donations = [
        Donation(
            campaign=campaign,
            donor=donor,
            donated_on=today - datetime.timedelta(days=rng.randrange(5, 60)),
            amount_fen=rng.randrange(5, 60) * 10_000,
            items=rng.choice(("", "书包 20 个", "冬衣 30 件")),
            recorded_by=user,
        )
        for donor in donors
    ]
    Donation.objects.bulk_create(donations)
    children = list(
        Customer.objects.filter(
            village__station=station, tags__contains=",left_behind_children,"
        ).select_related("village")[:12]
    )
    given = 0
    budget = sum(d.amount_fen for d in donations)
    for index, household in enumerate(children):
        beneficiary = Beneficiary.objects.create(
            village=household.village,
            household=household,
            name=household.name[0] + rng.choice("小晓") + rng.choice("花明丽军"),
            kind=BeneficiaryKind.LEFT_BEHIND_CHILD if index % 3 else BeneficiaryKind.STUDENT,
            school=f"{household.village.name.removesuffix('村')}小学",
        )
        amount = 50_000
        if given + amount <= budget and index % 2 == 0:
            Distribution.objects.create(
                campaign=campaign,
                beneficiary=beneficiary,
                amount_fen=amount,
                items="书包 1 个、文具 1 套",
                given_on=today - datetime.timedelta(days=rng.randrange(1, 5)),
                recorded_by=user,
            )
            given += amount
    return len(donations)
