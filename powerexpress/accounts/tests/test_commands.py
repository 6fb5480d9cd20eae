import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from powerexpress.accounts.models import ApiToken, User


def test_create_user_and_token_give_a_working_bearer_token(world, client):
    call_command(
        "create-user", "new_clerk", "--role", "station_staff", "--station", "XD", stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command("create-token", "new_clerk", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("pe_") and "\n" not in token
    assert not ApiToken.objects.filter(key_hash=token).exists()
    response = client.get("/api/v1/stations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [s["code"] for s in response.json()["items"]] == ["XD"]


def test_station_roles_need_a_known_station(world):
    with pytest.raises(CommandError, match="station"):
        call_command("create-user", "lost", "--role", "crew", stdout=io.StringIO())
    with pytest.raises(CommandError, match="unknown station"):
        call_command("create-user", "lost", "--role", "crew", "--station", "NOPE", stdout=io.StringIO())
    assert not User.objects.filter(username="lost").exists()


def test_a_wrong_token_is_refused(world, client):
    assert client.get("/api/v1/stations", HTTP_AUTHORIZATION="Bearer pe_wrong").status_code == 401


def test_an_inactive_users_token_is_refused(world):
    world.users["clerk_a"].is_active = False
    world.users["clerk_a"].save()
    assert world.api("clerk_a").get("/api/v1/stations").status_code == 401
