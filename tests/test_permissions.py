"""Who may use each page and each API operation, as one table of data.

Every URL pattern of the project (Django's urlconf, and the API's operations from its OpenAPI
schema) is requested with a GET by each person of the shared test world, with sample arguments
for its path parameters. A person "gets through" when the view answers (2xx, a redirect that is
not to a sign-in page, or 400/422 for a missing query parameter); 401, 403, 404 and a redirect to
sign in keep them out. The test fails when the answers differ from ``PAGES`` / ``API``, and when a
pattern or operation appears that has no row: a new view must declare its rule here.

The table records the GET rule. A page that only accepts POST answers 405 to a signed-in GET and
is listed as ``POST_ONLY``; the POST rules are the named permissions in ``accounts/roles.py``
checked by each view and service, and are covered by each app's own access-denied tests. The
admin site is one row (``admin:``): it admits only ``is_staff`` accounts, which no role has.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from powerexpress.api import api
from powerexpress.applications.services import application_submit
from powerexpress.applications.tests.factories import application_body
from powerexpress.repair.tests.factories import report
from powerexpress.workorders.choices import WorkOrderKind
from powerexpress.workorders.services import work_order_create

pytestmark = pytest.mark.django_db

PEOPLE = ("anonymous", "outsider", "clerk_a", "clerk_b", "crew_a", "team_a", "manager", "auditor")

# Groups of people, so that the table reads as rules.
EVERYONE = frozenset(PEOPLE)
SIGNED_IN = EVERYONE - {"anonymous"}
WITH_ROLE = SIGNED_IN - {"outsider"}
STATION_A_SCOPE = WITH_ROLE - {"clerk_b"}  # station A's objects: bureau-wide roles and station A
WRITERS = WITH_ROLE - {"auditor"}  # outreach's recorders
OFFICE = frozenset({"clerk_a", "clerk_b", "manager"})  # station staff and managers
OFFICE_A = OFFICE - {"clerk_b"}  # the office, on station A's objects
COMMAND_CENTRE = frozenset({"auditor", "clerk_a", "clerk_b", "manager"})
AUDITORS = frozenset({"auditor", "manager"})
MANAGERS = frozenset({"manager"})
VILLAGERS_ONLY = frozenset()  # the portal's own sign-in; no staff account gets through
STAFF_ACCOUNTS_ONLY = frozenset()  # Django's admin: is_staff accounts, which no role has
# A signed link or an object the sample world has none of: every person gets 404, so the row
# only shows that nobody gets through without one.
NO_SAMPLE = frozenset()
NOBODY = frozenset()
POST_ONLY = "post only"

PAGES: dict[str, frozenset[str] | str] = {
    "core:home": SIGNED_IN,
    "core:overview": SIGNED_IN,
    "core:service_worker": EVERYONE,
    "core:manifest": EVERYONE,
    "core:offline_sync": POST_ONLY,
    "core:offline_conflicts_seen": POST_ONLY,
    "core:text_size": EVERYONE,
    "core:audit_log": AUDITORS,
    "core:import_status": NO_SAMPLE,
    "core:healthz": EVERYONE,
    "core:favicon": EVERYONE,
    "core:media": NO_SAMPLE,
    "accounts:login": EVERYONE,
    "accounts:logout": POST_ONLY,
    "registry:first_run": MANAGERS,
    "registry:stations": SIGNED_IN,
    "registry:villages": SIGNED_IN,
    "registry:transformers": SIGNED_IN,
    "registry:customers": SIGNED_IN,
    "registry:teams": SIGNED_IN,
    "registry:export_job": NO_SAMPLE,
    "registry:export_job_download": NO_SAMPLE,
    "registry:list": SIGNED_IN,
    "registry:create": OFFICE,
    "registry:import": OFFICE,
    "registry:import_template": OFFICE,
    "registry:export": SIGNED_IN,
    "registry:export_job_start": POST_ONLY,
    "registry:detail": STATION_A_SCOPE,
    "registry:edit": OFFICE_A,
    "registry:customer_reveal": POST_ONLY,
    "workorders:list": SIGNED_IN,
    "workorders:detail": STATION_A_SCOPE,
    "workorders:move": POST_ONLY,
    "workorders:complete": POST_ONLY,
    "billing:home": SIGNED_IN,
    "billing:readings_import": POST_ONLY,
    "billing:run_start": POST_ONLY,
    "billing:run": NO_SAMPLE,
    "billing:reading_fix": POST_ONLY,
    "billing:bills": SIGNED_IN,
    "billing:bill": NO_SAMPLE,
    "billing:public_bill": NO_SAMPLE,
    "billing:tariffs": SIGNED_IN,
    "billing:tariff": SIGNED_IN,
    "billing:tariff_edit": MANAGERS,
    "billing:agreements": SIGNED_IN,
    "billing:agreement_action": POST_ONLY,
    "billing:debit": SIGNED_IN,
    "billing:batch_file": NO_SAMPLE,
    "billing:kpis": SIGNED_IN,
    "billing:worklist": STATION_A_SCOPE,
    "repair:list": WITH_ROLE,
    "repair:report": EVERYONE,
    "repair:follow": EVERYONE,
    "repair:rate": NO_SAMPLE,
    "repair:hotline": OFFICE,
    "repair:lookup": WITH_ROLE,
    "repair:crew": WITH_ROLE,
    "repair:crew_ticket": OFFICE_A,
    "repair:crew_step": POST_ONLY,
    "repair:crew_undo": POST_ONLY,
    "repair:crew_note": POST_ONLY,
    "repair:detail": STATION_A_SCOPE,
    "repair:move": POST_ONLY,
    "repair:note": POST_ONLY,
    "repair:reveal": POST_ONLY,
    "repair:outages": WITH_ROLE,
    "repair:outage_plan": OFFICE,
    "repair:outage": NO_SAMPLE,
    "repair:outage_action": POST_ONLY,
    "repair:kpis": WITH_ROLE,
    "repair:settings": WITH_ROLE,
    "grid:risk": WITH_ROLE,
    "grid:forecast_issue": POST_ONLY,
    "grid:transformer": STATION_A_SCOPE,
    "grid:curve": STATION_A_SCOPE,
    "grid:plan_create": POST_ONLY,
    "grid:plan_issue": POST_ONLY,
    "grid:upload": WITH_ROLE,
    "grid:settings": WITH_ROLE,
    "lineloss:ranking": WITH_ROLE,
    "lineloss:district": STATION_A_SCOPE,
    "lineloss:plan_add": POST_ONLY,
    "lineloss:suspect_confirm": POST_ONLY,
    "lineloss:suspect_dismiss": POST_ONLY,
    "lineloss:plan": WITH_ROLE,
    "lineloss:plan_close": POST_ONLY,
    "lineloss:settings": WITH_ROLE,
    "applications:list": SIGNED_IN,
    "applications:settings": WITH_ROLE,
    "applications:holiday_notice": POST_ONLY,
    "applications:apply": EVERYONE,
    "applications:apply_form": EVERYONE,
    "applications:blank_pdf": EVERYONE,
    "applications:track_lookup": EVERYONE,
    "applications:track": EVERYONE,
    "applications:track_withdraw": POST_ONLY,
    "applications:receipt_pdf": NO_SAMPLE,
    "applications:application_pdf": NO_SAMPLE,
    "applications:detail": STATION_A_SCOPE,
    "applications:move": POST_ONLY,
    "applications:reveal": POST_ONLY,
    "outreach:home": SIGNED_IN,
    "outreach:today": SIGNED_IN,
    "outreach:activities": SIGNED_IN,
    "outreach:activity_create": WRITERS,
    "outreach:activity": NO_SAMPLE,
    "outreach:activity_edit": NO_SAMPLE,
    "outreach:teams": SIGNED_IN,
    "outreach:team": STATION_A_SCOPE,
    "outreach:village": STATION_A_SCOPE,
    "outreach:plan": SIGNED_IN,
    "outreach:plan_calendar": SIGNED_IN,
    "outreach:plan_item_create": WRITERS,
    "outreach:plan_item": NO_SAMPLE,
    "outreach:plan_item_edit": NO_SAMPLE,
    "outreach:meeting_create": WRITERS,
    "outreach:meeting": NO_SAMPLE,
    "outreach:care_due": SIGNED_IN,
    "outreach:care_plans": WITH_ROLE,
    "outreach:care_household": STATION_A_SCOPE,
    "outreach:campaigns": SIGNED_IN,
    "outreach:campaign_create": WRITERS,
    "outreach:campaign": NO_SAMPLE,
    "outreach:hazards": SIGNED_IN,
    "outreach:hazard": NO_SAMPLE,
    "outreach:hazard_order_fix": POST_ONLY,
    "outreach:hazard_reinspect": POST_ONLY,
    "outreach:boards": SIGNED_IN,
    "outreach:station_boards_pdf": STATION_A_SCOPE,
    "outreach:notice_board": EVERYONE,
    "outreach:notice_board_pdf": EVERYONE,
    "outreach:charity_list": SIGNED_IN,
    "outreach:charity_create": WRITERS,
    "outreach:charity": NO_SAMPLE,
    "portal:home": VILLAGERS_ONLY,
    "portal:login": EVERYONE,
    "portal:login_code": VILLAGERS_ONLY,
    "portal:logout": POST_ONLY,
    "portal:bills": VILLAGERS_ONLY,
    "portal:autodebit": VILLAGERS_ONLY,
    "portal:faults": VILLAGERS_ONLY,
    "portal:applications": VILLAGERS_ONLY,
    "portal:board": VILLAGERS_ONLY,
    "portal:rate": VILLAGERS_ONLY,
    "command:home": COMMAND_CENTRE,
    "command:export": NO_SAMPLE,
    "command:map": COMMAND_CENTRE,
    "command:map_data": COMMAND_CENTRE,
    "command:map_reveal": POST_ONLY,
    "command:leaflet": EVERYONE,
    "command:scores": COMMAND_CENTRE,
    "command:score_detail": NO_SAMPLE,
    "command:kpis": COMMAND_CENTRE,
    "command:kpi_create": MANAGERS,
    "command:kpi_edit": NO_SAMPLE,
    "command:reports": COMMAND_CENTRE,
    "command:report_download": NO_SAMPLE,
    "set_language": EVERYONE,
    "api:openapi-json": EVERYONE,
    "api:openapi-view": EVERYONE,
    "api:api-root": NOBODY,  # Ninja names the prefix but serves nothing there
    "admin:": STAFF_ACCOUNTS_ONLY,
}
API: dict[str, frozenset[str]] = {
    "GET /api/v1/stations": SIGNED_IN,
    "GET /api/v1/stations/{code}": STATION_A_SCOPE,
    "GET /api/v1/townships": SIGNED_IN,
    "GET /api/v1/townships/{code}": STATION_A_SCOPE,
    "GET /api/v1/villages": SIGNED_IN,
    "GET /api/v1/villages/{code}": STATION_A_SCOPE,
    "GET /api/v1/transformers": SIGNED_IN,
    "GET /api/v1/transformers/{code}": STATION_A_SCOPE,
    "GET /api/v1/meters": SIGNED_IN,
    "GET /api/v1/meters/{meter_no}": STATION_A_SCOPE,
    "GET /api/v1/staff": SIGNED_IN,
    "GET /api/v1/staff/{employee_no}": STATION_A_SCOPE,
    "GET /api/v1/teams": SIGNED_IN,
    "GET /api/v1/teams/{code}": STATION_A_SCOPE,
    "GET /api/v1/customers": SIGNED_IN,
    "GET /api/v1/customers/{account_no}": STATION_A_SCOPE,
    "GET /api/v1/billing/tariffs": SIGNED_IN,
    "GET /api/v1/billing/tariffs/{code}": SIGNED_IN,
    "GET /api/v1/billing/runs/{run_id}": NO_SAMPLE,
    "GET /api/v1/billing/customers/{account_no}/bills": STATION_A_SCOPE,
    "GET /api/v1/billing/debit-batches/{batch_no}/file": NO_SAMPLE,
    "GET /api/v1/billing/kpis/signup": SIGNED_IN,
    "GET /api/v1/faults/{number}": EVERYONE,
    "GET /api/v1/repair/tickets": SIGNED_IN,
    "GET /api/v1/repair/tickets/{number}": STATION_A_SCOPE,
    "GET /api/v1/repair/kpis": SIGNED_IN,
    "GET /api/v1/grid/line-loss": SIGNED_IN,
    "GET /api/v1/grid/line-loss/{transformer}": STATION_A_SCOPE,
    "GET /api/v1/applications": SIGNED_IN,
    "GET /api/v1/applications/{tracking_no}": NO_SAMPLE,
    "GET /api/v1/outreach/activities": SIGNED_IN,
    "GET /api/v1/outreach/activities/{code}": NO_SAMPLE,
    "GET /api/v1/outreach/care/due": SIGNED_IN,
    "GET /api/v1/outreach/hazards": SIGNED_IN,
    "GET /api/v1/outreach/boards/{village_code}": EVERYONE,
}


API_PAGES = ("api:openapi-json", "api:openapi-view", "api:api-root")


def _sample_objects(world) -> dict:
    ticket = report(world)
    order = work_order_create(
        user=world.users["manager"],
        station=world.station_a,
        kind=WorkOrderKind.PHASE_BALANCE,
        title="调整老寨村1号台区三相负荷",
        transformer=world.transformer_a,
        items=[{"household": "0602000001", "from": "A", "to": "C"}],
    )
    application, _created = application_submit(raw=application_body())
    return {"ticket": ticket, "order": order, "application": application}


def _page_kwargs(name: str, params: list[str], world, objects) -> dict:
    """Sample path arguments: station A's objects, so that station A's people reach them."""
    samples = {
        "pk": 1,
        "kind": "customers",
        "number": objects["ticket"].number,
        "tracking_no": objects["application"].tracking_no,
        "code": world.transformer_a.code,
        "village_code": world.village_a.code,
        "station_code": world.station_a.code,
        "station": world.station_a.code,
        "account_no": world.customer_a.account_no,
        "month": "2026-11",
        "token": "sample",
        "batch_no": "sample",
        "action": "sample",
        "file_format": "xlsx",
        "path": "sample.txt",
        "key": "sample",
        "fmt": "csv",
        "name": "leaflet.js",
    }
    per_page = {
        "registry:detail": {"pk": world.customer_a.pk},
        "registry:edit": {"pk": world.customer_a.pk},
        "registry:customer_reveal": {"pk": world.customer_a.pk},
        "workorders:detail": {"pk": objects["order"].pk},
        "workorders:move": {"pk": objects["order"].pk},
        "workorders:complete": {"pk": objects["order"].pk},
        "outreach:team": {"pk": world.team_a.pk},
        "outreach:village": {"code": world.village_a.code},
        "applications:apply_form": {"kind": "agricultural"},
        "applications:blank_pdf": {"kind": "agricultural"},
        "command:map_reveal": {"kind": "transformer", "code": world.transformer_a.code},
    }
    values = {**samples, **per_page.get(name, {})}
    return {param: values[param] for param in params}


def _page_patterns():
    """(name, route with sample values filled in) for every pattern outside the API and admin."""

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or ""), prefix + str(pattern.pattern), pattern

    for name, route, pattern in walk(get_resolver().url_patterns, "", ""):
        if route.startswith("admin/") or (route.startswith("api/") and name not in API_PAGES):
            continue
        yield name, route, pattern


def _gets_through(response) -> bool | None:
    """True: the view answered; False: kept out; None: GET is not served (POST only)."""
    if response.status_code == 405:
        return None
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code in (301, 302, 303):
        return "login" not in response.get("Location", "")
    assert response.status_code < 500, response.content[:500]
    return True


def _client(world, person: str) -> Client:
    if person == "anonymous":
        return Client(HTTP_ACCEPT_LANGUAGE="en")
    return world.web(person)


def _observed_pages(world) -> dict[str, frozenset[str] | str]:
    from django.urls import reverse

    objects = _sample_objects(world)
    clients = {person: _client(world, person) for person in PEOPLE}
    observed: dict[str, frozenset[str] | str] = {}
    for name, _route, pattern in _page_patterns():
        params = list(pattern.pattern.converters)
        url = reverse(name, kwargs=_page_kwargs(name, params, world, objects))
        answers = {person: _gets_through(client.get(url)) for person, client in clients.items()}
        if all(answer in (None, False) for answer in answers.values()) and None in answers.values():
            observed[name] = POST_ONLY
        else:
            observed[name] = frozenset(person for person, answer in answers.items() if answer)
    observed["admin:"] = frozenset(
        person for person, client in clients.items() if _gets_through(client.get("/admin/"))
    )
    return observed


def _api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def _api_path(path: str, world, objects) -> str:
    by_path = {
        "/api/v1/stations/{code}": world.station_a.code,
        "/api/v1/townships/{code}": "XD-T1",
        "/api/v1/villages/{code}": world.village_a.code,
        "/api/v1/transformers/{code}": world.transformer_a.code,
        "/api/v1/teams/{code}": world.team_a.code,
        "/api/v1/outreach/activities/{code}": "sample",
        "/api/v1/billing/tariffs/{code}": "sample",
    }
    samples = {
        "{code}": by_path.get(path, "sample"),
        "{meter_no}": "M0602000001",
        "{employee_no}": "XD-001",
        "{account_no}": world.customer_a.account_no,
        "{number}": objects["ticket"].number,
        "{tracking_no}": objects["application"].tracking_no,
        "{transformer}": world.transformer_a.code,
        "{village_code}": world.village_a.code,
        "{run_id}": "1",
        "{batch_no}": "sample",
    }
    for placeholder, value in samples.items():
        path = path.replace(placeholder, str(value))
    return path


def _observed_api(world) -> dict[str, frozenset[str]]:
    objects = _sample_objects(world)
    observed = {}
    for method, path in _api_operations():
        if method != "GET":
            continue
        url = _api_path(path, world, objects)
        allowed = set()
        for person in PEOPLE:
            client = world.api(None if person == "anonymous" else person)
            if _gets_through(client.get(url)):
                allowed.add(person)
        observed[f"GET {path}"] = frozenset(allowed)
    return observed


def test_every_page_and_api_operation_has_a_declared_rule():
    pages = {name for name, _route, _pattern in _page_patterns()} | {"admin:"}
    operations = {f"{method} {path}" for method, path in _api_operations() if method == "GET"}
    assert sorted(pages - PAGES.keys()) == [], "pages without a rule in PAGES"
    assert sorted(operations - API.keys()) == [], "API operations without a rule in API"
    assert sorted(PAGES.keys() - pages) == [], "rules in PAGES for pages that no longer exist"
    assert sorted(API.keys() - operations) == [], "rules in API for operations that no longer exist"


def test_each_page_admits_exactly_the_people_its_rule_names(world):
    observed = _observed_pages(world)
    wrong = {
        name: sorted(who) if isinstance(who, frozenset) else who
        for name, who in observed.items()
        if PAGES.get(name) != who
    }
    assert wrong == {}


def test_each_api_read_admits_exactly_the_people_its_rule_names(world):
    observed = _observed_api(world)
    wrong = {name: sorted(who) for name, who in observed.items() if API.get(name) != who}
    assert wrong == {}
