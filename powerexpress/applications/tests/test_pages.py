import re

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import make_id_number
from powerexpress.applications.links import track_path, track_token
from powerexpress.applications.models import Application, TimeLimit
from powerexpress.applications.services import application_submit, application_survey
from powerexpress.applications.tests.factories import application_body


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()


def form_data(**overrides) -> dict:
    data = {
        "applicant_name": "杨永国",
        "id_number": make_id_number(),
        "phone": "13812345678",
        "village": "XD001",
        "address": "3组15号",
        "requested_kw": "6",
        "purpose": "灌溉",
        "form_token": "tok-1",
        "appliance_name": ["水泵", "照明"],
        "appliance_quantity": ["1", "2"],
        "appliance_kw": ["5.5", "0.05"],
        "documents": ["id_card", "land_proof"],
    }
    data.update(overrides)
    return data


def anonymous() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_each_kind_has_its_own_template_asking_only_what_it_needs(world):
    page = anonymous().get("/applications/apply/non_residential/").content.decode()
    assert 'name="business_name"' in page and 'name="supply_until"' not in page
    assert "Business licence" in page
    page = anonymous().get("/applications/apply/residential/").content.decode()
    assert 'name="business_name"' not in page and 'name="account_no"' not in page
    assert anonymous().get("/applications/apply/factory/").status_code == 404


