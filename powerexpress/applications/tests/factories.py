"""Valid application bodies for tests."""

from conftest import make_id_number


def application_body(**overrides) -> dict:
    body = {
        "kind": "agricultural",
        "applicant_name": "杨永国",
        "id_number": make_id_number("19800101", "123"),
        "phone": "13812345678",
        "village": "XD001",
        "address": "老寨村3组 河边水田",
        "requested_kw": "6",
        "appliances": [
            {"name": "水泵", "quantity": 1, "kw": "5.5"},
            {"name": "照明", "quantity": 2, "kw": "0.05"},
        ],
    }
    body.update(overrides)
    return body
