"""The one shared test world: a bureau with two stations, their places and households, and one
user per role plus an outsider who must see nothing. Every app's tests build on it."""

import contextlib
import datetime
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
import json
import shutil
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.accounts.services import token_create
from powerexpress.core.validators import id_check_character
from powerexpress.registry.choices import AreaClass, Phase
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
from powerexpress.registry.services import bureau_settings_rows_create


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATELIMIT_ENABLE = False


def pytest_collection_modifyitems(config, items):
    """``serialized_rollback=True`` breaks depending on test order: a transactional test without it
    empties every table at teardown and re-creates content types and permissions (new ids); a later
    test with it then re-inserts the snapshot taken at database creation and fails on
    ``UNIQUE constraint failed: django_content_type.app_label, django_content_type.model``.
    Transactional tests load what they need through fixtures instead (e.g. billing's ``schedules``)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            item.warn(
                pytest.PytestWarning(
                    "serialized_rollback=True fails after another transactional test (duplicate content "
                    "types); load the rows the test needs in a fixture instead"
                )
            )


def make_id_number(birth: str = "19800101", seq: str = "123", region: str = "522223") -> str:
    first17 = region + birth + seq
    return first17 + id_check_character(first17)


class ApiClient:
    """A test client that sends a user's bearer token (or none) and JSON bodies."""

    def __init__(self, token: str | None = None, language: str = "en"):
        self.client = Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(
            path, json.dumps(data), content_type="application/json", **self.headers, **extra
        )

    def patch(self, path, data=None, **extra):
        return self.client.patch(
            path, json.dumps(data), content_type="application/json", **self.headers, **extra
        )

    def put(self, path, data=None, **extra):
        return self.client.put(
            path, json.dumps(data), content_type="application/json", **self.headers, **extra
        )

    def delete(self, path, **extra):
        return self.client.delete(path, **self.headers, **extra)


