"""What a factory's differentiation page and API show (R-DIF-4): the stage, the nine criteria (1, 6 and 7 live,
the judged ones from the latest evaluation), what is missing for stage 2, the evaluations and the stage changes.
A fixed number of queries whatever the number of evaluations."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from factories.models import Factory
from reporting.models import CriterionJudgement, DifferentiationCriterion, Evaluation, ProgressFeedback
from reporting.services.differentiation import COMPUTED, Progress, progress


@dataclass
class CriterionRow:
    number: int
    criterion: str
    indicator: str
    met: bool | None  # None: not judged yet
    computed: bool
    rationale: str
    provisional: bool  # computed before two closed assessments
    source: str  # "live" (computed now), "evaluation" (latest evaluation) or "none"


def evaluations_of(factory: Factory) -> list[Evaluation]:
    judgements = CriterionJudgement.objects.select_related("criterion").order_by("criterion_id")
    return list(
        Evaluation.objects.filter(factory=factory)
        .select_related("evaluated_by")
        .prefetch_related(Prefetch("judgements", queryset=judgements))
        .order_by("-evaluated_on", "-pk")
    )


def stage_changes(factory: Factory) -> list[dict[str, Any]]:
    """Every change of the factory's stage, newest first, from the factory's history."""
    records = factory.history.order_by("history_date", "history_id").values_list(
        "stage", "history_date", "history_change_reason", "history_user__first_name", "history_user__last_name",
        "history_user__username",
    )  # fmt: skip
    changes, previous = [], Factory.Stage.ONE
    for stage, at, reason, first, last, username in records:
        if stage != previous:
            who = f"{first} {last}".strip() or username or ""
            changes.append({"at": at, "stage_from": previous, "stage_to": stage, "reason": reason or "", "by": who})
        previous = stage
    return changes[::-1]


def criteria_rows(live: Progress, latest: Evaluation | None) -> list[CriterionRow]:
    judged = {j.criterion_id: j for j in latest.judgements.all()} if latest else {}
    rows = []
    for criterion in DifferentiationCriterion.objects.order_by("number"):
        number, texts = criterion.number, (criterion.tr.criterion, criterion.tr.indicator)
        if number in COMPUTED:
            computed = live.computed[number]
            rows.append(CriterionRow(number, *texts, computed.met, True,
                                     computed.rationale, live.provisional, "live"))  # fmt: skip
        elif number in judged:
            j = judged[number]
            rows.append(CriterionRow(number, *texts, j.met, False, j.rationale,
                                     False, "evaluation"))  # fmt: skip
        else:
            rows.append(CriterionRow(number, *texts, None, False, "", False, "none"))
    return rows


def differentiation_payload(factory: Factory, *, with_suggestions: bool = False) -> dict[str, Any]:
    live = progress(factory, with_suggestions=with_suggestions)
    evaluations = evaluations_of(factory)
    latest = evaluations[0] if evaluations else None
    rows = criteria_rows(live, latest)
    return {
        "factory": factory,
        "stage": factory.stage,
        "eligible": live.eligible,
        "provisional": live.provisional,
        "assessments_counted": len(live.assessments),
        "criteria": rows,
        "missing": [row for row in rows if row.met is not True],
        "latest": latest,
        "evaluations": evaluations,
        "stage_changes": stage_changes(factory),
        "feedback": list(ProgressFeedback.objects.filter(factory=factory).select_related("written_by")),
        "suggestions": live.suggestions,
    }
