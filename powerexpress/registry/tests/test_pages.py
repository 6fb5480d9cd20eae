"""The registry's pages, exports and admin honour scope and masking like the API."""

import io

import pytest
from openpyxl import load_workbook

from powerexpress.core.models import AuditAction, AuditEntry
from powerexpress.registry.models import Customer

KINDS = ["stations", "townships", "villages", "transformers", "customers", "meters", "staff", "teams"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_list_page_opens_for_station_staff(world, kind):
    assert world.web("clerk_a").get(f"/registry/{kind}/").status_code == 200


def test_list_pages_show_only_the_users_station(world):
    page = world.web("clerk_a").get("/registry/customers/").content.decode()
    assert "0602000001" in page and "0603000001" not in page


def test_list_pages_mask_personal_data(world):
    page = world.web("manager").get("/registry/customers/").content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert world.customer_a.id_number not in page


def test_filters_and_search_narrow_the_list(world):
    client = world.web("manager")
    page = client.get("/registry/customers/", {"station": "ZJC"}).content.decode()
    assert "0603000001" in page and "0602000001" not in page
    page = client.get("/registry/customers/", {"q": "吴秀"}).content.decode()
    assert "0602000002" in page and "0602000001" not in page
    page = client.get("/registry/customers/", {"tag": "low_income"}).content.decode()
    assert "0602000001" in page and "0602000002" not in page


def test_htmx_requests_get_only_the_table(world):
    response = world.web("manager").get("/registry/customers/", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"0602000001" in response.content


@pytest.mark.parametrize(
    "kind,attr",
    [
        ("customers", "customer_b"),
        ("villages", "village_b"),
        ("transformers", "transformer_b"),
        ("stations", "station_b"),
    ],
)
def test_another_stations_detail_page_is_404(world, kind, attr):
    pk = getattr(world, attr).pk
    assert world.web("clerk_a").get(f"/registry/{kind}/{pk}/").status_code == 404
    assert world.web("manager").get(f"/registry/{kind}/{pk}/").status_code == 200


def test_the_show_button_reveals_and_audits(world):
    client = world.web("clerk_a")
    detail = client.get(f"/registry/customers/{world.customer_a.pk}/").content.decode()
    assert "13812345678" not in detail
    response = client.post(f"/registry/customers/{world.customer_a.pk}/reveal/")
    assert "13812345678" in response.content.decode()
    assert AuditEntry.objects.get().action == AuditAction.REVEAL


@pytest.mark.parametrize("who", ["crew_a", "team_a", "auditor"])
def test_roles_without_the_permission_cannot_reveal_in_the_ui(world, who):
    response = world.web(who).post(f"/registry/customers/{world.customer_a.pk}/reveal/")
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_exports_are_masked_and_logged(world):
    response = world.web("clerk_a").get("/registry/customers/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == (
        "account number",
        "name",
        "resident ID number",
        "mobile",
    )  # labels, page's language
    assert {row[0] for row in rows[1:]} == {"0602000001", "0602000002"}
    assert all("*" in row[3] for row in rows[1:])
    assert AuditEntry.objects.get().action == AuditAction.EXPORT


def test_an_unmasked_export_needs_the_permission_and_is_audited(world):
    assert world.web("auditor").get("/registry/customers/export/", {"unmasked": 1}).status_code == 403
    response = world.web("manager").get("/registry/customers/export/", {"unmasked": 1, "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "13812345678" in text
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.EXPORT_UNMASKED and entry.fields == "id_number,phone"


def test_the_edit_form_saves_and_keeps_personal_data_left_empty(world):
    client = world.web("clerk_a")
    form = client.get(f"/registry/customers/{world.customer_a.pk}/edit/").content.decode()
    assert "13812345678" not in form
    data = {
        "account_no": "0602000001",
        "name": "杨永国",
        "village": "XD001",
        "transformer": "XD001-01",
        "phase": "B",
        "id_number": "",
        "phone": "",
    }
    response = client.post(f"/registry/customers/{world.customer_a.pk}/edit/", data)
    assert response.status_code == 302
    world.customer_a.refresh_from_db()
    assert world.customer_a.phase == "B" and world.customer_a.phone == "13812345678"


def test_the_edit_form_shows_the_fields_error_and_keeps_the_input(world):
    client = world.web("clerk_a")
    data = {"account_no": "0602000777", "name": "新户", "village": "XD001", "phase": "A", "phone": "99"}
    page = client.post("/registry/customers/new/", data).content.decode()
    assert "11 digits" in page and 'value="0602000777"' in page
    assert not Customer.objects.filter(account_no="0602000777").exists()


@pytest.mark.parametrize("who", ["crew_a", "auditor", "outsider"])
def test_read_only_roles_cannot_open_edit_forms(world, who):
    assert world.web(who).get("/registry/customers/new/").status_code == 403


def test_the_audit_log_is_for_managers_and_auditors_only(world):
    world.web("manager").post(f"/registry/customers/{world.customer_a.pk}/reveal/")
    assert "0602000001" in world.web("auditor").get("/audit/").content.decode()
    assert world.web("manager").get("/audit/").status_code == 200
    assert world.web("clerk_a").get("/audit/").status_code == 403


def test_the_admin_lists_only_the_users_station(world):
    clerk = world.users["clerk_a"]
    clerk.is_staff = True
    clerk.save()
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from powerexpress.registry.models import Customer as Model

    request = RequestFactory().get("/admin/registry/customer/")
    request.user = clerk
    queryset = site._registry[Model].get_queryset(request)
    assert set(queryset.values_list("account_no", flat=True)) == {"0602000001", "0602000002"}


def test_the_home_page_counts_only_visible_rows(world):
    page = world.web("clerk_a").get("/").content.decode()
    assert "新店供电所" in page and "朱家场供电所" not in page


def test_pages_need_a_sign_in(client, world):
    response = client.get("/registry/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_station_and_village_filters_offer_only_what_the_user_may_see(world):
    page = world.web("clerk_a").get("/registry/customers/").content.decode()
    station_a, station_b = world.customer_a.village.station, world.customer_b.village.station
    assert f'<option value="{station_a.code}">' in page
    assert f'<option value="{station_b.code}">' not in page
    assert f'<option value="{world.customer_a.village.code}">' in page
    manager_page = world.web("manager").get("/registry/customers/").content.decode()
    assert f'<option value="{station_b.code}">' in manager_page
