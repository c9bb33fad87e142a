"""The question bank (CAT, R-ASM-1/2) as loaded by `migrate`, and the rules its loader enforces."""

import copy

import pytest
from django.db.models import F

from assessments.cat import BankError, read_bank, sync_question_bank, validate_bank
from assessments.models import CompliancePoint, CriticalIssue, Question
from factories.models import Country

pytestmark = pytest.mark.django_db


def test_the_bank_has_the_size_and_shape_of_the_real_tool():
    """Eight clusters (plus process integrity) → about 40 compliance points → 200+ questions."""
    globals_ = Question.objects.filter(country__isnull=True)
    assert globals_.count() >= 200
    assert 35 <= CompliancePoint.objects.count() <= 45
    assert set(globals_.values_list("cluster_id", flat=True)) == {
        "CL", "DIS", "FL", "FOA", "COMP", "CHR", "OSH", "WT", "PI"
    }  # fmt: skip
    assert CompliancePoint.objects.filter(cluster_id="OSH").count() == 8


def test_every_critical_issue_is_asked_and_in_the_focused_tool():
    """R-ASM-2: every assessment, even a virtual one, covers at least the critical issues."""
    for issue in CriticalIssue.objects.all():
        focused = Question.objects.filter(critical_issue=issue, country__isnull=True, in_focused_tool=True)
        assert focused.exists(), issue.code


def test_the_fourteen_management_system_questions():
    """Differentiation criterion 7: 7 HR and 7 OSH questions."""
    systems = Question.objects.filter(country__isnull=True).exclude(management_system="")
    assert sorted(systems.values_list("management_system", flat=True)) == ["hr"] * 7 + ["osh"] * 7


def test_country_variants_replace_the_global_question_there_only():
    """R-ASM-1: the legal minimum age differs (14 in Bangladesh, 16 in Jordan); the global id stays CL.1.01."""
    assert Question.objects.for_country("JO").get(global_code="CL.1.01").code == "CL.1.01-JO"
    assert "16" in Question.objects.get(code="CL.1.01-JO").text
    assert Question.objects.for_country("KH").get(global_code="CL.1.01").code == "CL.1.01"
    variants = Question.objects.exclude(code=F("global_code"))
    globals_ = set(Question.objects.filter(country__isnull=True).values_list("code", flat=True))
    assert variants.exists()
    assert set(variants.values_list("global_code", flat=True)) <= globals_


def test_the_focused_tool_is_a_real_subset():
    full = Question.objects.for_country("KH").for_tool("onsite")
    focused = Question.objects.for_country("KH").for_tool("virtual")
    assert 0 < focused.count() < full.count()
    assert focused.filter(in_full_tool=False).exists()  # pandemic-related questions (R-ASM-2)


def test_every_question_has_a_polarity_and_both_are_used():
    assert set(Question.objects.values_list("noncompliant_answer", flat=True)) == {"yes", "no"}


def test_loading_twice_changes_nothing():
    before = list(Question.objects.order_by("pk").values())
    sync_question_bank()
    assert list(Question.objects.order_by("pk").values()) == before


def _set(rows: list[dict], key: str, value: str, **changes: object) -> None:
    for row in rows:
        if row[key] == value:
            row.update(changes)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda points, rows: rows.append(dict(rows[0])), "Codes used twice"),
        (lambda points, rows: rows[0].update(noncompliant_answer="maybe"), "noncompliant_answer must be"),
        (lambda points, rows: rows[0].update(country_id="XX"), "unknown country"),
        (lambda points, rows: rows[0].update(critical_issue_id="ZZ-9"), "unknown critical issue"),
        (lambda points, rows: _set(rows, "critical_issue_id", "PI-1", critical_issue_id=None), "PI-1"),
        (lambda points, rows: _set(rows, "code", "CHR.5.01", management_system=""), "7 HR and 7 OSH"),
    ],
)  # fmt: skip
def test_a_broken_bank_is_refused_with_a_message_naming_the_problem(break_it, message):
    points, rows = read_bank()
    points, rows = copy.deepcopy(points), copy.deepcopy(rows)
    break_it(points, rows)
    with pytest.raises(BankError, match=message):
        validate_bank(points, rows, countries=set(Country.objects.values_list("code", flat=True)))
