"""The phase-balancing API contract: POST /api/v1/grid/phase-balance."""

import pytest

URL = "/api/v1/grid/phase-balance"
BODY = {
    "profiles": {"h1": [3.0, 1.0], "h2": [2.0, 2.0], "h3": [1.0, 3.0], "h4": [0.5, 0.5]},
    "phases": {"h1": "A", "h2": "A", "h3": "A", "h4": "B"},
    "max_moves": 2,
}


@pytest.mark.django_db
def test_it_answers_with_the_contract_fields(world):
    response = world.api("clerk_a").post(URL, BODY)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {
        "moves",
        "peak_phase_kw_before",
        "peak_phase_kw_after",
        "unbalance_before",
        "unbalance_after",
        "optimal",
        "solver",
        "stopped_early",
    }
    assert data["stopped_early"] is False
    assert data["peak_phase_kw_before"] == 6.0
    assert data["peak_phase_kw_after"] == 3.0
    assert data["optimal"] is True and data["solver"] == "milp-highs"
    assert len(data["moves"]) == 2
    for move in data["moves"]:
        assert set(move) == {"household", "from", "to"} and move["from"] == "A" and move["to"] in "BC"


@pytest.mark.django_db
def test_unbalance_is_measured_at_the_step_of_the_peak_phase_load(world):
    data = world.api("manager").post(URL, BODY).json()
    assert data["unbalance_before"] == pytest.approx((6.0 - 0.0) / 6.0)
    assert 0 <= data["unbalance_after"] < data["unbalance_before"]


@pytest.mark.django_db
def test_fixed_households_stay_on_their_phase(world):
    body = {**BODY, "fixed": ["h1", "h2", "h3"]}
    data = world.api("clerk_a").post(URL, body).json()
    assert data["moves"] == [] and data["peak_phase_kw_after"] == data["peak_phase_kw_before"]


@pytest.mark.django_db
def test_it_uses_as_few_moves_as_the_least_peak_needs(world):
    body = {
        "profiles": {"a": [5.0], "b": [5.0], "c": [1.0], "d": [1.0]},
        "phases": {"a": "A", "b": "A", "c": "A", "d": "A"},
        "max_moves": 3,
    }
    data = world.api("clerk_a").post(URL, body).json()
    assert data["peak_phase_kw_after"] == 5.0 and len(data["moves"]) == 2


@pytest.mark.django_db
def test_a_big_case_is_answered_by_the_heuristic(world):
    profiles = {f"h{i:03d}": [float((i * 7 + t) % 5) for t in range(24)] for i in range(80)}
    phases = {name: "A" if i % 2 else "B" for i, name in enumerate(profiles)}
    data = world.api("clerk_a").post(URL, {"profiles": profiles, "phases": phases, "max_moves": 10}).json()
    assert data["optimal"] is False and data["solver"] == "local-search"
    assert data["peak_phase_kw_after"] < data["peak_phase_kw_before"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "profiles": {**BODY["profiles"], "h1": [1.0]}}, "profiles"),
        ({**BODY, "phases": {"h1": "A"}}, "phases"),
        ({**BODY, "phases": {**BODY["phases"], "h1": "D"}}, "phases.h1"),
        ({**BODY, "max_moves": -1}, "max_moves"),
        ({**BODY, "fixed": ["nobody"]}, "fixed"),
        ({key: value for key, value in BODY.items() if key != "max_moves"}, "max_moves"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(world, body, field):
    response = world.api("clerk_a").post(URL, body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
def test_anonymous_callers_are_refused(world):
    assert world.api(None).post(URL, BODY).status_code == 401


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused(world):
    assert world.api("outsider").post(URL, BODY).status_code == 403


@pytest.mark.django_db
def test_error_messages_follow_the_language(world):
    response = world.api("clerk_a", language="zh-hans").post(URL, {**BODY, "fixed": ["nobody"]})
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_request_above_the_size_limit_is_refused_with_413(world, settings):
    settings.GRID_BALANCE_MAX_VALUES = 7
    response = world.api("clerk_a").post(URL, BODY)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    settings.GRID_BALANCE_MAX_VALUES = 8
    assert world.api("clerk_a").post(URL, BODY).status_code == 200


@pytest.mark.django_db
def test_too_many_households_are_refused_with_413(world, settings):
    settings.GRID_BALANCE_MAX_HOUSEHOLDS = 3
    assert world.api("clerk_a").post(URL, BODY).status_code == 413


@pytest.mark.django_db
def test_one_user_is_rate_limited_and_another_is_not(world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATELIMIT_ENABLE = True
    settings.GRID_BALANCE_RATE_LIMIT = "2/m"
    answers = [world.api("clerk_a").post(URL, BODY).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert world.api("manager").post(URL, BODY).status_code == 200
    cache.clear()


@pytest.mark.django_db
def test_a_solve_past_the_safety_seconds_says_it_stopped_early(world, settings):
    settings.GRID_BALANCE_SAFETY_SECONDS = 0
    data = world.api("clerk_a").post(URL, BODY).json()
    assert data["stopped_early"] is True
    assert data["peak_phase_kw_after"] <= data["peak_phase_kw_before"]
