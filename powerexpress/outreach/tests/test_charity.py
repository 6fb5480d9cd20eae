"""The charity drive: campaigns with an end date, donations, beneficiaries, distributions, totals."""

import datetime

import pytest

from powerexpress.core.errors import ApiError
from powerexpress.outreach import selectors, services
from powerexpress.outreach.choices import BeneficiaryKind

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def drive(world):
    return services.charity_campaign_create(
        user=world.users["clerk_a"],
        station=world.station_a,
        title="爱心包裹2026",
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 12, 31),
        target_fen=1_000_000,
    )


@pytest.fixture
def child(world):
    return services.beneficiary_create(
        user=world.users["clerk_a"],
        village=world.village_a,
        name="杨小花",
        kind=BeneficiaryKind.LEFT_BEHIND_CHILD,
        school="老寨小学",
    )


def test_donations_and_distributions_add_up(world, drive, child):
    services.donation_record(
        user=world.users["clerk_a"],
        campaign=drive,
        donor="新店供电所职工",
        donated_on=D(2026, 9, 5),
        amount_fen=250_050,
    )
    services.donation_record(
        user=world.users["clerk_a"],
        campaign=drive,
        donor="县信用联社",
        donated_on=D(2026, 9, 6),
        items="书包 30 个",
    )
    services.distribution_record(
        user=world.users["clerk_a"],
        campaign=drive,
        beneficiary=child,
        given_on=D(2026, 10, 1),
        amount_fen=50_000,
        items="书包 1 个",
    )
    totals = selectors.charity_totals(drive)
    assert (totals["donated_fen"], totals["distributed_fen"], totals["balance_fen"]) == (
        250_050,
        50_000,
        200_050,
    )
    assert (totals["donations"], totals["beneficiaries"]) == (2, 1)


def test_more_money_than_donated_cannot_be_handed_out(world, drive, child):
    with pytest.raises(ApiError) as error:
        services.distribution_record(
            user=world.users["clerk_a"],
            campaign=drive,
            beneficiary=child,
            given_on=D(2026, 10, 1),
            amount_fen=1,
        )
    assert error.value.errors[0]["field"] == "amount"


def test_a_donation_outside_the_campaign_dates_is_refused(world, drive):
    with pytest.raises(ApiError) as error:
        services.donation_record(
            user=world.users["clerk_a"], campaign=drive, donor="x", donated_on=D(2027, 1, 2), amount_fen=100
        )
    assert error.value.errors[0]["field"] == "donated_on"


def test_a_donation_of_nothing_is_refused(world, drive):
    with pytest.raises(ApiError):
        services.donation_record(
            user=world.users["clerk_a"], campaign=drive, donor="x", donated_on=D(2026, 10, 1)
        )


def test_the_campaign_page_records_a_donation_in_yuan(world, drive):
    client = world.web("clerk_a")
    response = client.post(
        f"/outreach/charity/{drive.pk}/",
        {"form": "donation", "d-donor": "王老板", "d-donated_on": "2026-10-02", "d-amount": "1200.50"},
    )
    assert response.status_code == 302
    assert drive.donations.get().amount_fen == 120_050
    assert "1200.50" in client.get("/outreach/charity/").content.decode()


def test_a_bad_amount_is_shown_on_the_form(world, drive):
    response = world.web("clerk_a").post(
        f"/outreach/charity/{drive.pk}/",
        {"form": "donation", "d-donor": "x", "d-donated_on": "2026-10-02", "d-amount": "1.234"},
    )
    assert response.status_code == 200
    assert response.context["forms"]["donation"].errors["amount"]


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_stations_campaign_answers_404(world, drive, who):
    assert world.web(who).get(f"/outreach/charity/{drive.pk}/").status_code == 404
