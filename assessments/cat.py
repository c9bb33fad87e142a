"""Load the question bank (CAT, R-ASM-1/2) from `assessments/data/cat/*.json` on `migrate`. Idempotent.

Each file holds clusters → compliance points → questions:

    {"version": 1, "clusters": [{"cluster": "CL", "compliance_points": [{"code": "CL.1", "name": "…",
      "questions": [{"code": "CL.1.01", "text": "…", "noncompliant_answer": "yes",
                     "critical_issue": "CL-1", "management_system": "", "tools": ["full", "focused"],
                     "country": "KH",                        # only for a question asked in one country
                     "variants": [{"country": "BD", "text": "…"}]}]}]}]}

A variant is the same global question worded for one country's law (code `<code>-<country>`); it may set
its own `noncompliant_answer`. `tools` defaults to the full tool only; critical-issue questions are
always in the focused tool too. `validate_bank` states every rule the bank must keep.
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction

from assessments.models import CompliancePoint, CriticalIssue, Question

DATA = Path(__file__).resolve().parent / "data" / "cat"
FIELDS = (
    "global_code", "country_id", "compliance_point_id", "cluster_id", "text", "noncompliant_answer",
    "critical_issue_id", "management_system", "in_full_tool", "in_focused_tool", "position",
)  # fmt: skip
MANAGEMENT_SYSTEM_QUESTIONS = {"hr": 7, "osh": 7}  # differentiation criterion 7: the 14 questions


class BankError(ValueError):
    """The question bank breaks one of its rules; the message says which file and question."""


def bank_files() -> list[Path]:
    return sorted(DATA.glob("*.json"))


def read_bank() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Compliance points and question rows (variants expanded) from every file, in order."""
    points: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for path in bank_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        for cluster in data["clusters"]:
            for point_position, point in enumerate(cluster["compliance_points"], start=1):
                points.append(
                    {"code": point["code"], "cluster_id": cluster["cluster"], "name": point["name"],
                     "position": point_position, "file": path.name}
                )  # fmt: skip
                for position, question in enumerate(point["questions"], start=1):
                    rows.extend(_rows(data["version"], cluster["cluster"], point["code"], position, question))
    return points, rows


def _rows(version: int, cluster: str, point: str, position: int, question: dict[str, Any]) -> list[dict[str, Any]]:
    tools = question.get("tools", ["full"])
    base = {
        "version": version,
        "code": question["code"],
        "global_code": question["code"],
        "country_id": question.get("country"),
        "compliance_point_id": point,
        "cluster_id": cluster,
        "text": question["text"].strip(),
        "noncompliant_answer": question["noncompliant_answer"],
        "critical_issue_id": question.get("critical_issue"),
        "management_system": question.get("management_system", ""),
        "in_full_tool": "full" in tools,
        "in_focused_tool": "focused" in tools or bool(question.get("critical_issue")),
        "position": position,
    }
    variants = [
        {**base, "code": f"{question['code']}-{variant['country']}", "country_id": variant["country"],
         "text": variant["text"].strip(),
         "noncompliant_answer": variant.get("noncompliant_answer", base["noncompliant_answer"])}
        for variant in question.get("variants", [])
    ]  # fmt: skip
    return [base, *variants]


def validate_bank(points: list[dict[str, Any]], rows: list[dict[str, Any]], *, countries: set[str]) -> None:
    """The rules of R-ASM-1/2: unique codes, known clusters, countries and critical issues, a polarity for every
    question, every critical issue asked at least once, exactly 7 HR and 7 OSH management-system questions."""
    duplicates = [code for code, n in Counter(p["code"] for p in points).items() if n > 1]
    duplicates += [code for code, n in Counter(r["code"] for r in rows).items() if n > 1]
    if duplicates:
        raise BankError(f"Codes used twice in the question bank: {', '.join(sorted(duplicates))}.")
    issues = set(CriticalIssue.objects.values_list("code", flat=True))
    for row in rows:
        where = f"question {row['code']}"
        if row["noncompliant_answer"] not in ("yes", "no"):
            raise BankError(f"{where}: noncompliant_answer must be 'yes' or 'no'.")
        if row["country_id"] is not None and row["country_id"] not in countries:
            raise BankError(f"{where}: unknown country {row['country_id']!r}.")
        if row["critical_issue_id"] is not None and row["critical_issue_id"] not in issues:
            raise BankError(f"{where}: unknown critical issue {row['critical_issue_id']!r}.")
        if row["management_system"] not in ("", "hr", "osh"):
            raise BankError(f"{where}: management_system must be '', 'hr' or 'osh'.")
        if not (row["in_full_tool"] or row["in_focused_tool"]):
            raise BankError(f"{where}: a question belongs to the full or the focused tool.")
        if not row["text"]:
            raise BankError(f"{where}: the question has no text.")
    asked = {row["critical_issue_id"] for row in rows if row["critical_issue_id"]}
    if missing := sorted(issues - asked):
        raise BankError(f"No question asks about critical issue(s) {', '.join(missing)}.")
    systems = Counter(row["management_system"] for row in rows if row["management_system"] and not row["country_id"])
    if dict(systems) != MANAGEMENT_SYSTEM_QUESTIONS:
        raise BankError(f"Expected 7 HR and 7 OSH management-system questions, found {dict(systems)}.")


@transaction.atomic
def sync_question_bank() -> int:
    """Create or update every compliance point and question; returns how many questions the bank holds.
    Questions are never deleted: findings refer to them (a withdrawn question belongs in a new version)."""
    from factories.models import Country

    points, rows = read_bank()
    validate_bank(points, rows, countries=set(Country.objects.values_list("code", flat=True)))
    for point in points:
        CompliancePoint.objects.update_or_create(
            code=point["code"],
            defaults={"cluster_id": point["cluster_id"], "name": point["name"], "position": point["position"]},
        )
    existing = {(q.version, q.code): q for q in Question.objects.all()}
    new, changed = [], []
    for row in rows:
        question = existing.get((row["version"], row["code"]))
        if question is None:
            new.append(Question(**row))
        elif any(getattr(question, field) != row[field] for field in FIELDS):
            for field in FIELDS:
                setattr(question, field, row[field])
            changed.append(question)
    Question.objects.bulk_create(new)
    Question.objects.bulk_update(changed, FIELDS)
    return len(rows)
