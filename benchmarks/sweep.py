"""Benchmark: the milestone sweep over many open cycles (issue 4). Prints wall time and SQL queries.

    .venv/bin/python benchmarks/sweep.py [--cycles 20000] [--batch 500]

Runs on its own throwaway database: an SQLite file in a temporary folder, or, with DATABASE_URL set, a
fresh PostgreSQL database named `<name>_bench` on that server. Every cycle started 160 days ago, so the
first sweep has reminders (Progress Report 1, due in month 5 — in 1 day, and Progress Report 2 later),
overdue notices (the assessment report, day 160) and the automatic end of the initial advisory phase.
The second sweep must find nothing to do. Queries per batch must stay constant as cycles grow.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import recreate_database, result  # noqa: E402

BENCH_QUICK = ["--cycles", "2000"]  # benchmarks/run_all.py (`make bench`); full: the defaults
BENCH_FULL: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "betterwork.settings.test"
    os.environ["BETTERWORK_VAR_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_bench"
        recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from betterwork.accounts.models import Role, User
    from factories.models import Factory, Milestone, ServiceCycle
    from factories.schedule import cycle_end, plan_cycle
    from factories.services.sweep import run_milestones

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    start = today - timedelta(days=160)
    started = time.perf_counter()
    advisor = User.objects.create(username="bench-advisor", role=Role.ADVISOR, country_id="KH")
    User.objects.create(username="bench-pm", role=Role.PROGRAMME_MANAGER, country_id="KH")
    factories = Factory.objects.bulk_create(
        Factory(name=f"Bench Factory {n}", country_id="KH", workers=500, women_percent=80, status="active",
                advisor=advisor)
        for n in range(args.cycles)
    )  # fmt: skip
    cycles = ServiceCycle.objects.bulk_create(
        ServiceCycle(factory=f, number=1, start_date=start, end_date=cycle_end(start)) for f in factories
    )
    plan = plan_cycle(start=start)
    Milestone.objects.bulk_create(
        (Milestone(cycle=c, kind=p.kind, due_date=p.due_date, owner=p.owner) for c in cycles for p in plan),
        batch_size=5000,
    )
    elapsed = time.perf_counter() - started
    print(f"setup: {args.cycles} open cycles, {len(plan) * args.cycles} milestones in {elapsed:.1f} s")

    for label in ("first sweep", "second sweep (nothing left to do)"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = run_milestones(as_of=today, batch_size=args.batch)
            elapsed = time.perf_counter() - started
        per_batch = len(queries) / max(report.batches, 1)
        short = "first sweep" if label == "first sweep" else "second sweep"
        result(f"{short}, {args.cycles} cycles", elapsed, "s")
        result(f"{short}, SQL queries", len(queries), "queries")
        if report.batches:
            result(f"{short}, SQL queries per batch of {args.batch}", per_batch, "queries")
        print(
            f"{label}: {elapsed:.1f} s, {len(queries)} SQL queries, {report.batches} batches "
            f"({per_batch:.1f} queries per batch), {report.reminders} reminders, {report.overdue} overdue, "
            f"{report.steps_done} automatic steps, {report.notifications} notifications"
        )


if __name__ == "__main__":
    main()
