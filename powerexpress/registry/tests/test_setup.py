"""First run: `powerexpress setup` creates the bureau and its first manager, once, and then the
registry can be filled through the API with nothing else."""

import io

import pytest
from django.core.management import CommandError, call_command

from conftest import ApiClient, make_id_number
from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.accounts.services import token_create
from powerexpress.applications.choices import DEFAULT_TIME_LIMITS
from powerexpress.applications.models import ApplicationPolicy, TimeLimit
from powerexpress.grid.models import GridSettings
from powerexpress.registry.models import Bureau, Customer
from powerexpress.registry.services import bureau_setup
from powerexpress.repair.models import RepairSettings

pytestmark = pytest.mark.django_db

SETUP = [
    "setup",
    "--bureau-code",
    "YP",
    "--bureau-name",
    "玉屏供电局",
    "--manager",
    "li",
    "--password",
    "pw-12345678",
]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_setup_on_an_empty_database_lets_the_manager_fill_the_registry_through_the_api():
    run(*SETUP)
    api = ApiClient(token_create(user=User.objects.get(username="li")))
    answers = [
        api.post("/api/v1/stations", {"code": "XD", "name": "新店供电所"}),
        api.post(
            "/api/v1/villages", {"code": "XD001", "name": "老寨村", "station": "XD", "area_class": "rural"}
        ),
        api.post(
            "/api/v1/transformers",
            {
                "code": "XD001-01",
                "name": "老寨村1号台区",
                "station": "XD",
                "village": "XD001",
                "rated_kva": 100,
                "connection_group": "Dyn11",
            },
        ),
        api.post(
            "/api/v1/customers",
            {
                "account_no": "0602000001",
                "name": "杨永国",
                "id_number": make_id_number(),
                "phone": "13812345678",
                "village": "XD001",
                "transformer": "XD001-01",
                "phase": "A",
            },
        ),
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 201], [a.json() for a in answers]
    assert Customer.objects.get().transformer.village.station.bureau.code == "YP"


def test_setup_signs_the_manager_in_with_the_given_password_and_the_manager_role():
    run(*SETUP)
    manager = User.objects.get(username="li")
    assert manager.role == Role.MANAGER and manager.check_password("pw-12345678")


def test_running_setup_twice_changes_nothing_the_second_time():
    run(*SETUP)
    before = (Bureau.objects.values().get(), User.objects.values("password", "role").get())
    assert "nothing to change" in run(*SETUP)
    assert (Bureau.objects.values().get(), User.objects.values("password", "role").get()) == before
    assert Bureau.objects.count() == 1 and User.objects.count() == 1


def test_setup_again_with_other_values_updates_the_one_bureau():
    run(*SETUP)
    output = run("setup", "--bureau-code", "YP2", "--bureau-name", "新局", "--hotline", "0856-95598")
    assert "bureau updated" in output
    assert list(Bureau.objects.values_list("code", "name", "hotline")) == [("YP2", "新局", "0856-95598")]


def test_setup_creates_the_settings_rows_other_apps_keep_per_bureau():
    run(*SETUP)
    bureau = Bureau.objects.get()
    assert RepairSettings.objects.filter(bureau=bureau).exists()
    assert GridSettings.objects.filter(bureau=bureau).exists()
    assert ApplicationPolicy.objects.count() == 1
    assert set(TimeLimit.objects.values_list("kind", flat=True)) == set(DEFAULT_TIME_LIMITS)


def test_setup_refuses_bad_values_naming_the_field_and_writes_nothing():
    with pytest.raises(CommandError, match="hotline"):
        run("setup", "--bureau-code", "YP", "--bureau-name", "玉屏供电局", "--hotline", "call us")
    with pytest.raises(CommandError, match="password"):
        run(
            "setup",
            "--bureau-code",
            "YP",
            "--bureau-name",
            "玉屏供电局",
            "--manager",
            "li",
            "--password",
            "x",
        )
    assert not Bureau.objects.exists() and not User.objects.exists()


def test_setup_will_not_turn_another_role_into_the_manager():
    User.objects.create_user(username="clerk", password="pw-12345678", role=Role.AUDITOR)
    with pytest.raises(CommandError, match="not a manager"):
        run("setup", "--bureau-code", "YP", "--bureau-name", "玉屏供电局", "--manager", "clerk")
    assert User.objects.get(username="clerk").role == Role.AUDITOR


def test_a_manager_without_password_is_created_for_api_tokens_only():
    outcome = bureau_setup(code="YP", name="玉屏供电局", manager_username="api-only")
    assert outcome.manager.role == Role.MANAGER and not outcome.manager.has_usable_password()


def test_without_a_bureau_creating_a_station_points_to_the_setup_command(db):
    manager = User.objects.create_user(username="m", password="pw-12345678", role=Role.MANAGER)
    answer = ApiClient(token_create(user=manager)).post("/api/v1/stations", {"code": "XD", "name": "新店"})
    assert answer.status_code == 422
    message = answer.json()["errors"][0]["message"]
    assert message.startswith("Create the bureau first.") and "powerexpress setup" in message


def test_after_setup_villages_import_from_a_chinese_template_with_nothing_else():
    from django.utils import translation

    from powerexpress.core.tables import write_csv
    from powerexpress.registry.models import Village
    from powerexpress.registry.services import registry_import
    from powerexpress.registry.tables import import_template_header

    run(*SETUP)
    manager = User.objects.get(username="li")
    ApiClient(token_create(user=manager)).post("/api/v1/stations", {"code": "XD", "name": "新店供电所"})
    with translation.override("zh-hans"):
        header = import_template_header("villages")
    assert header[:4] == ["编码", "名称", "供电所", "乡镇"]
    row = {"编码": "XD001", "名称": "老寨村", "供电所": "XD", "区域类别": "rural"}
    content = write_csv(header, [[row.get(column, "") for column in header]])
    outcome = registry_import(user=manager, kind="villages", file_name="v.csv", content=content)
    assert outcome.ok, outcome.errors
    assert Village.objects.get().station.code == "XD"
