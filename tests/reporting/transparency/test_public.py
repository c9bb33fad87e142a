"""The public pages, the JSON and the CSV (R-PUB; API.md "Public transparency"): filters, contract, anonymous
access, the same page for everyone, and a fixed number of SQL queries whatever the number of factories."""

import csv
import io
import re
from datetime import date

import pytest

from assessments.models import CriticalIssue
from reporting.models import PublicListing
from reporting.services.transparency import rebuild
from tests.builders import (
    BuyerBuilder,
    FactoryBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    with_totp,
)
from tests.reporting.transparency.builders import published

pytestmark = pytest.mark.django_db
API = "/api/v1/public/transparency/"


def listed(code="KH", name=None, first=(), second=(), **kwargs):
    factory = FactoryBuilder(country=country(code), **({"name": name} if name else {}), **kwargs)
    published(factory, date(2024, 5, 1), first)
    published(factory, date(2025, 5, 1), second)
    return factory


@pytest.fixture
def world():
    factories = {
        "golden": listed("KH", "Golden Thread Co., Ltd.", ["OSH-2"], ["COMP-1"]),
        "clean": listed("KH", "Angkor Apparel"),
        "jordan": listed("JO", "Amman Garments", ["FOA-4"], ["CL-1"]),
        "vietnam": listed("VN", "Sai Gon Knit", [], ["OSH-2"]),
        "egypt": listed("EG", "Nile Cotton", ["OSH-2"], ["OSH-2"]),  # no launch date: never listed
    }
    rebuild()
    return factories


def names(payload):
    return sorted(row["factory"]["name"] for row in payload["results"])


