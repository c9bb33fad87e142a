"""Benchmark: the assessment report as PDF (issue 8 "Performance": a 30-page report, time and peak memory).

    DJANGO_SETTINGS_MODULE=betterwork.settings.test .venv/bin/python benchmarks/pdf.py [--renders 1] [--words 20]

Runs on its own throwaway database (an SQLite file in a temporary folder, like benchmarks/fieldwork.py).
Builds a published on-site assessment through the services with every question answered (one in four
non-compliant) and a note on every finding (`--words` words), plus a factory response and a programme reply
on every non-compliance; then renders its report PDF through the worker's code path
(`reporting.documents.document_render`, the body of the Celery task) `--renders` times, each on a fresh
document, and prints for each: wall and CPU time (the box is shared: CPU time is the steadier figure), pages,
size; then renders again under tracemalloc for its peak of Python allocations, and the
growth of the process's maximum resident set (`resource.getrusage`; Pango/HarfBuzz allocate outside Python,
so this is the figure to compare with the worker's `--max-memory-per-child`). Budget (RELIABILITY.md §5.3):
a 30-page report in ≤ 20 s and ≤ 700 MB peak RSS on the 2-core box.
"""

import argparse
import os
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import result  # noqa: E402

SAMPLE = (
    "the assessors observed on the production floor that workers in the sewing section described practices "
    "which the payroll records and interviews with management confirmed in part while documents on file"
)
WORDS = tuple(re.findall(r"\w+", SAMPLE))


BENCH_QUICK = ["--renders", "1"]  # benchmarks/run_all.py (`make bench`)
BENCH_FULL = ["--renders", "3"]


def _text(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed + i) % len(WORDS)] for i in range(words)).capitalize() + "."


def _build(words: int):
    from django.utils import timezone

    from assessments.models import Finding, FindingMessage
    from assessments.services.feedback import (
        assessment_finalise,
        assessment_publish,
        feedback_open,
        findings_accept,
    )
    from assessments.services.fieldwork import assessment_submit, findings_save
    from assessments.services.questions import questions_of
    from tests.assessments.builders import assessor_of, in_progress, manager_of
    from tests.builders import factory_user

    assessment = in_progress("KH")
    assessor = assessor_of(assessment)
    questions = list(questions_of(assessment))
    answers = [
        {"question": q.code, "result": "non_compliant" if i % 4 == 0 else "compliant", "notes": _text(words, i)}
        for i, q in enumerate(questions)
    ]
    findings_save(assessment_id=assessment.pk, actor=assessor, answers=answers)
    assessment_submit(assessment_id=assessment.pk, actor=assessor, submitted_on=assessment.started_on)
    factory = factory_user(assessment.factory)
    manager = manager_of(assessment)
    now = timezone.now()
    messages = []
    for finding in Finding.objects.filter(assessment=assessment, result="non_compliant"):
        messages.append(FindingMessage(finding=finding, author=factory, from_factory=True,
                                       text=_text(words // 2, finding.pk), created_at=now))  # fmt: skip
        messages.append(FindingMessage(finding=finding, author=manager, from_factory=False,
                                       text=_text(words // 3, finding.pk + 7), created_at=now))  # fmt: skip
    FindingMessage.objects.bulk_create(messages)
    if feedback_open(assessment):
        findings_accept(assessment_id=assessment.pk, actor=factory)
    assessment_finalise(assessment_id=assessment.pk, actor=manager)
    assessment_publish(assessment_id=assessment.pk, actor=manager)
    return assessment, manager, len(questions), len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=1, help="how many times to render the report")
    parser.add_argument("--words", type=int, default=20, help="words in each finding's notes (20: 38 pages)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betterwork.settings.test")
    os.environ["BETTERWORK_VAR_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from reporting.documents import document_render, document_request
    from reporting.models.documents import RenderedDocument

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    assessment, manager, questions, messages = _build(args.words)
    print(f"setup: published assessment {assessment.pk}, {questions} findings with {args.words}-word notes, "
          f"{messages} thread messages, in {time.perf_counter() - started:.1f} s")  # fmt: skip
    import weasyprint  # loaded once per worker process: not part of a render

    print(f"WeasyPrint {weasyprint.__version__}")
    for run in range(1, args.renders + 1):
        for traced in (False, True):  # tracemalloc slows allocation: time without it, measure memory with it
            RenderedDocument.objects.all().delete()
            document = document_request(kind="assessment_report", obj=assessment, language="en", user=manager)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if traced:
                tracemalloc.start()
            wall, cpu = time.perf_counter(), time.process_time()
            if not document_render(document.pk):
                raise SystemExit("nothing rendered")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            document.refresh_from_db()
            if document.status != "ready":
                raise SystemExit(f"render failed: {document.error}")
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if traced:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                print(f"render {run} (traced): tracemalloc peak {peak / 2**20:.0f} MiB, "
                      f"max RSS {rss_after / 1024:.0f} MiB (+{(rss_after - rss_before) / 1024:.0f} MiB)")  # fmt: skip
                result("assessment report PDF, Python heap peak (tracemalloc)", peak / 2**20, "MiB")
                result("assessment report PDF, process max RSS", rss_after / 1024, "MiB")
            else:
                print(f"render {run}: {wall:.2f} s wall, {cpu:.2f} s CPU, {document.pages} pages, "
                      f"{document.size / 1024:.0f} KiB, max RSS {rss_after / 1024:.0f} MiB "
                      f"(+{(rss_after - rss_before) / 1024:.0f} MiB)")  # fmt: skip
                result(f"assessment report PDF ({document.pages} pages), wall time", wall, "s")
                result("assessment report PDF, CPU time", cpu, "s")


if __name__ == "__main__":
    main()
