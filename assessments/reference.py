"""Clusters, critical issues (with country exceptions) and the question bank, loaded by `migrate`. Idempotent."""

from typing import Any

from django.db import transaction

from assessments.cat import sync_question_bank
from assessments.models import Cluster, CriticalIssue, CriticalIssueException
from betterwork.common.reference import load_json


def cluster_for_name(name: str) -> Cluster:
    """The cluster another reference file calls `name` (by name or alias)."""
    for row in load_json(__file__, "clusters.json")["clusters"]:
        if name in (row["code"], row["name"], *row["aliases"]):
            return Cluster.objects.get(code=row["code"])
    raise LookupError(f"No cluster is called {name!r}; add it to assessments/data/clusters.json.")


@transaction.atomic
def sync_reference_data(**kwargs: Any) -> None:
    for position, row in enumerate(load_json(__file__, "clusters.json")["clusters"], start=1):
        Cluster.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"], "position": position}
        )
    for row in load_json(__file__, "critical_issues.json")["issues"]:
        issue, _ = CriticalIssue.objects.update_or_create(
            code=row["code"],
            defaults={
                "number": row["number"],
                "title": row["title"],
                "explanation": row.get("explanation", ""),
                "cluster": cluster_for_name(row["cluster"]),
            },
        )
        listed = {exc["country"]: exc["reason"] for exc in row["not_reported_in"]}
        issue.exceptions.exclude(country_id__in=listed).delete()
        for country, reason in listed.items():
            CriticalIssueException.objects.update_or_create(
                issue=issue, country_id=country, defaults={"reason": reason}
            )
    sync_question_bank()
