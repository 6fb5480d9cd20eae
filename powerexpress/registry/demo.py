"""The demo county: a Yuping-like county bureau built deterministically from a seed.

Stations, townships and the villages named in the programme (DOMAIN.md §8), transformer
districts sized at about 2 kVA per household (a few deliberately undersized), households
with valid (fictitious) resident ID numbers and mobiles, care tags, meters, staff, the three
teams per station and one sign-in per demo role. Households are written with ``bulk_create``
so that 50,000 of them load in well under a minute on SQLite.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.core.validators import id_check_character
from powerexpress.registry.choices import (
    AreaClass,
    ConnectionGroup,
    CustomerTag,
    PaymentMethod,
    Phase,
    TeamKind,
)
from powerexpress.registry.models import (
    Bureau,
    Customer,
    Meter,
    Staff,
    SupplyStation,
    Team,
    Township,
    TransformerDistrict,
    Village,
)

YUPING_REGION_CODE = "522223"
STANDARD_KVA = (30, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400)
DEMO_PASSWORD = "demo-pass-2026"
TEAM_NAMES = {TeamKind.SERVICE: "服务队", TeamKind.PUBLICITY: "宣传队", TeamKind.VANGUARD: "先锋队"}


@dataclass(frozen=True)
class StationPlan:
    code: str
    name: str
    share: float  # of all households
    area_class: str
    auto_debit_rate: float
    townships: tuple[tuple[str, tuple[str, ...]], ...]  # (township name, named villages)
    lat: float
    lon: float


STATIONS = (
    StationPlan(
        "CQ",
        "城区供电所",
        0.22,
        AreaClass.URBAN,
        0.35,
        (("平溪街道", ("龙井社区", "东门社区")), ("皂角坪街道", ("兴隆社区",))),
        27.238,
        108.906,
    ),
    StationPlan(
        "XD",
        "新店供电所",
        0.185,
        AreaClass.RURAL,
        0.50,
        (("新店镇", ("老寨村", "新店村", "尖山村")),),
        27.312,
        108.986,
    ),
    StationPlan(
        "ZJC",
        "朱家场供电所",
        0.20,
        AreaClass.RURAL,
        0.50,
        (("朱家场镇", ("洪家湾村", "朱家场村", "鱼塘村")),),
        27.162,
        108.848,
    ),
    StationPlan(
        "DL",
        "大龙供电所",
        0.25,
        AreaClass.RURAL,
        0.30,
        (("大龙镇", ("前家垅村", "大龙村", "上寨村")), ("亚鱼乡", ("亚鱼村",))),
        27.271,
        109.083,
    ),
    StationPlan(
        "TP",
        "田坪供电所",
        0.145,
        AreaClass.REMOTE,
        0.20,
        (("田坪镇", ("田坪村", "罗家寨村")),),
        27.121,
        108.962,
    ),
)

SURNAMES = "杨吴龙姚张王李刘陈黄周赵罗田彭谢胡蒲石潘邓万舒何冉"
GIVEN = "永国建明华军文勇志强秀英芳兰春桂玉红家兴福贵成林平海云德顺金花丽琴"
VILLAGE_PARTS_A = "岩桥坪溪湾坝坳冲寨塘垅坡岭山田"
VILLAGE_PARTS_B = "上下大小新老高龙凤马鸡石竹茶杨"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _id_number(rng: random.Random, used: set) -> str:
    while True:
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 60))
        first17 = f"{YUPING_REGION_CODE}{born:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + id_check_character(first17)


def _size_for(households: int, rng: random.Random, undersized: bool) -> int:
    needed = households * 2
    index = next((i for i, kva in enumerate(STANDARD_KVA) if kva >= needed), len(STANDARD_KVA) - 1)
    if undersized:
        index = max(0, index - 3)
    elif rng.random() < 0.3:
        index = min(len(STANDARD_KVA) - 1, index + 1)
    return STANDARD_KVA[index]


def _tags(rng: random.Random) -> str:
    tags = []
    for tag, probability in (
        (CustomerTag.LOW_INCOME, 0.05),
        (CustomerTag.EMPTY_NEST, 0.08),
        (CustomerTag.LEFT_BEHIND_CHILDREN, 0.06),
        (CustomerTag.OLD_PARTY_MEMBER, 0.02),
        (CustomerTag.HARDSHIP, 0.03),
    ):
        if rng.random() < probability:
            tags.append(tag.value)
    return Customer.encode_tags(tags)


def demo_exists() -> bool:
    return Bureau.objects.filter(code="YP").exists()


def demo_reset() -> None:
    """Empty the whole database (every app's rows) before rebuilding: ``demo --reset``."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def demo_build(
    *, households: int = 40_000, seed: int = 20261127, progress: Callable[[str, int], None] | None = None
) -> dict:
    """Build the demo county in one transaction. Returns counts and the demo logins."""
    from powerexpress.registry.services import bureau_setup

    rng = random.Random(seed)
    report = progress or (lambda stage, done: None)
    with transaction.atomic():
        bureau = bureau_setup(code="YP", name="玉屏供电局", hotline="95598").bureau
        stations, village_plan = _build_places(bureau, rng, households)
        report("villages", 0)
        transformers_by_village = _build_transformers(village_plan, rng)
        report("transformers", 0)
        customer_count = _build_customers(stations, village_plan, transformers_by_village, rng, report)
        staff_count = _build_teams(stations, rng)
        logins = _build_users(stations)
    return {
        "households": customer_count,
        "villages": len(village_plan),
        "transformers": sum(len(t) for t in transformers_by_village.values()),
        "staff": staff_count,
        "logins": logins,
    }


