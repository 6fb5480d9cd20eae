"""The crew's phone in headless Chromium at 360 × 740: the ticket card works with the network
switched off, and what was recorded offline reaches the server with its real times."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from conftest import browser_login, build_world
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.tests.factories import report, work_to

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = "docs/screenshots"


def png_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def phone_page(browser, live_server, username):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, service_workers="allow"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    browser_login(page, live_server, username)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_crew_member_records_on_site_two_photos_and_restored_offline_and_the_server_keeps_the_times(
    browser, live_server
):
    world = build_world()
    ticket = work_to(world, report(world), "en_route")
    context, page = phone_page(browser, live_server, "crew_a")
    assert page.url.endswith("/repair/crew/")
    page.screenshot(path=f"{SCREENSHOTS}/crew-home-phone.png")
    page.click(f"a[href='/repair/crew/{ticket.number}/']")
    page.wait_for_selector("button.step")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== undefined")
    page.screenshot(path=f"{SCREENSHOTS}/crew-ticket-phone.png", full_page=True)

    context.set_offline(True)
    page.click("button.step")  # on site
    page.wait_for_selector("#offline-status:not([hidden])")
    page.select_option("select[name=kind]", "before")
    page.set_input_files(
        "input[name=photo]",
        files=[{"name": "before.png", "mimeType": "image/png", "buffer": png_bytes("red")}],
    )
    page.select_option("select[name=kind]", "after")
    page.set_input_files(
        "input[name=photo]",
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": png_bytes("green")}],
    )
    page.wait_for_function("document.querySelector('button.step').value === 'restored'")
    page.click("button.step")  # restored
    page.wait_for_function("document.getElementById('offline-status').textContent.includes('4')")
    assert "离线 — 4 项待发送" in page.inner_text("#offline-status")
    page.screenshot(path=f"{SCREENSHOTS}/crew-offline-phone.png", full_page=True)
    queued_at = page.evaluate("Date.now()")
    ticket.refresh_from_db()
    assert ticket.status == "en_route" and ticket.notes.count() == 0  # nothing reached the server

    page.wait_for_timeout(1500)  # the upload happens later than the work
    context.set_offline(False)
    page.wait_for_function("document.getElementById('offline-status').hidden", timeout=30_000)
    page.wait_for_load_state("networkidle")
    ticket.refresh_from_db()
    assert ticket.status == "restored"
    assert ticket.on_site_at.timestamp() * 1000 < queued_at
    assert ticket.on_site_at <= ticket.restored_at
    assert ticket.on_site_at <= ticket.arrival_due_at
    assert sorted(ticket.notes.values_list("kind", flat=True)) == ["after", "before"]
    assert all(
        event.recorded_offline for event in ticket.events.filter(to_status__in=["on_site", "restored"])
    )
    page.goto(f"{live_server.url}/repair/t/{ticket.number}/")
    body = page.inner_text("body")
    assert "离线记录" in body and timezone.localtime(ticket.on_site_at).strftime("%H:%M") in body
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_step_tapped_online_updates_the_card_in_place_and_can_be_undone(browser, live_server):
    world = build_world()
    ticket = work_to(world, report(world), "dispatched")
    context, page = phone_page(browser, live_server, "crew_a")
    page.goto(f"{live_server.url}/repair/crew/{ticket.number}/")
    page.evaluate("window.marker = 1")
    page.click("button.step")
    page.wait_for_selector(".confirm")
    assert page.evaluate("window.marker") == 1  # no page reload
    page.click(".undo-form button")
    page.wait_for_selector("text=已撤销这一步")
    assert FaultTicket.objects.get(pk=ticket.pk).status == "dispatched"
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_installed_app_opens_the_crews_tickets_without_network(browser, live_server):
    world = build_world()
    ticket = work_to(world, report(world), "dispatched")
    context, page = phone_page(browser, live_server, "crew_a")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    page.reload()  # now under the service worker, which keeps the pages it serves
    page.wait_for_function(
        f"caches.open('pe-pages-v1').then(c => c.match('{live_server.url}/repair/crew/{ticket.number}/'))"
        ".then(Boolean)",
        timeout=30_000,
    )
    context.set_offline(True)
    page.goto(f"{live_server.url}/repair/crew/{ticket.number}/")
    assert "老寨村" in page.inner_text("h2") and page.locator("button.step").count() == 1
    page.goto(f"{live_server.url}/repair/crew/")
    assert ticket.number in page.content()
    context.close()


def camera_jpeg_bytes() -> bytes:
    """A 4,000 × 3,000 picture with detail everywhere (a gradient and noise), as a phone camera's
    JPEG at high quality: several megabytes."""
    import numpy as np

    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000]
    pixels = np.stack([(x // 16) % 256, (y // 12) % 256, (x + y) // 28 % 256], axis=-1).astype(np.int16)
    pixels = np.clip(pixels + rng.integers(-40, 40, size=pixels.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_camera_photo_is_shrunk_on_the_phone_before_it_is_sent_online_or_queued_offline(
    browser, live_server
):
    world = build_world()
    ticket = work_to(world, report(world), "on_site")
    original = camera_jpeg_bytes()
    assert len(original) > 3 * 1024 * 1024
    context, page = phone_page(browser, live_server, "crew_a")
    page.goto(f"{live_server.url}/repair/crew/{ticket.number}/")
    page.select_option("select[name=kind]", "before")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": original}]
    )
    for _ in range(120):  # the upload is sent by the page; wait for its row (at most 30 s)
        if ticket.notes.exclude(photo="").exists():
            break
        page.wait_for_timeout(250)

    context.set_offline(True)
    page.select_option("select[name=kind]", "after")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "IMG_0002.JPG", "mimeType": "image/jpeg", "buffer": original}]
    )
    page.wait_for_function("document.getElementById('offline-status').textContent.includes('1')")
    context.set_offline(False)
    page.wait_for_function("document.getElementById('offline-status').hidden", timeout=30_000)
    page.wait_for_load_state("networkidle")

    photos = [note.photo for note in ticket.notes.exclude(photo="").order_by("pk")]
    assert len(photos) == 2
    for photo in photos:
        with photo.open("rb") as handle:
            data = handle.read()
        width, height = Image.open(io.BytesIO(data)).size
        assert max(width, height) == 1600 and (width, height) == (1600, 1200)
        assert len(data) < len(original) / 4
    context.close()
