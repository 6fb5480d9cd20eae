"""Import templates (headers in the page's language) import as they are, and a masked export
re-imports without rejecting a row or storing a mask."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import make_id_number
from powerexpress.core.tables import read_table, write_csv, write_xlsx
from powerexpress.registry.models import Customer, Staff
from powerexpress.registry.services import registry_import
from powerexpress.registry.specs import SPECS

pytestmark = pytest.mark.django_db

CUSTOMER_VALUES = {
    "account_no": "0602000900",
    "name": "新户",
    "id_number": make_id_number("19850505", "031"),
    "phone": "13611112222",
    "village": "XD001",
    "transformer": "XD001-01",
    "phase": "B",
}


def web(world, who: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.users[who])
    return client


def template_header(world, kind: str, file_format: str, language: str) -> list[str]:
    answer = web(world, "manager", language).get(f"/registry/{kind}/import/template.{file_format}")
    assert answer.status_code == 200
    return [str(cell) for cell in _first_row(answer.content, file_format)]


def _first_row(content: bytes, file_format: str) -> list:
    if file_format == "csv":
        return content.decode("utf-8-sig").splitlines()[0].split(",")
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return next(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_kind_has_a_template_with_chinese_headers(world, kind, file_format):
    header = template_header(world, kind, file_format, "zh-hans")
    assert len(header) == len(SPECS[kind].fields)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in column) for column in header), header


def test_the_template_speaks_english_on_an_english_page(world):
    assert template_header(world, "villages", "csv", "en")[:3] == ["code", "name", "station"]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_filled_in_chinese_template_imports(world, file_format):
    header = template_header(world, "customers", file_format, "zh-hans")
    row = [CUSTOMER_VALUES.get(spec_field.name, "") for spec_field in SPECS["customers"].fields]
    writer = write_xlsx if file_format == "xlsx" else write_csv
    outcome = registry_import(
        user=world.users["clerk_a"],
        kind="customers",
        file_name=f"c.{file_format}",
        content=writer(header, [row]),
    )
    assert outcome.ok, outcome.errors
    assert Customer.objects.get(account_no="0602000900").phone == "13611112222"


def test_the_import_page_links_both_templates(world):
    page = web(world, "clerk_a", "zh-hans").get("/registry/customers/import/").content.decode()
    assert (
        "/registry/customers/import/template.xlsx" in page
        and "/registry/customers/import/template.csv" in page
    )


def test_a_role_that_may_not_import_gets_no_template(world):
    assert web(world, "crew_a", "en").get("/registry/customers/import/template.csv").status_code == 403


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_masked_export_reimports_cleanly_and_keeps_the_stored_personal_data(world, file_format):
    before = {
        c.account_no: (c.id_number, c.phone) for c in Customer.objects.filter(village__station__code="XD")
    }
    query = "station=XD" + ("&format=csv" if file_format == "csv" else "")
    export = web(world, "clerk_a", "zh-hans").get(f"/registry/customers/export/?{query}")
    rows = [row for _n, row in read_table(f"c.{file_format}", export.content)]
    assert list(rows[0])[:4] == ["户号", "名称", "身份证号", "手机号"]  # the page's language
    exported = {row["户号"]: row["手机号"] for row in rows}
    assert exported["0602000001"] == "138****5678"
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name=f"c.{file_format}", content=export.content
    )
    assert outcome.ok, outcome.errors
    assert outcome.updated == len(before) == 2
    after = {
        c.account_no: (c.id_number, c.phone) for c in Customer.objects.filter(village__station__code="XD")
    }
    assert after == before


def test_a_masked_staff_phone_is_left_unchanged_while_other_columns_update(world):
    content = write_csv(["employee_no", "name", "phone"], [["XD-001", "田师傅改名", "137****0001"]])
    outcome = registry_import(user=world.users["clerk_a"], kind="staff", file_name="s.csv", content=content)
    assert outcome.ok, outcome.errors
    staff = Staff.objects.get(employee_no="XD-001")
    assert (staff.name, staff.phone) == ("田师傅改名", "13700000001")


def test_a_new_household_with_a_masked_phone_is_created_without_the_mask(world):
    header = list(CUSTOMER_VALUES)
    row = [*CUSTOMER_VALUES.values()]
    row[header.index("phone")] = "136****2222"
    row[header.index("id_number")] = "522223**********31"
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name="c.csv", content=write_csv(header, [row])
    )
    assert outcome.ok, outcome.errors
    assert Customer.objects.values_list("phone", "id_number").get(account_no="0602000900") == ("", "")


def test_a_real_but_wrong_phone_is_still_rejected(world):
    content = write_csv(["employee_no", "name", "phone"], [["XD-001", "田师傅", "1370000"]])
    outcome = registry_import(user=world.users["clerk_a"], kind="staff", file_name="s.csv", content=content)
    assert [error["field"] for error in outcome.errors] == ["phone"]
