"""The differentiation criteria, loaded by `migrate`. Idempotent."""

from typing import Any

from betterwork.common.reference import load_json
from reporting.models import DifferentiationCriterion


def sync_reference_data(**kwargs: Any) -> None:
    for row in load_json(__file__, "differentiation_criteria.json")["criteria"]:
        DifferentiationCriterion.objects.update_or_create(
            number=row["number"],
            defaults={
                **{key: row[key] for key in ("criterion", "indicator", "evaluated_by")},
                "questions": row.get("questions", []),
            },
        )
