"""The tariff schedules shipped with Power Express (DOMAIN.md §2), loaded by migration 0002 and
again by ``billing_demo`` after a database flush (``demo --reset`` empties every table)."""

import datetime

from django.utils.translation import gettext_noop


def _tiers(bounds, prices):
    return [{"up_to_kwh": b, "price_yuan_per_kwh": p} for b, p in zip([*bounds, None], prices, strict=True)]


SCHEDULES = [
    {
        "code": "guizhou-residential-annual",
        "name": "贵州居民生活用电 年度阶梯",
        "effective_from": datetime.date(2012, 7, 1),
        "to_verify": True,
        "residential_default": True,
        "source": gettext_noop(
            "DOMAIN.md §2: base 0.4556 yuan/kWh; thresholds 2040/3120 kWh a year and the free "
            "allowance are believed, not confirmed"
        ),
        "definition": {
            "cycle": "annual",
            "cycle_start_month": 1,
            "tiers": _tiers(["2040", "3120"], ["0.4556", "0.5056", "0.7556"]),
            "free_kwh_per_month": {"low_income": "10"},
            "shared_meter_price_yuan_per_kwh": "0.4556",
        },
    },
    {
        "code": "zhejiang-residential-annual",
        "name": "浙江居民生活用电 年度阶梯",
        "effective_from": datetime.date(2012, 7, 1),
        "to_verify": False,
        "residential_default": False,
        "source": gettext_noop(
            "DOMAIN.md §2 (confirmed): ≤2760 / 2761–4800 / >4800 kWh a year, shared meter 0.558"
        ),
        "definition": {
            "cycle": "annual",
            "cycle_start_month": 1,
            "tiers": _tiers(["2760", "4800"], ["0.538", "0.588", "0.838"]),
            "shared_meter_price_yuan_per_kwh": "0.558",
        },
    },
    {
        "code": "guangdong-residential-monthly",
        "name": "广东居民生活用电 月度季节阶梯",
        "effective_from": datetime.date(2012, 7, 1),
        "to_verify": True,  # the prices are illustrative
        "residential_default": False,
        "source": gettext_noop(
            "DOMAIN.md §2 (confirmed thresholds): summer May–Oct 260/600 kWh, else 200/400; "
            "large households +100 kWh; prices illustrative (base, +0.05, +0.30)"
        ),
        "definition": {
            "cycle": "monthly",
            "cycle_start_month": 1,
            "tiers": _tiers(["200", "400"], ["0.5953", "0.6453", "0.8953"]),
            "seasons": [
                {
                    "months": [5, 6, 7, 8, 9, 10],
                    "tiers": _tiers(["260", "600"], ["0.5953", "0.6453", "0.8953"]),
                }
            ],
            "large_household": {"min_size": 5, "extra_kwh": "100"},
        },
    },
]


def shipped_source(text: str) -> str:
    """A shipped schedule's source note in the active language (the stored note stays as it was
    shipped); any other note, as a manager wrote it."""
    from django.utils.translation import gettext

    return gettext(text) if text in {item["source"] for item in SCHEDULES} else text


def unverified_codes() -> list[str]:
    """Codes of the shipped schedules whose figures are not confirmed (marked *to verify*)."""
    return [item["code"] for item in SCHEDULES if item["to_verify"]]


def load_shipped(model) -> int:
    """Create the shipped schedules that are missing (version 1 of each code); returns how many."""
    created = 0
    for item in SCHEDULES:
        _obj, made = model.objects.get_or_create(
            code=item["code"], version=1, defaults={k: v for k, v in item.items() if k != "code"}
        )
        created += made
    return created