def _build_places(bureau, rng, households):
    stations, village_plan = {}, []
    for number, plan in enumerate(STATIONS, start=1):
        station = SupplyStation.objects.create(
            bureau=bureau,
            code=plan.code,
            name=plan.name,
            address=f"玉屏侗族自治县{plan.townships[0][0]}",
            head_name=_name(rng),
            head_phone=_mobile(rng),
        )
        stations[plan.code] = (station, plan, number)
        station_households = round(households * plan.share)
        village_count = max(
            len([v for _t, vs in plan.townships for v in vs]), round(station_households / 400)
        )
        names = [v for _t, vs in plan.townships for v in vs]
        while len(names) < village_count:
            candidate = rng.choice(VILLAGE_PARTS_B) + rng.choice(VILLAGE_PARTS_A) + "村"
            if candidate not in names:
                names.append(candidate)
        townships = [
            Township.objects.create(station=station, code=f"{plan.code}-T{i + 1}", name=t_name)
            for i, (t_name, _v) in enumerate(plan.townships)
        ]
        weights = [rng.uniform(0.5, 1.5) for _ in names]
        total_weight = sum(weights)
        for index, v_name in enumerate(names):
            township = next(
                (townships[i] for i, (_t, vs) in enumerate(plan.townships) if v_name in vs),
                townships[index % len(townships)],
            )
            area_class = plan.area_class
            if plan.area_class == AreaClass.RURAL and rng.random() < 0.15:
                area_class = AreaClass.REMOTE
            village = Village(
                station=station,
                township=township,
                code=f"{plan.code}{index + 1:03d}",
                name=v_name,
                area_class=area_class,
                latitude=Decimal(str(round(plan.lat + rng.uniform(-0.06, 0.06), 6))),
                longitude=Decimal(str(round(plan.lon + rng.uniform(-0.06, 0.06), 6))),
                responsible_name=_name(rng),
                responsible_phone=_mobile(rng),
            )
            village_plan.append(
                [village, max(1, round(station_households * weights[index] / total_weight)), plan]
            )
    difference = households - sum(n for _v, n, _p in village_plan)
    largest = max(village_plan, key=lambda item: item[1])
    largest[1] = max(1, largest[1] + difference)
    Village.objects.bulk_create([v for v, _n, _p in village_plan])
    return stations, village_plan


def _build_transformers(village_plan, rng):
    transformers_by_village = {}
    rows = []
    for village, count, _plan in village_plan:
        districts = max(1, round(count / rng.uniform(60, 140)))
        split = [count // districts + (1 if i < count % districts else 0) for i in range(districts)]
        for index, district_households in enumerate(split):
            undersized = len(rows) % 15 == 7  # about one district in fifteen is deliberately undersized
            transformer = TransformerDistrict(
                station=village.station,
                village=village,
                code=f"{village.code}-{index + 1:02d}",
                name=f"{village.name}{index + 1}号台区",
                rated_kva=_size_for(district_households, rng, undersized),
                connection_group=ConnectionGroup.YYN0 if rng.random() < 0.4 else ConnectionGroup.DYN11,
                location=f"{village.name}{rng.choice('东南西北中')}头",
                latitude=village.latitude,
                longitude=village.longitude,
                commissioned_on=datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 19)),
            )
            rows.append((transformer, district_households))
            transformers_by_village.setdefault(village.pk, []).append((transformer, district_households))
    TransformerDistrict.objects.bulk_create([t for t, _n in rows], batch_size=500)
    return transformers_by_village


