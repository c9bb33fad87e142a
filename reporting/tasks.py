"""Celery tasks of the reporting app: report PDFs on a queue of their own (R-RPT-5, RELIABILITY.md §5).

`render_document` goes to the "pdf" queue: reporting.documents sends it with `queue="pdf"`, and
`CELERY_TASK_ROUTES = {"reporting.tasks.render_document": {"queue": "pdf"}}` routes any other send. A PDF
worker (`celery -A betterwork worker -Q pdf --concurrency=1 --max-memory-per-child=600000
--max-tasks-per-child=50`; the limit is in KiB) renders them, so that a long report never delays emails or
the milestone sweep, and its memory — which WeasyPrint does not give back to the system — is recycled
(benchmarks/pdf.py: a 38-page report adds ~70 MiB to a ~120 MiB worker).

Idempotent: the service claims the row with a conditional update, and a ready document is never rendered
again. Late acks: a worker that dies mid-render leaves the message to another, whose claim succeeds once the
first one is stale.
"""

from celery import shared_task

from reporting.documents import document_render

SOFT_TIME_LIMIT, TIME_LIMIT = 120, 150


@shared_task(
    name="reporting.tasks.render_document",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def render_document(document_id: int) -> bool:
    """Render one requested document (reporting.documents.document_render); False when nothing was to do."""
    return document_render(document_id)