def test_a_failed_submission_keeps_everything_typed_and_marks_the_bad_fields(world):
    response = anonymous().post(
        "/applications/apply/agricultural/",
        form_data(id_number="522223198001011231", appliance_kw=["5.5", "abc"]),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "check character" in page
    assert 'value="522223198001011231"' in page
    assert 'value="3组15号"' in page and 'value="abc"' in page and 'value="灌溉"' in page
    assert re.search(r'value="land_proof" checked', page)
    assert "Enter the power in kW" in page
    assert Application.objects.count() == 0


def test_a_good_submission_leads_to_the_status_page_with_the_receipt(world):
    client = anonymous()
    response = client.post("/applications/apply/agricultural/", form_data())
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == track_path(application.tracking_no)
    page = client.get(response["Location"]).content.decode()
    assert "Keep the tracking number" in page
    assert application.tracking_no in page and "receipt.pdf" in page
    assert application.documents == ["id_card", "land_proof"]
    assert application.source == "web"


def test_a_double_click_makes_one_application(world):
    client = anonymous()
    client.post("/applications/apply/agricultural/", form_data())
    client.post("/applications/apply/agricultural/", form_data())
    assert Application.objects.count() == 1


def test_the_status_page_needs_the_signed_link_or_the_mobile_number(world):
    application, _ = application_submit(raw=application_body())
    no = application.tracking_no
    assert (
        anonymous().get(f"/applications/track/{no}/?t=forged")["Location"].startswith("/applications/track/?")
    )
    response = anonymous().get("/applications/track/", {"tracking_no": no, "phone": "13812345678"})
    assert response["Location"] == track_path(no)
    response = anonymous().get("/applications/track/", {"tracking_no": no, "phone": "13900000000"})
    assert "No application" in response.content.decode()


def test_the_applicant_withdraws_from_the_status_page(world):
    application, _ = application_submit(raw=application_body())
    anonymous().post(
        f"/applications/track/{application.tracking_no}/withdraw/",
        {"t": track_token(application.tracking_no)},
    )
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_the_pdfs_are_served(world):
    application, _ = application_submit(raw=application_body())
    no, token = application.tracking_no, track_token(application.tracking_no)
    for path in (
        f"/applications/track/{no}/receipt.pdf?t={token}",
        f"/applications/track/{no}/application.pdf?t={token}",
        "/applications/blank/temporary.pdf",
    ):
        response = anonymous().get(path)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert anonymous().get(f"/applications/track/{no}/receipt.pdf?t=bad").status_code == 404


def test_station_staff_see_their_queue_and_move_an_application(world):
    application, _ = application_submit(raw=application_body())
    client = world.web("clerk_a")
    assert application.tracking_no in client.get("/applications/").content.decode()
    page = client.get(f"/applications/{application.tracking_no}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    client.post(
        f"/applications/{application.tracking_no}/move/",
        {"to_status": "surveyed", "notes": "ok", "transformer": world.transformer_a.pk},
    )
    application.refresh_from_db()
    assert application.status == "surveyed"


def test_the_detail_page_warns_about_headroom_and_the_reply_needs_a_tick(world):
    application, _ = application_submit(
        raw=application_body(requested_kw="70", appliances=[{"name": "深井泵", "quantity": 1, "kw": "70"}])
    )
    application_survey(user=world.users["clerk_a"], application=application)
    client = world.web("clerk_a")
    assert 'id="headroom-warning"' in client.get(f"/applications/{application.tracking_no}/").content.decode()
    response = client.post(
        f"/applications/{application.tracking_no}/move/", {"to_status": "plan_replied"}, follow=True
    )
    assert "past 80%" in response.content.decode()
    client.post(
        f"/applications/{application.tracking_no}/move/",
        {"to_status": "plan_replied", "acknowledge_headroom": "1"},
    )
    application.refresh_from_db()
    assert application.status == "plan_replied"


def test_another_station_and_roleless_users_cannot_reach_an_application(world):
    application, _ = application_submit(raw=application_body())
    assert world.web("clerk_b").get(f"/applications/{application.tracking_no}/").status_code == 404
    assert (
        world.web("clerk_b")
        .post(f"/applications/{application.tracking_no}/move/", {"to_status": "surveyed"})
        .status_code
        == 404
    )
    assert world.web("outsider").get(f"/applications/{application.tracking_no}/").status_code == 404
    assert (
        world.web("auditor")
        .post(f"/applications/{application.tracking_no}/move/", {"to_status": "surveyed"})
        .status_code
        == 403
    )
    assert anonymous().get("/applications/").status_code == 302


def test_managers_edit_the_time_limits_and_clerks_only_read_them(world):
    data = {
        f"{kind}-{part}": "4"
        for kind in ("residential", "non_residential", "agricultural", "temporary", "capacity_increase")
        for part in ("plan", "install")
    }
    data.update(heavy_load_percent="85", household_kva="1.5", power_factor="0.95", near_due_working_days="2")
    assert world.web("clerk_a").get("/applications/settings/").status_code == 200
    assert world.web("clerk_a").post("/applications/settings/", data).status_code == 403
    assert world.web("outsider").get("/applications/settings/").status_code == 403
    world.web("manager").post("/applications/settings/", data)
    limit = TimeLimit.objects.get(kind="agricultural")
    assert (limit.plan_reply_days, limit.install_days, limit.to_verify) == (4, 4, False)
    data["residential-plan"] = "0"
    response = world.web("manager").post("/applications/settings/", data, follow=True)
    assert "from 1 to 60" in response.content.decode()


def test_managers_see_the_due_counts_per_station_and_can_pick_one(world):
    application_submit(raw=application_body())
    application_submit(raw=application_body(village="ZJC001"))
    page = world.web("manager").get("/applications/").content.decode()
    assert 'id="stations"' in page and "?station=ZJC" in page
    page = world.web("manager").get("/applications/?station=ZJC").content.decode()
    assert "洪家湾村" in page and "老寨村" not in page.split('id="overdue"')[1]
    assert 'id="stations"' not in world.web("clerk_a").get("/applications/").content.decode()


def test_the_apply_page_warns_when_due_dates_will_pass_the_calendars_known_years(world):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        assert 'id="calendar-note"' in anonymous().get("/applications/apply/residential/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        assert (
            'id="calendar-note"' not in anonymous().get("/applications/apply/residential/").content.decode()
        )


def test_fees_typed_in_yuan_are_kept_in_fen(world):
    application, _ = application_submit(
        raw=application_body(requested_kw="3", appliances=[{"name": "泵", "quantity": 1, "kw": "3"}])
    )
    application_survey(user=world.users["clerk_a"], application=application)
    client = world.web("clerk_a")
    response = client.post(
        f"/applications/{application.tracking_no}/move/",
        {"to_status": "plan_replied", "fee_yuan": "12.345"},
        follow=True,
    )
    assert "at most 2 decimals" in response.content.decode()
    client.post(
        f"/applications/{application.tracking_no}/move/", {"to_status": "plan_replied", "fee_yuan": "120.5"}
    )
    application.refresh_from_db()
    assert application.fee_fen == 12050


def test_staff_reveal_the_id_number_and_phone_and_the_reveal_is_audited(world):
    from powerexpress.core.models import AuditEntry

    application, _ = application_submit(raw=application_body())
    url = f"/applications/{application.tracking_no}/reveal/"
    response = world.web("clerk_a").post(url)
    assert application.id_number in response.content.decode()
    entry = AuditEntry.objects.get()
    assert (entry.user.username, entry.object_ref, entry.fields) == (
        "clerk_a",
        application.tracking_no,
        "id_number,phone",
    )
    assert world.web("auditor").post(url).status_code == 403
    assert world.web("clerk_b").post(url).status_code == 404
    assert world.web("clerk_a").get(url).status_code == 405


def test_the_station_page_counts_the_working_days_left(world):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 2, 13, 2, 0, tzinfo=datetime.UTC), tick=False):
        application, _ = application_submit(raw=application_body(kind="residential"))
        page = world.web("clerk_a").get(f"/applications/{application.tracking_no}/").content.decode()
    assert "3 working days left" in page  # 14 Feb (make-up day), 24 and 25 Feb
    with time_machine.travel(datetime.datetime(2026, 2, 26, 2, 0, tzinfo=datetime.UTC), tick=False):
        page = world.web("clerk_a").get(f"/applications/{application.tracking_no}/").content.decode()
    assert 'id="days-left">overdue' in page