def csv_rows(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_json_rows_follow_the_contract(client, world):
    payload = client.get(API).json()
    assert payload["count"] == 4
    row = next(r for r in payload["results"] if r["factory"]["id"] == world["golden"].pk)
    assert row["factory"] == {"id": world["golden"].pk, "name": "Golden Thread Co., Ltd.", "country": "KH"}
    assert row["assessment_dates"] == ["2025-05-01", "2024-05-01"]
    assert row["non_compliant"] == ["OSH-2", "COMP-1"]  # in the issues' order
    assert row["full_compliance"] is False
    assert {"code": "OSH-2", "state": "non_compliant"} in row["issues"]
    clean = next(r for r in payload["results"] if r["factory"]["id"] == world["clean"].pk)
    assert clean["non_compliant"] == []
    assert clean["full_compliance"] is True
    jordan = next(r for r in payload["results"] if r["factory"]["id"] == world["jordan"].pk)
    assert jordan["non_compliant"] == ["CL-1"]
    assert "FOA-4" not in {i["code"] for i in jordan["issues"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=kh", ["Angkor Apparel", "Golden Thread Co., Ltd."]),
        ("search=golden", ["Golden Thread Co., Ltd."]),
        ("search=GOLDEN THREAD ltd", ["Golden Thread Co., Ltd."]),
        ("search=nile", []),
        ("issue=OSH-2", ["Golden Thread Co., Ltd.", "Sai Gon Knit"]),
        ("issue=FOA-4", []),
        ("issue=OSH-2&country=VN", ["Sai Gon Knit"]),
        ("cluster=CL", ["Amman Garments"]),
        ("compliance=full", ["Angkor Apparel"]),
        ("compliance=any", ["Amman Garments", "Golden Thread Co., Ltd.", "Sai Gon Knit"]),
    ],
)
def test_filters_agree_across_json_csv_and_html(client, world, query, expected):
    query = query.replace("cluster=CL", f"cluster={CriticalIssue.objects.get(code='CL-1').cluster_id}")
    assert names(client.get(f"{API}?{query}").json()) == expected
    assert sorted(row["factory"] for row in csv_rows(client.get(f"/transparency.csv?{query}"))) == expected
    html = client.get(f"/transparency/?{query}").content.decode()
    shown = sorted(re.findall(r'<a href="/transparency/factories/\d+/">([^<]+)</a>', html))
    assert [name.replace("&#x27;", "'") for name in shown] == expected


def test_the_csv_streams_every_row_with_the_contract_columns(client, world):
    response = client.get("/transparency.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = csv_rows(response)
    golden = next(r for r in rows if r["factory_id"] == str(world["golden"].pk))
    assert golden == {
        "factory_id": str(world["golden"].pk), "factory": "Golden Thread Co., Ltd.", "country": "KH",
        "most_recent_assessment": "2025-05-01", "previous_assessment": "2024-05-01", "non_compliant": "OSH-2 COMP-1",
        "full_compliance": "no",
    }  # fmt: skip


def test_the_list_page_shows_full_compliance_and_the_factory_page_each_issue(client, world):
    html = client.get("/transparency/").content.decode()
    assert "Compliant on all publicly reported issues" in html
    assert "Nile Cotton" not in html
    page = client.get(f"/transparency/factories/{world['golden'].pk}/").content.decode()
    osh2 = re.search(r'<tr id="issue-OSH-2">(.*?)</tr>', page, re.S).group(1)
    assert osh2.count("Non-compliant") == 2  # previous column and state; the latest column is compliant
    assert "Assessment of 2024-05-01" in page
    assert "Assessment of 2025-05-01" in page
    jordan = client.get(f"/transparency/factories/{world['jordan'].pk}/").content.decode()
    assert 'id="issue-FOA-4"' not in jordan


def test_unlisted_factories_do_not_exist_on_the_portal(client, world):
    assert client.get(f"/transparency/factories/{world['egypt'].pk}/").status_code == 404
    assert client.get("/transparency/factories/999999/").status_code == 404


def test_the_issues_page_explains_each_issue_where_it_is_reported_and_charts_it(client, world):
    html = client.get("/transparency/issues/").content.decode()
    foa4 = re.search(r'<article class="card" id="FOA-4">(.*?)</article>', html, re.S).group(1)
    assert "Non-compliance arises when" in foa4
    reporting = re.search(r"Countries reporting: ([^<]*)</p>", foa4).group(1)
    assert "Cambodia" in reporting
    assert "Jordan" not in reporting
    assert "Vietnam" not in reporting
    assert "Egypt" not in reporting  # no launch date
    assert "<svg" in html
    assert "<title>Cambodia: share of the 2 listed factories" in html
    assert "<table><caption>Cambodia: 2 listed factories</caption>" in html
    filtered = client.get("/transparency/issues/?q=emergency exits").content.decode()
    assert 'id="OSH-2"' in filtered
    assert 'id="CL-1"' not in filtered


def test_everyone_sees_the_same_public_pages(client, world):
    def main(response):
        return re.search(r"<main id=\"main\">(.*)</main>", response.content.decode(), re.S).group(1)

    paths = ["/transparency/", f"/transparency/factories/{world['golden'].pk}/", "/transparency/issues/"]
    anonymous = {path: main(client.get(path)) for path in paths}
    anonymous_json = client.get(API).content
    manager = staff("programme_manager", "KH")
    with_totp(manager)
    for user in (factory_user(world["golden"]), buyer_user(BuyerBuilder()), manager, global_admin()):
        client.force_login(user)
        for path in paths:
            assert main(client.get(path)) == anonymous[path], (user.role, path)
        assert client.get(API).content == anonymous_json


@pytest.mark.parametrize("size", [3, 30])
def test_a_fixed_number_of_queries_whatever_the_number_of_factories(client, django_assert_max_num_queries, size):
    for n in range(size):
        listed("KH", f"Factory {n:03d}", ["OSH-2"] if n % 2 else [], ["COMP-1"] if n % 3 else [])
    rebuild()
    with django_assert_max_num_queries(3) as json_queries:
        assert client.get(API).json()["count"] == size
    with django_assert_max_num_queries(2) as csv_queries:
        assert len(csv_rows(client.get("/transparency.csv"))) == size
    for query in [*json_queries.captured_queries, *csv_queries.captured_queries]:  # the listing tables only
        tables = set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
        assert tables
        assert tables <= {"reporting_publiclisting", "reporting_publiclistingissue", "assessments_criticalissue"}
    with django_assert_max_num_queries(6):
        assert client.get("/transparency/?compliance=any").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(f"/transparency/factories/{PublicListing.objects.first().pk}/").status_code == 200


def test_the_csv_never_carries_a_spreadsheet_formula(client):
    listed("KH", '=HYPERLINK("http://example.org","x")')
    rebuild()
    (row,) = csv_rows(client.get("/transparency.csv"))
    assert row["factory"] == '\'=HYPERLINK("http://example.org","x")'


def test_first_pages_are_served_from_the_cache_until_a_listing_changes(client, django_assert_max_num_queries):
    """The list page and the JSON are built once per listings version, language and filters; a refresh (a
    publication, a moderated response, a rebuild) changes the version, so nobody is served the old rows."""
    listed("KH", "Alpha Garments", ["OSH-2"])
    rebuild()
    assert "Alpha Garments" in client.get("/transparency/").content.decode()
    assert client.get(API).json()["count"] == 1
    with django_assert_max_num_queries(0):
        assert "Alpha Garments" in client.get("/transparency/").content.decode()
        assert client.get(API).json()["count"] == 1
    with django_assert_max_num_queries(6):  # other filters are another page
        assert "Alpha Garments" not in client.get("/transparency/?issue=COMP-1").content.decode()
    listed("KH", "Beta Textiles", [])
    rebuild()
    assert "Beta Textiles" in client.get("/transparency/").content.decode()
    assert client.get(API).json()["count"] == 2
    client.cookies["django_language"] = "fr"
    assert '<html lang="fr"' in client.get("/transparency/").content.decode()
    assert "usines répertoriées" in client.get("/transparency/").content.decode()
