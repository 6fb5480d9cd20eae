"""The first-run page: says what a new installation lacks, creates the bureau through the same
service as `powerexpress setup`, and is where a superuser lands while there is no bureau."""

import pytest
from django.test import Client

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.registry.models import Bureau, SupplyStation
from powerexpress.repair.models import RepairSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_en():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser(username="root", password="pw-12345678"))
    return client


def step_states(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<tr id="step-(\w+)">.*?<span class="badge \w+">(\w+)</span>', page, re.S))


def test_a_superuser_with_no_bureau_is_sent_from_home_to_the_first_run_page(admin_client_en):
    answer = admin_client_en.get("/")
    assert answer.status_code == 302 and answer["Location"] == "/registry/setup/"


def test_the_page_lists_everything_missing_on_an_empty_database(admin_client_en):
    page = admin_client_en.get("/registry/setup/").content.decode()
    assert step_states(page) == {
        "bureau": "missing",
        "manager": "missing",
        "stations": "missing",
        "villages": "missing",
        "transformers": "missing",
        "customers": "missing",
    }
    assert "/registry/villages/import/" in page and "/registry/stations/new/" in page


def test_the_form_creates_the_bureau_and_manager_and_the_page_then_shows_them_done(admin_client_en):
    answer = admin_client_en.post(
        "/registry/setup/",
        {"code": "YP", "name": "玉屏供电局", "hotline": "95598", "manager": "li", "password": "pw-12345678"},
    )
    assert answer.status_code == 302
    bureau = Bureau.objects.get()
    assert (bureau.code, bureau.name) == ("YP", "玉屏供电局")
    assert User.objects.get(username="li").role == Role.MANAGER
    assert RepairSettings.objects.filter(bureau=bureau).exists()
    states = step_states(admin_client_en.get("/registry/setup/").content.decode())
    assert (states["bureau"], states["manager"], states["stations"]) == ("done", "done", "missing")
    assert admin_client_en.get("/").status_code == 200


def test_after_the_form_a_station_can_be_added_on_its_page(admin_client_en):
    admin_client_en.post("/registry/setup/", {"code": "YP", "name": "玉屏供电局", "hotline": "95598"})
    answer = admin_client_en.post("/registry/stations/new/", {"code": "XD", "name": "新店供电所"})
    assert answer.status_code == 302 and SupplyStation.objects.get().bureau.code == "YP"


def test_bad_values_come_back_as_form_errors_in_chinese():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.create_superuser(username="root", password="pw-12345678"))
    answer = client.post("/registry/setup/", {"code": "YP", "name": "玉屏供电局", "hotline": "打电话"})
    assert answer.status_code == 200 and not Bureau.objects.exists()
    assert "服务热线请输入数字，例如 95598。" in answer.content.decode()


def test_only_superusers_and_managers_may_open_it(world):
    assert world.web("clerk_a").get("/registry/setup/").status_code == 403
    assert world.web("manager").get("/registry/setup/").status_code == 200
