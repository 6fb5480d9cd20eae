"""POST /api/v1/billing/quote: the contract outside checks rely on."""

import pytest

from powerexpress.billing.selectors import notice_board_tariff

URL = "/api/v1/billing/quote"
GUIZHOU = "guizhou-residential-annual"


def body(**kw):
    return {
        "tariff": GUIZHOU,
        "year_to_date_kwh": "0",
        "kwh": "100",
        "tags": [],
        "date": "2026-10-31",
        "shared_meter": False,
        **kw,
    }


@pytest.mark.django_db
def test_a_quote_on_a_stored_schedule_answers_the_contract_shape(world):
    response = world.api("crew_a").post(URL, body(year_to_date_kwh="2000", kwh="100"))
    assert response.status_code == 200
    assert response.json() == {
        "amount_yuan": "48.56",
        "lines": [
            {"tier": 1, "kwh": "40.000", "price_yuan_per_kwh": "0.4556", "amount_yuan": "18.22"},
            {"tier": 2, "kwh": "60.000", "price_yuan_per_kwh": "0.5056", "amount_yuan": "30.34"},
        ],
        "free_kwh": "0.000",
        "tier_after": 2,
        "kwh_left_in_tier": "1020.000",
        "cycle_start": "2026-01-01",
    }


@pytest.mark.django_db
def test_the_2040th_kwh_is_tier_1_and_the_2041st_tier_2(world):
    api = world.api("clerk_a")
    first = api.post(URL, body(year_to_date_kwh="2039", kwh="1")).json()
    second = api.post(URL, body(year_to_date_kwh="2040", kwh="1")).json()
    assert (first["lines"][0]["tier"], first["tier_after"], first["kwh_left_in_tier"]) == (1, 1, "0.000")
    assert (second["lines"][0]["tier"], second["tier_after"]) == (2, 2)


@pytest.mark.django_db
def test_a_low_income_household_gets_a_free_tier_0_line(world):
    data = world.api("clerk_a").post(URL, body(kwh="55.5", tags=["low_income"])).json()
    assert data["lines"][0] == {"tier": 0, "kwh": "10.000", "price_yuan_per_kwh": "0", "amount_yuan": "0.00"}
    assert data["lines"][1]["kwh"] == "45.500" and data["free_kwh"] == "10.000"
    assert data["amount_yuan"] == "20.73"


@pytest.mark.django_db
def test_a_shared_meter_is_billed_at_the_flat_price(world):
    data = (
        world.api("clerk_a")
        .post(URL, body(tariff="zhejiang-residential-annual", kwh="100", shared_meter=True))
        .json()
    )
    assert data["lines"] == [
        {"tier": 1, "kwh": "100.000", "price_yuan_per_kwh": "0.558", "amount_yuan": "55.80"}
    ]


@pytest.mark.django_db
def test_guangdong_uses_summer_bounds_in_july(world):
    api = world.api("clerk_a")
    summer = api.post(URL, body(tariff="guangdong-residential-monthly", kwh="300", date="2026-07-10")).json()
    winter = api.post(URL, body(tariff="guangdong-residential-monthly", kwh="300", date="2026-01-10")).json()
    assert [line["kwh"] for line in summer["lines"]] == ["260.000", "40.000"]
    assert [line["kwh"] for line in winter["lines"]] == ["200.000", "100.000"]
    assert summer["cycle_start"] == "2026-07-01"


