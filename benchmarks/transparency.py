"""Benchmark: the public transparency portal (issue 8, Performance) with 20,000 listed factories.

    DJANGO_SETTINGS_MODULE=betterwork.settings.test .venv/bin/python benchmarks/transparency.py [--factories 20000]

Runs on its own throwaway database, like benchmarks/sweep.py: an SQLite file in a temporary folder, or, with
DATABASE_URL set, a fresh PostgreSQL database named `<name>_bench` on that server.

The data builder (`build`) bulk-creates the factories and their public read model directly, as the portal reads
it: one `PublicListing` per factory (two assessments since the launch, dates in 2024 and 2025) and one
`PublicListingIssue` per critical issue reported in its country (R-PUB-4), with a deterministic pseudo-random
pattern of non-compliance (about one factory in six in full compliance) and a few factory responses. The
snapshot tables behind them are not needed: the portal never reads them.

Then it prints, for the JSON first page (`/api/v1/public/transparency/`), the HTML first page (`/transparency/`)
and the full CSV (`/transparency.csv`, every row, streamed), each fetched through the test client (the whole
middleware stack): the best of `--runs` times and the SQL query count, beside a "floor": the same rows fetched
by one raw SQL query (issue codes aggregated in SQL) and serialised with the standard library (json, html.escape,
csv). Goal: within 2× the floor, with a fixed number of queries.

The floor is printed twice: the bare function, and the same function served as a plain view behind the platform's
middleware (`/bench-floor/<kind>/`, added in this process only). The budget of each figure is 2× the second: a
Django request costs about a millisecond before any view runs, which no page can avoid and the bare function does
not pay. Pages are timed cached (the portal keeps each first page until a listing changes) and cold (an empty
cache: the first visitor after a publication).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import recreate_database, result  # noqa: E402


def build(n: int, seed: int = 8) -> int:
    """`n` listed factories with their listing rows (see the module docstring). Returns the issue rows made."""
    from datetime import date

    from assessments.models import CriticalIssue, CriticalIssueException
    from factories.models import Country, Factory
    from reporting.models import PublicListing, PublicListingIssue
    from reporting.services.transparency import search_key

    rng = random.Random(seed)  # noqa: S311  (repeatable test data, not security)
    countries = list(Country.objects.exclude(public_reporting_since=None).values_list("code", flat=True))
    issues = list(CriticalIssue.objects.order_by("number").values_list("code", flat=True))
    left_out = set(CriticalIssueException.objects.values_list("country_id", "issue_id"))
    words = ["Golden", "Thread", "Lotus", "Mekong", "Angkor", "Blue", "River", "Star", "Silk", "Textile", "Apparel"]
    factories = Factory.objects.bulk_create(
        (
            Factory(
                name=f"{rng.choice(words)} {rng.choice(words)} {i:05d} Co., Ltd.",
                country_id=countries[i % len(countries)],
                workers=rng.randint(100, 5000),
                women_percent=70,
                status=Factory.Status.ACTIVE,
            )
            for i in range(n)
        ),
        batch_size=500,
    )
    listings, rows = [], []
    for factory in factories:
        clean = rng.random() < 0.17
        count = 0
        for code in issues:
            if (factory.country_id, code) in left_out:
                continue
            latest = not clean and rng.random() < 0.06
            previous = not clean and rng.random() < 0.08
            state = "non_compliant" if latest or previous else "compliant"
            if state == "non_compliant":
                count += 1
                state = rng.choice(["non_compliant"] * 8 + ["factory_reports_fixed", "verified"])
            rows.append(PublicListingIssue(listing_id=factory.pk, issue_id=code, latest=latest, previous=previous,
                                           state=state))  # fmt: skip
        listings.append(
            PublicListing(
                factory_id=factory.pk, name=factory.name, search_name=search_key(factory.name),
                country_id=factory.country_id, latest_assessed_on=date(2025, 1 + factory.pk % 12, 1),
                previous_assessed_on=date(2024, 1 + factory.pk % 12, 1), non_compliant_count=count,
                full_compliance=count == 0,
            )
        )  # fmt: skip
    PublicListing.objects.bulk_create(listings, batch_size=500)
    PublicListingIssue.objects.bulk_create(rows, batch_size=500)
    return len(rows)


FLOOR_SQL = """
SELECT l.factory_id, l.name, l.country_id, l.latest_assessed_on, l.previous_assessed_on, l.full_compliance,
       (SELECT {agg} FROM reporting_publiclistingissue i WHERE i.listing_id = l.factory_id
        AND i.state <> 'compliant') AS codes
