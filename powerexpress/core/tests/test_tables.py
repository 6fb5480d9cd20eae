import io

import pytest
from openpyxl import load_workbook

from powerexpress.core.tables import read_table, write_csv, write_xlsx


def test_an_excel_export_drops_control_characters_and_keeps_formulas_as_plain_text():
    content = write_xlsx(["name", "note"], [["杨\x00永\x07国", '=HYPERLINK("http://x")'], ["+1", "-2"]])
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1] == ["杨永国", '=HYPERLINK("http://x")']
    assert rows[2] == ["+1", "-2"]
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row)


def test_an_excel_export_re_imports_to_the_same_values():
    rows = [["=SUM(1)", "@x", "普通"]]
    assert [values for _line, values in read_table("a.xlsx", write_xlsx(["a", "b", "c"], rows))] == [
        {"a": "=SUM(1)", "b": "@x", "c": "普通"}
    ]


def test_a_csv_export_neutralises_formulas_with_an_apostrophe():
    text = write_csv(["a", "b"], [["=1+1", "ok\x00"]]).decode("utf-8-sig")
    assert text.splitlines()[1] == "'=1+1,ok"


@pytest.mark.parametrize("writer", [write_xlsx, write_csv])
def test_the_rows_generator_is_closed_even_when_writing_fails(writer):
    closed = []

    class Unwritable:
        def __str__(self):
            raise ValueError("no text")

    def rows():
        try:
            yield ["ok"]
            yield [Unwritable()]  # a value no writer accepts
            yield ["never"]
        finally:
            closed.append(True)

    with pytest.raises((ValueError, TypeError)):
        writer(["a"], rows())
    assert closed == [True]
