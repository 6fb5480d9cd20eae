from collections import Counter

import pytest

from powerexpress.accounts.models import User
from powerexpress.core.validators import id_number_error, mobile_error
from powerexpress.registry.demo import demo_build, demo_reset
from powerexpress.registry.models import Customer, SupplyStation, TransformerDistrict, Village


def snapshot():
    return list(
        Customer.objects.order_by("account_no").values_list(
            "account_no", "name", "id_number", "phase", "village__code", "tags"
        )[:300]
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_county_is_deterministic_and_plausible():
    result = demo_build(households=2000, seed=7)
    assert result["households"] == Customer.objects.count() == 2000
    first = snapshot()
    assert set(SupplyStation.objects.values_list("name", flat=True)) >= {
        "新店供电所",
        "朱家场供电所",
        "大龙供电所",
    }
    assert set(Village.objects.values_list("name", flat=True)) >= {"老寨村", "洪家湾村", "前家垅村"}
    assert Village.objects.get(name="老寨村").township.name == "新店镇"
    sizes = set(TransformerDistrict.objects.values_list("rated_kva", flat=True))
    assert sizes <= {30, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400}
    sample = Customer.objects.all()[:200]
    assert all(id_number_error(c.id_number) is None for c in sample)
    assert all(mobile_error(c.phone) is None for c in sample if c.phone)
    assert Counter(c.phase for c in Customer.objects.all()).keys() >= {"A", "B", "C"}
    assert set(User.objects.values_list("role", flat=True)) == {
        "manager",
        "station_staff",
        "crew",
        "team_member",
        "auditor",
    }
    demo_reset()
    demo_build(households=2000, seed=7)
    assert snapshot() == first


def test_some_districts_are_deliberately_undersized(db):
    demo_build(households=3000, seed=11)
    undersized = [t for t in TransformerDistrict.objects.all() if t.rated_kva < 1.5 * t.customers.count()]
    assert undersized
