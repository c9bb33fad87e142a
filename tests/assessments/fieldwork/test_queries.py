"""Query-count guards: the page renders, and the Save button saves, in a fixed number of SQL queries whatever
the number of questions, answers and evidence (the findings and their evidence are fetched once and mapped by
question id; the service writes in bulk)."""

import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Finding
from assessments.services.fieldwork import evidence_add
from assessments.services.questions import questions_of
from tests.assessments.builders import answer_all, in_progress
from tests.assessments.fieldwork.helpers import shown_form, url
from tests.builders import with_totp

pytestmark = pytest.mark.django_db
# session, user, TOTP check, assessment, assessor check, questions, findings, evidence (only once there are
# findings to prefetch it for), unread notifications.
PAGE_QUERIES = 9


def test_the_page_takes_the_same_queries_with_no_answer_and_everything_answered(
    assessor_client, assessment, assessor, django_assert_max_num_queries
):
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert assessor_client.get(url(assessment)).status_code == 200
    answer_all(assessment)
    for q in questions_of(assessment)[:5]:
        for n in range(2):
            evidence_add(assessment_id=assessment.pk, actor=assessor, question=q.code,
                         upload=SimpleUploadedFile(f"p{n}.pdf", b"%PDF-1.4 x"))  # fmt: skip
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = assessor_client.get(url(assessment)).content.decode()
    assert f"Answered {questions_of(assessment).count()} of" in page
    assert page.count("/fieldwork/evidence/") >= 10


def test_the_focused_tool_and_the_full_tool_render_in_the_same_queries(client, django_assert_max_num_queries):
    """A virtual assessment asks the focused tool (fewer questions, R-ASM-2): same number of queries."""
    small = in_progress(modality="virtual")
    full = in_progress()
    assert questions_of(small).count() < questions_of(full).count()
    counts = []
    for assessment in (small, full):
        assessor = assessment.assessors.order_by("pk").first()
        with_totp(assessor)
        client.force_login(assessor)
        answer_all(assessment)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(assessment)).status_code == 200
        counts.append(len(queries))  # counted now: the next request resets Django's query log
    assert counts[0] == counts[1]


def _batches(fields: list, n: int) -> int:
    return math.ceil(n / connection.ops.bulk_batch_size(fields, [None] * n))


def _extra_statements(n: int, *, update: bool) -> int:
    """Statements beyond one per bulk write that the database's parameter limit forces (SQLite: 999
    parameters, so ~166 findings or ~99 history rows per statement; PostgreSQL: none for a few hundred)."""
    if update:  # bulk_update sends pk twice per row (CASE WHEN pk … and WHERE pk IN …) and the 4 changed fields
        rows = ["pk", "pk", "result", "notes", "answered_by", "updated_at"]
    else:
        rows = [f for f in Finding._meta.concrete_fields if not f.primary_key]
    history = [f for f in Finding.history.model._meta.concrete_fields if not f.primary_key]
    return _batches(rows, n) - 1 + _batches(history, n) - 1


def _save(client, assessment, changes: dict[str, str], guard=None) -> int:
    """Post the form as shown with `changes` (under `guard`, a query-count assertion); its number of queries."""
    form = shown_form(client, assessment)
    form.update(changes)
    with guard or CaptureQueriesContext(connection) as queries:
        assert client.post(url(assessment, "save/"), form).status_code == 302
    return len(queries)  # counted now: the next request resets Django's query log


def test_saving_250_answers_takes_as_many_queries_as_saving_10(
    assessor_client, assessment, django_assert_max_num_queries
):
    """The Save button with 10 answers and with every answer, first new then changed: a fixed number of
    queries (up to the statements a database with a low parameter limit needs to split bulk writes into)."""
    questions = list(questions_of(assessment))
    n = len(questions)
    assert n >= 200
    first = _save(assessor_client, assessment, {f"r{q.pk}": "na" for q in questions[:10]})
    again = _save(assessor_client, assessment, {f"n{q.pk}": "Seen" for q in questions[:10]})
    assert Finding.objects.filter(notes="Seen").count() == 10
    bound = django_assert_max_num_queries(first + _extra_statements(n - 10, update=False))
    _save(assessor_client, assessment, {f"r{q.pk}": "yes" for q in questions[10:]}, bound)
    assert Finding.objects.count() == n
    changes = {f"r{q.pk}": "no" for q in questions} | {f"n{q.pk}": "Checked" for q in questions}
    _save(
        assessor_client, assessment, changes, django_assert_max_num_queries(again + _extra_statements(n, update=True))
    )
    assert Finding.objects.filter(notes="Checked").count() == n