@dataclass
class World:
    bureau: Bureau
    station_a: SupplyStation
    station_b: SupplyStation
    village_a: Village  # rural, station A
    village_a_urban: Village
    village_b: Village  # remote, station B
    transformer_a: TransformerDistrict
    transformer_b: TransformerDistrict
    customer_a: Customer
    customer_a2: Customer
    customer_b: Customer
    team_a: Team
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, who: str | None, language: str = "en") -> ApiClient:
        return ApiClient(self.tokens[who] if who else None, language=language)

    def web(self, who: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(self.users[who])
        return client


def build_world() -> World:
    bureau = Bureau.objects.create(code="YP", name="玉屏供电局")
    bureau_settings_rows_create(bureau=bureau)  # as registry.services.bureau_setup does
    station_a = SupplyStation.objects.create(
        bureau=bureau, code="XD", name="新店供电所", head_name="杨所长", head_phone="13800000001"
    )
    station_b = SupplyStation.objects.create(bureau=bureau, code="ZJC", name="朱家场供电所")
    township_a = Township.objects.create(station=station_a, code="XD-T1", name="新店镇")
    township_b = Township.objects.create(station=station_b, code="ZJC-T1", name="朱家场镇")
    village_a = Village.objects.create(
        station=station_a,
        township=township_a,
        code="XD001",
        name="老寨村",
        area_class=AreaClass.RURAL,
        responsible_name="吴台区",
        responsible_phone="13900000001",
        latitude=Decimal("27.312"),
        longitude=Decimal("108.986"),
    )
    village_a_urban = Village.objects.create(
        station=station_a, township=township_a, code="XD002", name="新店社区", area_class=AreaClass.URBAN
    )
    village_b = Village.objects.create(
        station=station_b, township=township_b, code="ZJC001", name="洪家湾村", area_class=AreaClass.REMOTE
    )
    transformer_a = TransformerDistrict.objects.create(
        station=station_a,
        village=village_a,
        code="XD001-01",
        name="老寨村1号台区",
        rated_kva=100,
        commissioned_on=datetime.date(2015, 5, 1),
    )
    transformer_b = TransformerDistrict.objects.create(
        station=station_b, village=village_b, code="ZJC001-01", name="洪家湾村1号台区", rated_kva=50
    )
    customer_a = Customer.objects.create(
        account_no="0602000001",
        name="杨永国",
        id_number=make_id_number(),
        phone="13812345678",
        village=village_a,
        transformer=transformer_a,
        phase=Phase.A,
        tags=Customer.encode_tags(["low_income", "empty_nest"]),
    )
    customer_a2 = Customer.objects.create(
        account_no="0602000002",
        name="吴秀英",
        id_number=make_id_number("19900307", "002"),
        phone="13912345678",
        village=village_a,
        transformer=transformer_a,
        phase=Phase.B,
    )
    customer_b = Customer.objects.create(
        account_no="0603000001",
        name="龙建明",
        id_number=make_id_number("19751212", "005"),
        phone="15012345678",
        village=village_b,
        transformer=transformer_b,
        phase=Phase.C,
    )
    Meter.objects.create(customer=customer_a, meter_no="M0602000001")
    staff_a = Staff.objects.create(
        station=station_a, employee_no="XD-001", name="田师傅", phone="13700000001"
    )
    team_a = Team.objects.create(
        station=station_a, code="XD-service", kind="service", name="新店服务队", responsible_person=staff_a
    )
    team_a.members.set([staff_a])
    world = World(
        bureau,
        station_a,
        station_b,
        village_a,
        village_a_urban,
        village_b,
        transformer_a,
        transformer_b,
        customer_a,
        customer_a2,
        customer_b,
        team_a,
    )
    for name, role, station in (
        ("clerk_a", Role.STATION_STAFF, station_a),
        ("clerk_b", Role.STATION_STAFF, station_b),
        ("crew_a", Role.CREW, station_a),
        ("team_a", Role.TEAM_MEMBER, station_a),
        ("manager", Role.MANAGER, None),
        ("auditor", Role.AUDITOR, None),
        ("outsider", "", None),
    ):
        user = User.objects.create_user(username=name, password="pw-12345678", role=role, station=station)
        world.users[name] = user
        world.tokens[name] = token_create(user=user, name="test")
    world.users["crew_a"].staff = staff_a
    world.users["crew_a"].save()
    from powerexpress.outreach.care_schedule import care_schedule_rebuild

    care_schedule_rebuild()  # the world's households are created outside the services, as a bulk load
    return world


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Every test writes interval data and uploads under its own temporary folder, and never sees
    what a demo left in var/."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> World:
    return build_world()


def chromium_path() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
        shutil.which("chromium-browser") or "",
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright; skips with a reason where it is absent
    (unless REQUIRE_BROWSER=1, as in CI, where absence fails)."""
    path = chromium_path()
    reason = None
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "Playwright for Python is not installed"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        print(f"\nSKIP browser tests: {reason}")
        pytest.skip(reason)
    playwright = sync_playwright().start()
    instance = playwright.chromium.launch(
        executable_path=path,
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield instance
    instance.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    # No service worker here: its background fetches outlive the page that started them (a signed-out
    # fetch renders the sign-in page and rotates the CSRF cookie under a form being filled). The
    # offline tests open their own contexts with it.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def browser_login(page, live_server, username: str, password: str = "pw-12345678") -> None:
    """Signs in through the form. The previous page is left first (a request of it still in flight
    once the cookies are cleared would render a page and issue a new CSRF cookie under the form), and
    the form is filled only when the sign-in page has settled."""
    page.goto("about:blank")
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button.primary")
    page.wait_for_load_state("networkidle")


def _redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@contextlib.contextmanager
def _celery_worker(**conf):
    """A real Celery worker (threads in this process) with the given broker settings on its own queue;
    the app's settings are restored afterwards."""
    import uuid

    from celery.contrib.testing.worker import start_worker

    from powerexpress.celery_app import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    keys = (*conf, "task_always_eager", "task_default_queue")
    saved = {key: app.conf.get(key) for key in keys}

    def reset_connections():
        # Drop connection and producer pools made for an earlier broker, or messages go astray, and the
        # result backend made for the earlier settings, so that ``.get()`` waits on the right results.
        app._pool = None
        app.amqp._producer_pool = None
        app._backend = app._get_backend()

    app.conf.update(**conf, task_always_eager=False, task_default_queue=queue)
    reset_connections()
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            queues=[queue],
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ):
            yield app
    finally:
        app.conf.update(**saved)
        reset_connections()


@pytest.fixture
def celery_worker_redis(transactional_db):
    """A real Celery worker (threads in this process) consuming from Redis on its own queue.

    Tests that use it must be transactional (the worker thread sees committed rows only).
    Skips with a reason when Redis is unreachable, unless REQUIRE_REDIS=1 (CI), where it fails.
    """
    import redis

    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    with _celery_worker(broker_url=url, result_backend=url) as app:
        yield app


def embedded_broker_conf(folder) -> dict:
    """Celery settings for the embedded broker (kombu's filesystem transport) under ``folder``, as
    settings.py makes them for DATA_DIR/celery when CELERY_BROKER_URL is unset."""
    for name in ("queue", "processed", "control", "results"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
        "result_backend": f"file://{folder / 'results'}",
    }


@pytest.fixture
def celery_worker_embedded(transactional_db, tmp_path):
    """A real Celery worker (threads in this process) on the embedded filesystem broker that
    `make demo` uses: no server needed, so it never skips."""
    with _celery_worker(**embedded_broker_conf(tmp_path / "celery")) as app:
        yield app
