import pytest
from django.test import Client, override_settings

from powerexpress.core.models import AuditEntry


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_fails_with_a_clear_message(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(5):
        assert sign_in(client, "manager", "wrong").status_code == 200
    response = sign_in(client, "manager", "pw-12345678")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "密码错误次数过多" in response.content.decode()
    entry = AuditEntry.objects.get(action="sign_in_locked")
    assert entry.user == world.users["manager"] and entry.ip_address == "10.0.0.1"


@pytest.mark.django_db
def test_the_account_stays_locked_from_another_address(world):
    for _ in range(5):
        sign_in(Client(), "manager", "wrong", address="10.0.0.1")
    response = sign_in(Client(), "manager", "pw-12345678", address="10.0.0.2")
    assert response.status_code == 200


@pytest.mark.django_db
def test_fewer_wrong_passwords_than_the_limit_do_not_lock(world):
    client = Client()
    for _ in range(4):
        sign_in(client, "manager", "wrong")
    assert sign_in(client, "manager", "pw-12345678").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_LOCKOUT_CLIENT_FAILURES=6)
def test_one_address_trying_many_accounts_is_locked_out_of_all_of_them(world):
    for number in range(6):
        sign_in(Client(), f"nobody{number}", "wrong")
    assert sign_in(Client(), "manager", "pw-12345678").status_code == 200
    assert sign_in(Client(), "manager", "pw-12345678", address="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_too(world):
    world.users["manager"].is_staff = True
    world.users["manager"].save()
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "manager", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "manager", "password": "pw-12345678"},
        REMOTE_ADDR="10.1.1.2",
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_sign_in_still_works_when_the_cache_is_down(world):
    assert sign_in(Client(), "manager", "pw-12345678").status_code == 302
