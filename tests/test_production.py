"""The production profile: settings from the environment, a clean `check --deploy`, the refusal to
start without SECRET_KEY, /healthz, scope-checked media and registry exports as background jobs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from powerexpress.core.models import ExportJob, ExportStatus

ROOT = Path(__file__).resolve().parent.parent

# The production environment exactly as docs/deploy.md documents it (values are examples).
PRODUCTION_ENV = {
    "SECRET_KEY": "x7Jq2-long-random-production-key-9fK3mZ0pL8sQ4vB6nT1wR5yU7iO2aE4dG6hJ8kL0",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "powerexpress.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://powerexpress.example.cn",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto,https",
    "MEDIA_SENDFILE": "x-accel-redirect",
}


def powerexpress(args, env_extra, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SECRET_KEY", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "DJANGO_SETTINGS", "DJANGO_ALLOW_ASYNC")
        )
    }
    env.update(POWEREXPRESS_DATA_DIR=str(tmp_path / "data"), **env_extra)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "powerexpress.manage", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    result = powerexpress(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_missing_https_settings(tmp_path):
    env = {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "DEBUG": "0"}
    result = powerexpress(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_without_a_secret_key_and_debug_off_the_app_refuses_to_start_with_a_clear_message(tmp_path):
    result = powerexpress(["check"], {"DEBUG": "0"}, tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr


def test_debug_on_a_development_machine_runs_without_a_secret_key(tmp_path):
    result = powerexpress(["check"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_security_settings_are_read_from_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_AGE, s.DATA_UPLOAD_MAX_MEMORY_SIZE, s.USE_X_FORWARDED_HOST)"
    )
    env = {**PRODUCTION_ENV, "SESSION_COOKIE_AGE": "3600", "DATA_UPLOAD_MAX_MEMORY_SIZE": "1000",
           "USE_X_FORWARDED_HOST": "1"}  # fmt: skip
    result = powerexpress(["shell", "-c", code], env, tmp_path)
    assert (
        result.stdout.strip().splitlines()[-1]
        == "True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') 3600 1000 True"
    )


def test_staff_sessions_last_eight_hours_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_a_malformed_proxy_header_setting_stops_the_start(tmp_path):
    result = powerexpress(["check"], {**PRODUCTION_ENV, "SECURE_PROXY_SSL_HEADER": "https"}, tmp_path)
    assert result.returncode == 1 and "SECURE_PROXY_SSL_HEADER" in result.stderr


@pytest.mark.django_db
def test_healthz_answers_200_with_every_part_reachable_and_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down_without_revealing_why(client):
    from powerexpress.core.tests.test_jobs import broker_down

    with broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "ok", "broker": "error"}
    assert "redis" not in response.content.decode().lower()


@pytest.fixture
def photo(world, settings):
    from powerexpress.repair.models import FaultNote
    from powerexpress.repair.tests.factories import report

    ticket = report(world)
    name = "repair/2026/12/pole.jpg"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    FaultNote.objects.create(ticket=ticket, kind="photo", photo=name, at=timezone.now())
    return name


def test_a_photo_is_served_to_a_user_whose_scope_covers_its_ticket(world, photo):
    response = world.web("clerk_a").get(f"/media/{photo}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 a tiny jpeg"


def test_a_photo_of_another_station_or_an_unknown_path_answers_404(world, photo):
    assert world.web("clerk_b").get(f"/media/{photo}").status_code == 404
    assert world.web("manager").get("/media/repair/2026/12/other.jpg").status_code == 404
    assert world.web("manager").get("/media/../../etc/passwd").status_code == 404
    assert world.web("manager").get("/media/repair/").status_code == 404  # no listing


def test_a_photo_needs_a_sign_in(client, photo):
    response = client.get(f"/media/{photo}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_with_x_accel_redirect_the_proxy_sends_the_photo(world, photo, settings):
    settings.MEDIA_SENDFILE = "x-accel-redirect"
    response = world.web("manager").get(f"/media/{photo}")
    assert response.status_code == 200 and response["X-Accel-Redirect"] == f"/protected-media/{photo}"
    assert response.content == b""


def test_a_registry_export_is_a_job_whose_page_offers_the_file_when_done(
    world, django_capture_on_commit_callbacks, settings
):
    client = world.web("clerk_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/customers/export-job/",
            {"query": "q=杨", "format": "csv"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/exports/{job.pk}/"
    assert (job.status, job.total_rows, job.processed_rows) == (ExportStatus.SUCCEEDED, 1, 1)
    assert not list(Path(settings.DATA_DIR, "exports").rglob("*.part"))
    page = client.get(response["Location"]).content.decode()
    assert f"/registry/exports/{job.pk}/download/" in page and "hx-get" not in page
    download = client.get(f"/registry/exports/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "0602000001" in text and "0603000001" not in text and "0602000002" not in text
    assert world.web("clerk_b").get(f"/registry/exports/{job.pk}/download/").status_code == 404


def test_a_waiting_export_page_polls_its_progress(world):
    job = ExportJob.objects.create(
        user=world.users["clerk_a"], kind="customers", total_rows=10, processed_rows=4
    )
    page = world.web("clerk_a").get(f"/registry/exports/{job.pk}/").content.decode()
    assert f'hx-get="/registry/exports/{job.pk}/"' in page and 'value="40"' in page


def test_an_export_whose_row_is_not_committed_leaves_no_file(world, settings):
    from powerexpress.registry.services import export_file_path, registry_export_job_run

    job = ExportJob.objects.create(user=world.users["clerk_a"], kind="customers", status=ExportStatus.RUNNING)
    registry_export_job_run(job=job)  # inside the test's transaction: never committed
    assert not export_file_path(job).exists()


def test_the_favicon_is_a_redirect_to_the_icon_that_sets_no_cookie(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".png")
    assert "icon-192" in response["Location"] and not response.cookies
