"""Reading the web form: the posted fields into the same dict the API receives."""

from powerexpress.applications.choices import KIND_DOCUMENTS, KIND_EXAMPLES

COMMON_FIELDS = (
    "applicant_name",
    "id_number",
    "phone",
    "village",
    "address",
    "requested_kw",
    "business_name",
    "purpose",
    "supply_until",
    "account_no",
)


def raw_from_post(post, kind: str) -> dict:
    """The application as typed: text fields, appliance rows and ticked documents."""
    raw = {name: post.get(name, "").strip() for name in COMMON_FIELDS}
    names, quantities, kws = (
        post.getlist("appliance_name"),
        post.getlist("appliance_quantity"),
        post.getlist("appliance_kw"),
    )
    rows = []
    for name, quantity, kw in zip(names, quantities, kws, strict=False):
        if name.strip() or quantity.strip() or kw.strip():
            rows.append({"name": name.strip(), "quantity": quantity.strip(), "kw": kw.strip()})
    raw.update(kind=kind, appliances=rows, documents=post.getlist("documents"))
    return raw


def blank_raw(kind: str, village: str = "", phone: str = "") -> dict:
    """An empty form with one appliance row showing the kind's first example as placeholder."""
    return {
        "kind": kind,
        "village": village,
        "phone": phone,
        "appliances": [{"name": "", "quantity": "", "kw": ""}],
        "documents": [],
    }


def documents_for(kind: str):
    return [(str(doc.value), doc.label) for doc in KIND_DOCUMENTS[kind]]


def examples_for(kind: str):
    return [(str(name), quantity, kw) for name, quantity, kw in KIND_EXAMPLES[kind]]
