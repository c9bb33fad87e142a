"""The assessment report as its readers see it, on the page and in the PDF (R-RPT-1): findings in the tool's
order, grouped by cluster and compliance point with counts per result, and the management-system questions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from assessments.models import Assessment, Finding, FindingMessage
from assessments.services.questions import questions_of

FINDING_ORDER = ("question__cluster__position", "question__compliance_point__position", "question__position",
                 "question__code")  # fmt: skip


@dataclass
class Row:
    finding: Finding
    thread: list[FindingMessage] = field(default_factory=list)
    form: Any = None  # the page's response form, when the reader may write one; a PDF never has one


@dataclass
class Point:
    point: Any
    rows: list[Row] = field(default_factory=list)


@dataclass
class Group:
    cluster: Any
    points: list[Point] = field(default_factory=list)
    compliant: int = 0
    non_compliant: int = 0
    not_applicable: int = 0


def report_findings(findings: QuerySet, *, threads: bool) -> QuerySet:
    """`findings` with what the report shows of each, in the tool's order; `threads`: with each finding's
    messages (never for buyers) as `finding.thread`."""
    findings = findings.select_related("question__compliance_point__cluster", "question__critical_issue").order_by(
        *FINDING_ORDER
    )
    if threads:
        thread = FindingMessage.objects.select_related("author").order_by("created_at", "pk")
        findings = findings.prefetch_related(Prefetch("messages", queryset=thread, to_attr="thread"))
    return findings


def grouped(findings: list[Finding], form_for: Callable[[Finding], Any] = lambda finding: None) -> list[Group]:
    """`findings` in FINDING_ORDER (with `thread` prefetched where shown) → clusters → compliance points."""
    groups: list[Group] = []
    for finding in findings:
        question = finding.question
        if not groups or groups[-1].cluster.pk != question.cluster_id:
            groups.append(Group(question.compliance_point.cluster))
        group = groups[-1]
        if not group.points or group.points[-1].point.pk != question.compliance_point_id:
            group.points.append(Point(question.compliance_point))
        group.points[-1].rows.append(Row(finding, getattr(finding, "thread", []), form_for(finding)))
        if finding.result == Finding.Result.COMPLIANT:
            group.compliant += 1
        elif finding.result == Finding.Result.NON_COMPLIANT:
            group.non_compliant += 1
        else:
            group.not_applicable += 1
    return groups


def management_rows(assessment: Assessment, findings: list[Finding]) -> list[dict[str, Any]]:
    """The HR and OSH management-system questions of the assessment's tool, each with its finding (or None)."""
    if not findings:
        return []
    by_question = {f.question_id: f for f in findings}
    questions = questions_of(assessment).exclude(management_system="").order_by("management_system", "position")
    return [{"question": q, "finding": by_question.get(q.pk)} for q in questions.select_related("compliance_point")]
