"""The crew's ticket card on a phone: call, navigate, photos, one-tap steps with undo, and the
actions recorded offline that reach the server later at the moment they really happened."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone, translation

from powerexpress.core.models import AuditEntry, OfflineAction
from powerexpress.repair.choices import UNDO_WINDOW_S
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.services import fault_ticket_transition
from powerexpress.repair.tests.factories import report, work_to
from powerexpress.repair.tests.test_pages import photo_file


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """Requests in Chinese must not leave Chinese active for the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


T0 = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)


def dispatched(world):
    return work_to(world, report(world), "dispatched")


def sync(client, **fields):
    fields.setdefault("key", uuid.uuid4().hex)
    return client.post("/offline/sync/", fields, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_the_assigned_crews_card_shows_the_full_phone_to_call_and_audits_it(world):
    ticket = dispatched(world)
    page = world.web("crew_a").get(f"/repair/crew/{ticket.number}/").content.decode()
    assert 'href="tel:13812345678"' in page
    assert 'href="geo:27.312000,108.986000?q=27.312000,108.986000"' in page
    assert "老寨村1号台区" in page and "吴台区" in page and "新店镇" in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert AuditEntry.objects.filter(user=world.users["crew_a"], object_ref=ticket.number).count() == 1


def test_the_crews_list_masks_the_callers_phone(world):
    ticket = dispatched(world)
    page = world.web("crew_a").get("/repair/crew/").content.decode()
    assert ticket.number in page and "138****5678" in page and "13812345678" not in page


def test_a_closed_ticket_shows_the_crew_only_the_masked_phone_and_someone_elses_has_no_card(world):
    ticket = work_to(world, report(world), "closed")
    page = world.web("crew_a").get(f"/repair/crew/{ticket.number}/").content.decode()
    assert "138****5678" in page and "tel:13812345678" not in page and "/step/" not in page
    other = report(world)
    assert world.web("crew_a").get(f"/repair/crew/{other.number}/").status_code == 403


def test_a_step_answers_the_card_in_place_with_a_confirmation_and_an_undo(world):
    ticket = dispatched(world)
    crew = world.web("crew_a")
    response = crew.post(
        f"/repair/crew/{ticket.number}/step/", {"status": "en_route", "full": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'class="confirm"' in html and f"/repair/crew/{ticket.number}/undo/" in html
    assert 'value="on_site"' in html


def test_the_crew_can_undo_a_mis_tap_within_the_window_and_the_history_says_so(world):
    ticket = dispatched(world)
    crew = world.web("crew_a")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        crew.post(f"/repair/crew/{ticket.number}/step/", {"status": "en_route"})
        crew.post(f"/repair/crew/{ticket.number}/step/", {"status": "on_site"})
        clock.shift(datetime.timedelta(seconds=UNDO_WINDOW_S - 1))
        html = crew.post(f"/repair/crew/{ticket.number}/undo/").content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "en_route" and ticket.on_site_at is None and ticket.restore_due_at is None
    assert 'value="on_site"' in html
    last = ticket.events.order_by("-id").first()
    assert last.is_undo and (last.from_status, last.to_status) == ("on_site", "en_route")
    detail = world.web("clerk_a").get(f"/repair/t/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "撤销误点" in detail.content.decode()


def test_an_undo_after_the_window_is_refused_and_changes_nothing(world):
    ticket = dispatched(world)
    crew = world.web("crew_a")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        crew.post(f"/repair/crew/{ticket.number}/step/", {"status": "en_route"})
        clock.shift(datetime.timedelta(seconds=UNDO_WINDOW_S + 1))
        html = crew.post(f"/repair/crew/{ticket.number}/undo/").content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "en_route" and 'role="alert"' in html


def test_an_undo_cannot_take_back_another_users_step(world):
    ticket = report(world)
    fault_ticket_transition(
        ticket=ticket, to_status="dispatched", actor=world.users["clerk_a"], assignee=world.users["crew_a"]
    )
    world.web("crew_a").post(f"/repair/crew/{ticket.number}/undo/")
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"


def test_steps_recorded_offline_keep_their_real_time_and_the_arrival_is_judged_on_it(world):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = dispatched(world)  # rural: arrival due 90 minutes after the report, at 11:30
        crew = world.web("crew_a")
        clock.shift(datetime.timedelta(minutes=80))  # on site at 11:20 (offline), sent at 12:10
        on_site_at = timezone.now()
        clock.shift(datetime.timedelta(minutes=20))
        restored_at = timezone.now()
        clock.shift(datetime.timedelta(minutes=30))
        for status, at in (
            ("en_route", on_site_at - datetime.timedelta(minutes=30)),
            ("on_site", on_site_at),
            ("restored", restored_at),
        ):
            answer = sync(
                crew, action="repair.step", ref=ticket.number, status=status, occurred_at=at.isoformat()
            ).json()
            assert answer["outcome"] == "applied", answer
    ticket.refresh_from_db()
    assert ticket.on_site_at == on_site_at and ticket.restored_at == restored_at
    assert ticket.on_site_at <= ticket.arrival_due_at  # on time by the real moment, late by the upload
    assert ticket.restore_due_at == on_site_at + datetime.timedelta(minutes=240)
    assert all(
        event.recorded_offline for event in ticket.events.filter(to_status__in=["on_site", "restored"])
    )
    detail = world.web("clerk_a").get(f"/repair/t/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "离线记录" in detail.content.decode()


def test_a_resent_offline_action_is_applied_once(world):
    ticket = dispatched(world)
    crew, key = world.web("crew_a"), uuid.uuid4().hex
    fields = {
        "key": key,
        "action": "repair.note",
        "ref": ticket.number,
        "kind": "material",
        "text": "200 m 导线",
    }
    at = timezone.now().isoformat()
    answers = [crew.post("/offline/sync/", {**fields, "occurred_at": at}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert OfflineAction.objects.filter(key=key).count() == 1 and ticket.notes.count() == 1


def test_an_offline_before_photo_lands_on_the_ticket_at_its_time_marked_as_recorded_offline(world):
    ticket = dispatched(world)
    at = timezone.now() - datetime.timedelta(minutes=5)
    body = {"key": uuid.uuid4().hex, "action": "repair.note", "kind": "before", "ref": ticket.number}
    answer = sync(world.web("crew_a"), **body, occurred_at=at.isoformat(), photo=photo_file()).json()
    assert answer["outcome"] == "applied", answer
    note = ticket.notes.get()
    assert (note.kind, note.at, note.recorded_offline) == ("before", at, True) and note.photo


def test_an_offline_step_on_a_ticket_reassigned_meanwhile_is_kept_as_a_conflict_and_shown(world):
    ticket = dispatched(world)
    FaultTicket.objects.filter(pk=ticket.pk).update(assignee=world.users["clerk_a"])
    crew = world.web("crew_a")
    answer = sync(
        crew,
        action="repair.step",
        ref=ticket.number,
        status="en_route",
        label="出发",
        occurred_at=timezone.now().isoformat(),
    ).json()
    assert answer["outcome"] == "conflict" and "改派" in answer["message"]
    page = crew.get("/repair/crew/").content.decode()
    assert 'id="offline-conflicts"' in page and ticket.number in page
    crew.post("/offline/conflicts/seen/", {"next": "/repair/crew/"})
    assert 'id="offline-conflicts"' not in crew.get("/repair/crew/").content.decode()


def test_an_offline_step_on_a_ticket_closed_meanwhile_is_a_conflict_not_a_failure(world):
    ticket = work_to(world, report(world), "restored")
    fault_ticket_transition(ticket=ticket, to_status="closed", actor=world.users["clerk_a"])
    answer = sync(
        world.web("crew_a"),
        action="repair.step",
        ref=ticket.number,
        status="on_site",
        occurred_at=timezone.now().isoformat(),
    ).json()
    assert answer["outcome"] == "conflict" and answer["message"]


def test_an_offline_time_in_the_future_or_without_zone_is_refused_by_field(world):
    ticket = dispatched(world)
    crew = world.web("crew_a")
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    answer = sync(crew, action="repair.step", ref=ticket.number, status="en_route", occurred_at=future).json()
    assert answer["outcome"] == "conflict" and "晚于现在" in answer["message"]
    naive = sync(
        crew, action="repair.step", ref=ticket.number, status="en_route", occurred_at="2026-12-07T10:00:00"
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "occurred_at"


@pytest.mark.django_db
def test_offline_sync_needs_a_sign_in(client):
    response = client.post("/offline/sync/", {"key": uuid.uuid4().hex})
    assert response.status_code == 302
