"""A progress report as it is shown, on its page and in its PDF: sections → parts → questions in the reader's
language, each question with its form field (while writing), its computed count or its answer (reading)."""

from typing import Any

from django.forms import Form
from django.utils.translation import gettext as _

from advisory.models import ProgressReport
from advisory.services.reports import questions


def report_layout(report: ProgressReport, counts: dict[str, Any], form: Form | None = None) -> list[dict[str, Any]]:
    if report.number == 1:
        sections = report.template.translated_definition()["sections"]
    else:
        sections = [{"title": _("Progress Report 2"), "parts": [{"title": "", "questions": questions(report)}]}]
    out = []
    for section in sections:
        parts = []
        for part in section["parts"]:
            rows = []
            for q in part["questions"]:
                if q.get("type") == "count":
                    rows.append({"q": q, "kind": "count", "count": counts.get(q["key"], 0)})
                elif form is not None:
                    rows.append({"q": q, "kind": "field", "field": form[q["key"]]})
                else:
                    rows.append({"q": q, "kind": "answer", "answer": shown_answer(q, report.answers.get(q["key"]))})
            parts.append({"title": part.get("title", ""), "computed": part.get("computed", False), "rows": rows})
        out.append({"title": section.get("title", ""), "parts": parts})
    return out


def shown_answer(question: dict[str, Any], value: Any) -> str:
    """An answer as a reader sees it: Yes/No, chosen options by their label in the reader's language, or text."""
    if value in (None, "", []):
        return "—"
    if question["type"] == "yes_no":
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        labels = dict(zip(question.get("choices", []), question.get("choice_labels", []), strict=False))
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(value)