def _build_customers(stations, village_plan, transformers_by_village, rng, report):
    used_ids: set = set()
    sequence = {code: 0 for code in stations}
    batch, meters, total = [], [], 0
    for village, _count, plan in village_plan:
        station_number = stations[plan.code][2]
        for transformer, district_households in transformers_by_village[village.pk]:
            skew = rng.choice(((0.34, 0.33), (0.5, 0.3), (0.6, 0.25), (0.4, 0.35)))
            for _ in range(district_households):
                sequence[plan.code] += 1
                roll = rng.random()
                phase = Phase.A if roll < skew[0] else Phase.B if roll < skew[0] + skew[1] else Phase.C
                if rng.random() < 0.02:
                    phase = Phase.ABC
                paying = (
                    PaymentMethod.AUTO_DEBIT
                    if rng.random() < plan.auto_debit_rate
                    else rng.choice((PaymentMethod.COUNTER, PaymentMethod.MOBILE, PaymentMethod.AGENT_POINT))
                )
                account_no = f"06{station_number:02d}{sequence[plan.code]:07d}"
                batch.append(
                    Customer(
                        account_no=account_no,
                        name=_name(rng),
                        id_number=_id_number(rng, used_ids),
                        phone=_mobile(rng) if rng.random() < 0.92 else "",
                        address=f"{village.name}{rng.randrange(1, 12)}组{rng.randrange(1, 80)}号",
                        village=village,
                        transformer=transformer,
                        phase=phase,
                        tags=_tags(rng),
                        payment_method=paying,
                        household_size=rng.choice((1, 2, 3, 3, 4, 4, 5, 6)),
                        shared_meter=rng.random() < 0.01,
                    )
                )
                total += 1
                if len(batch) >= 5000:
                    _flush_customers(batch, meters)
                    report("households", total)
    _flush_customers(batch, meters)
    report("households", total)
    return total


def _flush_customers(batch: list, meters: list) -> None:
    if not batch:
        return
    Customer.objects.bulk_create(batch, batch_size=2500)
    Meter.objects.bulk_create(
        [
            Meter(customer=c, meter_no=f"M{c.account_no}", installed_on=datetime.date(2018, 6, 1))
            for c in batch
        ],
        batch_size=2500,
    )
    batch.clear()


def _build_teams(stations, rng):
    count = 0
    for code, (station, plan, _number) in stations.items():
        people = []
        for index in range(12):
            people.append(
                Staff(
                    station=station,
                    employee_no=f"{code}-{index + 1:03d}",
                    name=_name(rng),
                    phone=_mobile(rng),
                    position=("所长" if index == 0 else "台区经理" if index < 6 else "抢修员"),
                )
            )
        Staff.objects.bulk_create(people)
        count += len(people)
        units = {
            TeamKind.SERVICE: station.name,
            TeamKind.PUBLICITY: f"{station.name}党支部、工会",
            TeamKind.VANGUARD: f"{station.name}党支部",
        }
        for offset, kind in enumerate(TeamKind):
            team = Team.objects.create(
                station=station,
                code=f"{code}-{kind.value}",
                kind=kind,
                name=f"{plan.name.replace('供电所', '')}{TEAM_NAMES[kind]}",
                responsible_unit=units[kind],
                responsible_person=people[offset * 2],
            )
            team.members.set(people[offset * 4 : offset * 4 + 5])
    return count


def _build_users(stations):
    logins = []
    xindian = stations["XD"][0]
    zhujiachang = stations["ZJC"][0]
    for username, role, station, full_name in (
        ("manager", Role.MANAGER, None, "局长 杨国华"),
        ("xindian_clerk", Role.STATION_STAFF, xindian, "新店所 营业员"),
        ("zhujiachang_clerk", Role.STATION_STAFF, zhujiachang, "朱家场所 营业员"),
        ("xindian_crew", Role.CREW, xindian, "新店所 抢修员"),
        ("xindian_team", Role.TEAM_MEMBER, xindian, "新店所 宣传队员"),
        ("auditor", Role.AUDITOR, None, "审计 王芳"),
    ):
        user = User(username=username, role=role, station=station, first_name=full_name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        logins.append((username, role, station.code if station else "", DEMO_PASSWORD))
    return logins
