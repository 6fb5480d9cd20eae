"""Imports are all-or-nothing, report row/column/reason, and re-importing updates instead of duplicating."""

import pytest
from django.core.management import call_command

from conftest import make_id_number
from powerexpress.core.models import ImportJob, ImportStatus
from powerexpress.core.tables import write_csv, write_xlsx
from powerexpress.registry.models import Customer, TransformerDistrict, Village
from powerexpress.registry.services import registry_import

HEADER = ["account_no", "name", "id_number", "phone", "village", "transformer", "phase", "tags"]


def customer_rows(count=3, start=100):
    return [
        [
            f"0602000{start + i}",
            f"村民{i}",
            make_id_number("19700101", f"{i:03d}"),
            f"139{i:08d}",
            "XD001",
            "XD001-01",
            "ABC"[i % 3],
            "low_income" if i == 0 else "",
        ]
        for i in range(count)
    ]


def test_a_good_csv_is_imported_in_one_go(world):
    outcome = registry_import(
        user=world.users["clerk_a"],
        kind="customers",
        file_name="c.csv",
        content=write_csv(HEADER, customer_rows()),
    )
    assert outcome.ok and (outcome.created, outcome.updated) == (3, 0)
    assert Customer.objects.get(account_no="0602000100").tag_list == ["low_income"]


def test_reimporting_the_same_file_updates_instead_of_duplicating(world):
    content = write_xlsx(HEADER, customer_rows())
    registry_import(user=world.users["clerk_a"], kind="customers", file_name="c.xlsx", content=content)
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name="c.xlsx", content=content
    )
    assert (outcome.created, outcome.updated) == (0, 3)
    assert Customer.objects.filter(account_no__startswith="06020001").count() == 3


def test_one_bad_row_imports_nothing_and_names_row_column_and_reason(world):
    rows = customer_rows(4)
    rows[2][3] = "12345"  # bad mobile on spreadsheet row 4
    rows[3][4] = "NOWHERE"  # unknown village on row 5
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name="c.xlsx", content=write_xlsx(HEADER, rows)
    )
    assert not outcome.ok
    assert [(e["row"], e["field"]) for e in outcome.errors] == [(4, "phone"), (5, "village")]
    assert all(e["message"] and e["column"] for e in outcome.errors)
    assert not Customer.objects.filter(account_no__startswith="06020001").exists()


def test_duplicate_keys_inside_one_file_are_reported(world):
    rows = customer_rows(2)
    rows[1][0] = rows[0][0]
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name="c.csv", content=write_csv(HEADER, rows)
    )
    assert [(e["row"], e["field"]) for e in outcome.errors] == [(3, "account_no")]


def test_an_unknown_column_rejects_the_file(world):
    outcome = registry_import(
        user=world.users["clerk_a"],
        kind="villages",
        file_name="v.csv",
        content=write_csv(["code", "name", "colour"], [["X1", "新村", "red"]]),
    )
    assert outcome.errors[0]["column"] == "colour"


def test_chinese_column_labels_are_accepted(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        outcome = registry_import(
            user=world.users["clerk_a"],
            kind="villages",
            file_name="v.csv",
            content=write_csv(["编码", "名称", "供电所", "区域类别"], [["XD900", "新寨村", "XD", "rural"]]),
        )
    assert outcome.ok, outcome.errors
    assert Village.objects.get(code="XD900").name == "新寨村"


def test_station_staff_cannot_import_into_another_station(world):
    outcome = registry_import(
        user=world.users["clerk_a"],
        kind="transformers",
        file_name="t.csv",
        content=write_csv(
            ["code", "name", "station", "village", "rated_kva", "connection_group"],
            [["ZJC001-09", "越权台区", "ZJC", "ZJC001", "100", "Dyn11"]],
        ),
    )
    assert {e["field"] for e in outcome.errors} == {"station", "village"}
    assert not TransformerDistrict.objects.filter(code="ZJC001-09").exists()


def test_station_staff_cannot_overwrite_another_stations_record_by_key(world):
    rows = customer_rows(1)
    rows[0][0] = "0603000001"
    outcome = registry_import(
        user=world.users["clerk_a"], kind="customers", file_name="c.csv", content=write_csv(HEADER, rows)
    )
    assert outcome.errors[0]["field"] == "account_no"
    assert Customer.objects.get(account_no="0603000001").name == "龙建明"


def test_a_file_that_is_not_a_table_is_rejected_clearly(world):
    from powerexpress.core.errors import ApiError

    with pytest.raises(ApiError):
        registry_import(
            user=world.users["clerk_a"], kind="customers", file_name="c.xlsx", content=b"not excel"
        )


def test_the_web_upload_runs_as_a_job_and_shows_the_outcome(world):
    client = world.web("clerk_a")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.csv", write_csv(HEADER, customer_rows()), content_type="text/csv")
    response = client.post("/registry/customers/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 3
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "3 created" in page


def test_a_failed_web_upload_lists_the_rows_to_fix(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = customer_rows()
    rows[0][2] = "522223197001010000"
    client = world.web("clerk_a")
    client.post("/registry/customers/import/", {"file": SimpleUploadedFile("c.csv", write_csv(HEADER, rows))})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "check character" in client.get(f"/imports/{job.pk}/").content.decode()


@pytest.mark.parametrize("who", ["crew_a", "auditor", "outsider"])
def test_roles_without_import_rights_cannot_open_the_import_page(world, who):
    assert world.web(who).get("/registry/customers/import/").status_code == 403


def test_the_import_command_reports_and_exits_nonzero_on_a_bad_file(world, tmp_path):
    from django.core.management.base import CommandError

    good = tmp_path / "good.csv"
    good.write_bytes(write_csv(HEADER, customer_rows()))
    call_command("import", "customers", str(good), "--user", "clerk_a", verbosity=0)
    assert Customer.objects.filter(account_no__startswith="06020001").count() == 3
    bad = tmp_path / "bad.csv"
    rows = customer_rows(1, start=200)
    rows[0][6] = "Z"
    bad.write_bytes(write_csv(HEADER, rows))
    with pytest.raises(CommandError, match="row 2"):
        call_command("import", "customers", str(bad), "--user", "clerk_a", verbosity=0)