FROM reporting_publiclisting l ORDER BY l.country_id, l.search_name, l.factory_id {limit}
"""


BENCH_QUICK = ["--factories", "2000"]  # benchmarks/run_all.py (`make bench`); full: the defaults
BENCH_FULL: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (the best is printed)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betterwork.settings.test")
    os.environ["BETTERWORK_VAR_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_bench"
        recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    issue_rows = build(args.factories)
    print(f"setup: {args.factories} listed factories, {issue_rows} issue rows, "
          f"in {time.perf_counter() - started:.1f} s ({connection.vendor})")  # fmt: skip
    floors = Floors(connection)
    serve_floors(floors)
    client = Client()

    def best(work, *, cold: bool = False) -> tuple[float, int]:
        """The best of `--runs` times (ms) and the query count; `cold`: with an empty cache each time (the first
        visitor after a publication)."""
        times, queries = [], 0
        for _ in range(args.runs):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                work()
                times.append(time.perf_counter() - t0)
            queries = len(captured)
        return min(times) * 1000, queries

    def fetch(path: str):
        def work() -> int:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
            content = response.streaming_content if response.streaming else [response.content]
            return sum(len(chunk) for chunk in content)

        return work

    fetch("/transparency/")()  # templates and URL patterns load once
    print(f"{'':<34}{'time':>10}{'queries':>9}{'floor':>10}{'ratio':>8}")
    for label, path, kind in (
        ("JSON first page", "/api/v1/public/transparency/", "json"),
        ("HTML first page", "/transparency/", "html"),
        ("CSV, every row", "/transparency.csv", "csv"),
    ):
        raw, _ = best(lambda kind=kind: floors.render(kind))
        stack, _ = best(fetch(f"/bench-floor/{kind}/"))
        print(f"{'  floor: raw SQL + stdlib':<34}{raw:>8.1f}ms{1:>9}")
        print(f"{'  floor served through the stack':<34}{stack:>8.1f}ms{1:>9}")
        for state, cold in (("cached", False), ("cold", True)):
            if kind == "csv" and not cold:
                continue  # streamed, never cached
            elapsed, queries = best(fetch(path), cold=cold)
            name = f"{label}, {state}" if kind != "csv" else label
            print(f"{name:<34}{elapsed:>8.1f}ms{queries:>9}{stack:>8.1f}ms{elapsed / stack:>7.1f}×")
            result(f"{name}, {args.factories} factories", elapsed, "ms", floor=round(2 * stack, 2))
            result(f"{name}, SQL queries", queries, "queries")
    for label, path in (("JSON, ?search=golden, cold", "/api/v1/public/transparency/?search=golden&issue=OSH-2"),
                        ("HTML, ?issue=OSH-2&country=KH, cold", "/transparency/?issue=OSH-2&country=KH")):  # fmt: skip
        elapsed, queries = best(fetch(path), cold=True)
        print(f"{label:<34}{elapsed:>8.1f}ms{queries:>9}")


class Floors:
    """The floor of each response: the same rows fetched by one raw SQL query (issue codes aggregated in SQL) and
    serialised with the standard library (json, html.escape, csv)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.agg = "group_concat(i.issue_id, ' ')" if connection.vendor == "sqlite" else "string_agg(i.issue_id, ' ')"

    def rows(self, limit: str) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL.format(agg=self.agg, limit=limit))
            return cursor.fetchall()

    def render(self, kind: str) -> str:
        import csv
        import html
        import io
        import json

        if kind == "json":
            return json.dumps({"results": [
                {"factory": {"id": r[0], "name": r[1], "country": r[2]}, "assessment_dates": [str(r[3]), str(r[4])],
                 "non_compliant": (r[6] or "").split(), "full_compliance": bool(r[5])}
                for r in self.rows("LIMIT 50")]})  # fmt: skip
        if kind == "html":
            return "".join(
                f"<tr><td>{html.escape(r[1])}</td><td>{r[2]}</td><td>{r[3]}</td><td>{r[4]}</td>"
                f"<td>{len((r[6] or '').split())}</td></tr>" for r in self.rows("LIMIT 50"))  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out)
        for r in self.rows(""):
            writer.writerow((r[0], r[1], r[2], r[3], r[4], r[6] or "", "yes" if r[5] else "no"))
        return out.getvalue()


def serve_floors(floors: Floors) -> None:
    """`/bench-floor/<kind>/` in this process only: the floor as a plain view behind the platform's own middleware,
    so that the request stack (sessions, security headers, CSP, language) is on both sides of the comparison."""
    import importlib
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    module = types.ModuleType("bench_floor_urls")
    module.urlpatterns = [
        path("bench-floor/<str:kind>/", lambda request, kind: HttpResponse(floors.render(kind))),
        *importlib.import_module(settings.ROOT_URLCONF).urlpatterns,
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


if __name__ == "__main__":
    main()
