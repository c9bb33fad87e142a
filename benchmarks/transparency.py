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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (the best is printed)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betterwork.settings.test")
    os.environ["BETTERWORK_VAR_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    if os.environ.get("DATABASE_URL"):
        from benchmarks.sweep import _recreate_postgres_database

        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_bench"
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import csv
    import html
    import io
    import json

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
    agg = "group_concat(i.issue_id, ' ')" if connection.vendor == "sqlite" else "string_agg(i.issue_id, ' ')"

    def best(work) -> tuple[float, int, object]:
        times, queries, outcome = [], 0, None
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                outcome = work()
                times.append(time.perf_counter() - t0)
            queries = len(captured)
        return min(times) * 1000, queries, outcome

    def floor_rows(limit: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL.format(agg=agg, limit=limit))
            return cursor.fetchall()

    def floor_json() -> int:
        rows = floor_rows("LIMIT 50")
        return len(json.dumps({"results": [
            {"factory": {"id": r[0], "name": r[1], "country": r[2]}, "assessment_dates": [str(r[3]), str(r[4])],
             "non_compliant": (r[6] or "").split(), "full_compliance": bool(r[5])} for r in rows]}))  # fmt: skip

    def floor_html() -> int:
        rows = floor_rows("LIMIT 50")
        return len("".join(
            f"<tr><td>{html.escape(r[1])}</td><td>{r[2]}</td><td>{r[3]}</td><td>{r[4]}</td>"
            f"<td>{len((r[6] or '').split())}</td></tr>" for r in rows))  # fmt: skip

    def floor_csv() -> int:
        out = io.StringIO()
        writer = csv.writer(out)
        for r in floor_rows(""):
            writer.writerow((r[0], r[1], r[2], r[3], r[4], r[6] or "", "yes" if r[5] else "no"))
        return len(out.getvalue())

    client = Client()

    def page(path: str):
        return lambda: len(client.get(path).content)

    def full_csv() -> int:
        response = client.get("/transparency.csv")
        return sum(len(chunk) for chunk in response.streaming_content)

    client.get("/transparency/")  # templates load once
    baseline, _q, _ = best(page("/healthz"))
    print(f"baseline: /healthz through the same client and middleware: {baseline:.1f} ms")
    print(f"{'':<26}{'time':>10}{'queries':>9}{'floor':>10}{'ratio':>8}{'bytes':>12}")
    for label, work, floor in (
        ("JSON first page", page("/api/v1/public/transparency/"), floor_json),
        ("HTML first page", page("/transparency/"), floor_html),
        ("CSV, every row", full_csv, floor_csv),
    ):
        elapsed, queries, size = best(work)
        floor_ms, _floor_queries, _ = best(floor)
        print(f"{label:<26}{elapsed:>8.1f}ms{queries:>9}{floor_ms:>8.1f}ms{elapsed / floor_ms:>7.1f}×{size:>12}")
    for label, path in (("JSON, ?search=golden", "/api/v1/public/transparency/?search=golden&issue=OSH-2"),
                        ("HTML, ?issue=OSH-2&country=KH", "/transparency/?issue=OSH-2&country=KH")):  # fmt: skip
        elapsed, queries, size = best(page(path))
        print(f"{label:<26}{elapsed:>8.1f}ms{queries:>9}{'':>10}{'':>8}{size:>12}")


if __name__ == "__main__":
    main()
