"""The dashboards page, its exports and the API: who sees them (programme managers their country, global admins
all; anyone else 404, anonymous the sign-in page), what they show, and a fixed number of SQL queries."""

import csv
import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from tests.builders import (
    BuyerBuilder,
    FactoryBuilder,
    buyer_user,
    factory_user,
    global_admin,
    staff,
    with_totp,
)
from tests.reporting.dashboards.helpers import (
    NC,
    NOW,
    OK,
    closed,
    cycle,
    cycle_health_world,
    factory,
    milestone,
    non_compliance_world,
    questions,
    service_world,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reporting.dashboards.urls")]
PERIOD = "start=2025-01-01&end=2026-11-24"
API = ("non-compliance", "cycle-health", "service-delivery")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _signed_in(client, user):
    if user.is_programme_staff:
        with_totp(user)
    client.force_login(user)
    return user


def test_only_programme_managers_and_global_admins_see_the_dashboards(client, api_client):
    assert client.get("/dashboards/").status_code == 302  # anonymous: to the sign-in page
    assert client.get("/dashboards/export/clusters.csv").status_code == 302
    assert api_client.get("/api/v1/dashboards/non-compliance/").status_code in (401, 403)
    outsiders = (staff("advisor", "KH"), staff("assessor", "KH"), factory_user(FactoryBuilder()),
                 buyer_user(BuyerBuilder()))  # fmt: skip
    for outsider in outsiders:
        _signed_in(client, outsider)
        api_client.force_authenticate(outsider)
        assert client.get("/dashboards/").status_code == 404
        assert client.get("/dashboards/export/clusters.xlsx").status_code == 404
        for name in API:
            assert api_client.get(f"/api/v1/dashboards/{name}/").status_code == 404
    for reader in (staff("programme_manager", "KH"), global_admin()):
        _signed_in(client, reader)
        api_client.force_authenticate(reader)
        assert client.get("/dashboards/").status_code == 200
        for name in API:
            assert api_client.get(f"/api/v1/dashboards/{name}/").status_code == 200


def test_the_page_shows_the_headline_rate_definitions_charts_and_tables(client):
    non_compliance_world()
    cycle_health_world()
    _signed_in(client, global_admin())
    page = client.get(f"/dashboards/?{PERIOD}").content.decode()
    assert f"{19 / 48 * 100:.1f}%" in page  # the headline rate, 19/48
    assert "average of these shares over the factories" in page  # the definition, on the page
    assert page.count("<svg") >= 4
    assert "<title>" in page
    assert 'role="img"' in page
    assert "Bayon Garments" in page
    assert "Angkor Knits" in page
    assert "/dashboards/export/clusters.xlsx?" in page


def test_a_manager_sees_only_their_country_whatever_the_filter(client, api_client):
    world = cycle_health_world()
    manager = _signed_in(client, staff("programme_manager", "VN"))
    page = client.get("/dashboards/?country=KH").content.decode()
    assert "Angkor Knits" not in page  # a KH factory
    api_client.force_authenticate(manager)
    late = api_client.get("/api/v1/dashboards/cycle-health/?country=KH").json()["late_factories"]
    assert [row["factory_id"] for row in late] == [world.f4.pk]
    admin = _signed_in(client, global_admin())
    assert "Angkor Knits" in client.get("/dashboards/?country=KH").content.decode()
    api_client.force_authenticate(admin)
    late = api_client.get("/api/v1/dashboards/cycle-health/?country=KH").json()["late_factories"]
    assert [row["factory_id"] for row in late] == [world.f2.pk, world.f1.pk]


def test_api_non_compliance_numbers_and_filters(api_client):
    non_compliance_world()
    api_client.force_authenticate(global_admin())
    body = api_client.get(f"/api/v1/dashboards/non-compliance/?{PERIOD}&by=quarter").json()
    assert body["headline"] == round(19 / 48, 4)
    assert (body["factories"], body["rated"]) == (5, 4)
    assert {row["period"]: row["headline"] for row in body["trend"]} == {
        "2025-Q1": 1.0, "2026-Q1": round(1 / 6, 4), "2026-Q2": round(5 / 8, 4),
    }  # fmt: skip
    assert {row["code"]: row["headline"] for row in body["countries"]} == {"KH": round(13 / 36, 4), "VN": 0.5}
    bad = api_client.get("/api/v1/dashboards/non-compliance/?start=2026-01-01&end=2025-01-01")
    assert bad.status_code == 400
    assert "end" in bad.json()


def test_api_service_delivery(api_client):
    world = service_world()
    api_client.force_authenticate(world.manager)
    rows = api_client.get("/api/v1/dashboards/service-delivery/").json()["countries"]
    assert [row["country"] for row in rows] == ["KH"]
    assert (rows[0]["advisory_days_used"], rows[0]["seminars_used"], rows[0]["assessments_used"]) == ("4.0", 3, 1)


def test_csv_export_has_the_tables_rows(client):
    world = non_compliance_world()
    _signed_in(client, staff("programme_manager", "KH"))
    response = client.get(f"/dashboards/export/countries.csv?{PERIOD}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Country", "Name"]
    assert rows[1:] == [["KH", "Cambodia", "4", "3", f"{13 / 36 * 100:.1f}", "2", f"{2 / 3 * 100:.1f}"]]
    issues = list(csv.reader(io.StringIO(client.get(f"/dashboards/export/issues.csv?{PERIOD}").content.decode())))
    cl1 = next(row for row in issues if row[0] == world.q.p1.critical_issue_id)
    assert cl1[3:] == ["3", "2", f"{2 / 3 * 100:.1f}"]  # KH only: A NC, B OK, C NC
    assert client.get("/dashboards/export/nothing.csv").status_code == 404
    assert client.get("/dashboards/export/clusters.pdf").status_code == 404


def test_xlsx_export_opens_with_numbers_as_numbers(client):
    cycle_health_world()
    _signed_in(client, global_admin())
    response = client.get("/dashboards/export/late-factories.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0] == ("Factories with overdue milestones",) + (None,) * (len(values[0]) - 1)
    header = values[2]
    assert header[:3] == ("Country", "Factory", "Overdue milestones")
    assert [(row[1], row[4]) for row in values[3:]] == [("Bayon Garments", 30), ("Angkor Knits", 23), (values[5][1], 4)]


def test_cells_cannot_smuggle_spreadsheet_formulas(client):
    f = factory(name="=HYPERLINK(1)")
    milestone(cycle(f, status="open"), "progress_report_1", date(2026, 11, 1))
    _signed_in(client, global_admin())
    body = client.get("/dashboards/export/late-factories.csv").content.decode()
    assert "'=HYPERLINK(1)" in body


def _bigger(n: int) -> None:
    q = questions()
    for i in range(n):
        f = factory("KH" if i % 2 else "VN")
        closed(f, date(2026, 3, 2 + i), {q.p1: NC if i % 3 else OK, q.p2: OK, q.n1: NC}, number=1)
        open_cycle = cycle(f, number=2, start=date(2026, 6, 1), status="open")
        milestone(open_cycle, "progress_report_1", date(2026, 11, 1))


def _queries(client, django_assert_max_num_queries, api_client, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(f"/dashboards/?{PERIOD}").status_code == 200
    with django_assert_max_num_queries(limit):
        assert client.get(f"/dashboards/export/clusters.xlsx?{PERIOD}").status_code == 200
    for name in API:
        with django_assert_max_num_queries(limit):
            assert api_client.get(f"/api/v1/dashboards/{name}/?{PERIOD}").status_code == 200


def test_a_fixed_number_of_queries_whatever_the_data(client, api_client, django_assert_max_num_queries):
    admin = _signed_in(client, global_admin())
    api_client.force_authenticate(admin)
    _bigger(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/dashboards/?{PERIOD}")
    _bigger(12)
    service_world()
    with CaptureQueriesContext(connection) as large:
        client.get(f"/dashboards/?{PERIOD}")
    assert len(large) == len(small)
    _queries(client, django_assert_max_num_queries, api_client, len(small))


def test_an_invalid_filter_is_reported_and_the_default_used(client):
    _signed_in(client, staff("programme_manager", "KH"))
    page = client.get("/dashboards/?start=2026-05-01&end=2026-01-01&country=VN").content.decode()
    assert "The end of the period comes before its start." in page
    assert "Select a valid choice" in page  # a manager cannot pick another country
