"""Self-diagnosis options and the Progress Report 1 template, loaded by `migrate`. Idempotent."""

from typing import Any

from django.db import transaction

from advisory.models import ReportTemplate, SelfDiagnosisOption
from assessments.reference import cluster_for_name
from betterwork.common.reference import load_json

PROGRESS_REPORT_1 = "progress_report_1"


@transaction.atomic
def sync_reference_data(**kwargs: Any) -> None:
    for group in load_json(__file__, "self_diagnosis_options.json")["clusters"]:
        cluster = cluster_for_name(group["cluster"])
        for option in group["options"]:
            SelfDiagnosisOption.objects.update_or_create(
                cluster=cluster, number=option["number"], defaults={"text": option["text"]}
            )
    ReportTemplate.objects.update_or_create(
        key=PROGRESS_REPORT_1,
        version=1,
        defaults={"definition": load_json(__file__, "progress_report_1_template.json")},
    )