@pytest.mark.django_db
def test_an_inline_schedule_is_quoted(world):
    inline = {
        "cycle": "monthly",
        "tiers": [
            {"up_to_kwh": "50", "price_yuan_per_kwh": "0.5"},
            {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
        ],
    }
    data = world.api("clerk_a").post(URL, body(tariff=inline, kwh="60.125")).json()
    assert data["amount_yuan"] == "35.13" and data["tier_after"] == 2 and data["kwh_left_in_tier"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kwh": "-1"}, "kwh"),
        ({"kwh": "1.2345"}, "kwh"),
        ({"kwh": "abc"}, "kwh"),
        ({"date": "2026-13-01"}, "date"),
        ({"tariff": "no-such-schedule"}, "tariff"),
        (
            {
                "tariff": {
                    "cycle": "annual",
                    "tiers": [
                        {"up_to_kwh": "10", "price_yuan_per_kwh": "x"},
                        {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
                    ],
                }
            },
            "tariff.tiers.0.price_yuan_per_kwh",
        ),
        ({"tariff": "guangdong-residential-monthly", "shared_meter": True}, "shared_meter"),
    ],
)
def test_bad_input_answers_422_naming_the_field(world, change, field):
    response = world.api("clerk_a").post(URL, body(**change))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
def test_the_quote_needs_a_signed_in_user(world):
    assert world.api(None).post(URL, body()).status_code == 401


@pytest.mark.django_db
def test_errors_follow_the_requests_language(world):
    response = world.api("clerk_a", language="zh-hans").post(URL, body(kwh="-1"))
    assert response.json()["errors"][0]["message"] == "不能为负数。"


@pytest.mark.django_db
def test_the_openapi_schema_documents_the_inline_schedule_with_an_example(world):
    schema = world.api("clerk_a").get("/api/v1/openapi.json").json()
    text = str(schema["components"]["schemas"]["QuoteIn"])
    assert "cycle_start_month" in text and "guizhou-residential-annual" in text


@pytest.mark.django_db
def test_the_notice_board_gets_the_guizhou_table_marked_to_verify():
    board = notice_board_tariff()
    assert board["to_verify"] is True and board["cycle"] == "annual"
    assert [
        (t["tier"], str(t["from_kwh"]), t["up_to_kwh"] and str(t["up_to_kwh"])) for t in board["tiers"]
    ] == [(1, "0", "2040"), (2, "2040", "3120"), (3, "3120", None)]
    assert str(board["free_kwh_per_month"]["low_income"]) == "10"


def _inline(bound, price="0.5"):
    return {
        "cycle": "annual",
        "tiers": [
            {"up_to_kwh": bound, "price_yuan_per_kwh": price},
            {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tariff": _inline("1e20")}, "tariff.tiers.0.up_to_kwh"),
        ({"tariff": _inline("1234567890123456789012345678901.1234")}, "tariff.tiers.0.up_to_kwh"),
        (
            {"tariff": _inline("10", "1234567890123456789012345678901.1234")},
            "tariff.tiers.0.price_yuan_per_kwh",
        ),
        ({"year_to_date_kwh": "1234567890123456789012345678901.1234"}, "year_to_date_kwh"),
        ({"kwh": "1234567890123456789012345678901.1234"}, "kwh"),
        ({"household_size": -1}, "household_size"),
    ],
)
def test_tariff_validation_never_crashes_a_huge_number_is_a_422_naming_the_field(world, change, field):
    response = world.api("clerk_a").post(URL, body(**change))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
def test_a_bound_exactly_at_the_limit_validates_and_is_billed(world):
    from powerexpress.analytics.tariff import MAX_BOUND_KWH

    response = world.api("clerk_a").post(
        URL, body(tariff=_inline(str(MAX_BOUND_KWH)), year_to_date_kwh=str(MAX_BOUND_KWH - 5), kwh="10")
    )
    assert response.status_code == 200
    assert [(line["kwh"], line["amount_yuan"]) for line in response.json()["lines"]] == [
        ("5.000", "2.50"),
        ("5.000", "5.00"),
    ]


@pytest.mark.django_db
def test_analytics_errors_are_translated_from_their_code_with_their_figures(world):
    response = world.api("clerk_a", language="zh-hans").post(URL, body(tariff=_inline("10.12345")))
    assert response.json()["errors"][0] == {
        "field": "tariff.tiers.0.up_to_kwh",
        "message": "最多保留 3 位小数。",
    }


@pytest.mark.django_db
def test_the_quote_takes_an_optional_household_size_for_large_household_bounds(world):
    api = world.api("clerk_a")
    small = api.post(URL, body(tariff="guangdong-residential-monthly", kwh="300", date="2026-01-10")).json()
    large = api.post(
        URL, body(tariff="guangdong-residential-monthly", kwh="300", date="2026-01-10", household_size=5)
    ).json()
    assert [line["kwh"] for line in small["lines"]] == ["200.000", "100.000"]
    assert [line["kwh"] for line in large["lines"]] == ["300.000"]  # 200 + 100 extra kWh in tier 1
    assert set(large) == set(small)


@pytest.mark.django_db
def test_every_shipped_schedule_with_unconfirmed_figures_is_marked_to_verify(world):
    from powerexpress.billing.models import TariffSchedule

    marks = dict(TariffSchedule.objects.filter(version=1).values_list("code", "to_verify"))
    assert marks == {
        "guizhou-residential-annual": True,
        "zhejiang-residential-annual": False,
        "guangdong-residential-monthly": True,
    }
