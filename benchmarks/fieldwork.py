"""Benchmark: the assessors' fieldwork (issue 6): saving every answer at once and rendering the page.

    DJANGO_SETTINGS_MODULE=betterwork.settings.test .venv/bin/python benchmarks/fieldwork.py [--renders 3]

Runs on its own throwaway database, like benchmarks/sweep.py: an SQLite file in a temporary folder, or, with
DATABASE_URL set, a fresh PostgreSQL database named `<name>_bench` on that server. Builds an on-site
assessment in progress (the full question set of the factory's country) through the services, then prints:
the number of questions; the time and SQL queries of `findings_save` with every answer in one call, twice
(the first creates every finding, the second changes every answer); the time and SQL queries of rendering
`/assessments/<pk>/fieldwork/` for one of its assessors (the first render includes loading the templates),
and of the page's Save button posting every answer changed. Queries must not grow with the questions (on
SQLite, bulk writes are split into statements of at most 999 parameters: a few more statements, not more
round trips per answer).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import result  # noqa: E402

BENCH_QUICK = ["--renders", "2"]  # benchmarks/run_all.py (`make bench`); full: the defaults
BENCH_FULL: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=3, help="how many times to render the page")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betterwork.settings.test")
    os.environ["BETTERWORK_VAR_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    if os.environ.get("DATABASE_URL"):
        from benchmarks.sweep import _recreate_postgres_database

        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_bench"
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from assessments.services.fieldwork import findings_save
    from assessments.services.questions import questions_of
    from tests.assessments.builders import assessor_of, in_progress
    from tests.builders import with_totp

    setup_test_environment()  # the test client's host, mail in memory
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    assessment = in_progress("KH")
    assessor = assessor_of(assessment)
    with_totp(assessor)  # programme staff need two-factor authentication to use the pages
    questions = list(questions_of(assessment))
    print(f"setup: on-site assessment {assessment.pk} in {assessment.factory.country_id}, "
          f"{len(questions)} questions, in {(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip

    def measure(label: str, work, figure: str = "") -> None:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            outcome = work()
            elapsed = time.perf_counter() - started
        print(f"{label}: {elapsed * 1000:.0f} ms, {len(queries)} SQL queries{outcome or ''}")
        if figure:
            result(figure, elapsed * 1000, "ms")
            result(f"{figure}, SQL queries", len(queries), "queries")

    first = [{"question": q.code, "result": "compliant", "notes": ""} for q in questions]
    second = [{"question": q.code, "result": "non_compliant", "notes": "Seen on the floor."} for q in questions]

    def save(answers: list[dict]) -> str:
        changed = findings_save(assessment_id=assessment.pk, actor=assessor, answers=answers)
        return f" ({changed} changed)"

    count = len(questions)
    measure("findings_save, first (creates every finding)", lambda: save(first), f"findings_save, {count} new answers")
    measure("findings_save, second (changes every answer)", lambda: save(second), f"findings_save, {count} changes")

    client = Client()
    client.force_login(assessor)
    page = f"/assessments/{assessment.pk}/fieldwork/"
    for n in range(args.renders):
        label = "render the fieldwork page" + (" (cold: templates load)" if n == 0 else "")
        last = "fieldwork page render (warm)" if n == args.renders - 1 and n > 0 else ""
        measure(label, lambda: f" ({len(client.get(page).content) // 1024} KB)", last)

    form = {"originals": _originals(client.get(page).content.decode())}
    form.update({f"r{q.pk}": "na" for q in questions})
    form.update({f"n{q.pk}": "Checked again." for q in questions})
    measure(
        "the page's Save button, every answer changed",
        lambda: f" (HTTP {client.post(page + 'save/', form).status_code})",
        "the page's Save button, every answer changed",
    )


def _originals(page: str) -> str:
    import html
    import re

    return html.unescape(re.search(r'name="originals" value="([^"]*)"', page).group(1))


if __name__ == "__main__":
    main()
