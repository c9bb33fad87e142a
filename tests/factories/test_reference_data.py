"""`migrate` alone loads the reference data (API.md "Operations"), and re-syncing is harmless."""

import json
from pathlib import Path

import pytest

from advisory.models import ReportTemplate, SelfDiagnosisOption
from advisory.reference import PROGRESS_REPORT_1
from advisory.reference import sync_reference_data as sync_advisory
from assessments.models import Cluster, CriticalIssue, CriticalIssueException
from assessments.reference import sync_reference_data as sync_assessments
from factories.models import Country
from factories.reference import sync_countries
from factories.reference import sync_reference_data as sync_factories
from reporting.models import DifferentiationCriterion
from reporting.reference import sync_reference_data as sync_reporting

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
COUNTRIES_JSON = json.loads((ROOT / "factories" / "data" / "countries.json").read_text(encoding="utf-8"))["countries"]
CRITERIA_JSON = json.loads((ROOT / "reporting" / "data" / "differentiation_criteria.json").read_text(encoding="utf-8"))


def _snapshot() -> dict:
    """Everything the sync functions write, as plain values."""
    return {
        "countries": sorted(Country.objects.values_list("code", "name", "programme", "sectors", "languages", "phase")),
        "clusters": sorted(Cluster.objects.values_list("code", "name", "kind", "position")),
        "issues": sorted(CriticalIssue.objects.values_list("code", "number", "cluster_id", "title")),
        "exceptions": sorted(CriticalIssueException.objects.values_list("pk", "issue_id", "country_id", "reason")),
        "options": sorted(SelfDiagnosisOption.objects.values_list("pk", "cluster_id", "number", "text")),
        "templates": sorted(ReportTemplate.objects.values_list("pk", "key", "version")),
        "criteria": sorted(DifferentiationCriterion.objects.values_list("number", "criterion", "evaluated_by")),
    }


def test_eleven_country_programmes_match_the_data_file():
    """R-CTY-1: code, programme type, sectors and languages of every country programme."""
    expected = {
        row["code"]: (row["name"], row["programme"], row["sectors"], row["languages"]) for row in COUNTRIES_JSON
    }
    stored = {c.code: (c.name, c.programme, c.sectors, c.languages) for c in Country.objects.all()}
    assert len(expected) == 11
    assert stored == expected


def test_programme_types_and_footwear_sectors():
    """R-CTY-1: mandatory in Cambodia, Haiti and Jordan; footwear only in Cambodia and Vietnam."""
    assert set(Country.objects.filter(programme="mandatory").values_list("code", flat=True)) == {"KH", "HT", "JO"}
    footwear = {c.code for c in Country.objects.all() if "footwear" in c.sectors}
    assert footwear == {"KH", "VN"}


def test_initial_phase_comes_from_the_file_and_defaults_to_three():
    """R-CTY-2: the 2020 phase; a country without a recorded adaptation starts in phase 3."""
    phases = dict(Country.objects.values_list("code", "phase"))
    assert phases["BD"] == 2
    assert phases["KH"] == 3
    assert phases["LS"] == 3  # covid_phase null
    assert phases["PK"] == 3  # covid_phase null


def test_twenty_seven_critical_issues_each_in_a_cluster():
    issues = list(CriticalIssue.objects.select_related("cluster"))
    assert len(issues) == 27
    assert all(issue.cluster is not None for issue in issues)
    assert sorted(i.number for i in issues) == list(range(1, 28))
    assert CriticalIssue.objects.get(code="PI-1").cluster_id == "PI"  # R-ASM-7: access denied is PI-1


def test_critical_issue_country_exceptions():
    """R-PUB-4: FOA-4 is not reported in Jordan and Vietnam, COMP-1 not in Indonesia, CHR-1 not in Lesotho."""
    pairs = set(CriticalIssueException.objects.values_list("issue_id", "country_id"))
    assert pairs == {("FOA-4", "JO"), ("FOA-4", "VN"), ("COMP-1", "ID"), ("CHR-1", "LS")}
    assert set(CriticalIssue.objects.get(code="FOA-4").not_reported_in.values_list("code", flat=True)) == {"JO", "VN"}


def test_self_diagnosis_options_cover_eight_clusters():
    """R-ADV-2: the standard options, 73 in all, in the eight compliance clusters."""
    assert SelfDiagnosisOption.objects.count() == 73
    clusters = set(SelfDiagnosisOption.objects.values_list("cluster_id", flat=True))
    assert clusters == {"CL", "DIS", "FL", "FOA", "COMP", "CHR", "OSH", "WT"}
    assert SelfDiagnosisOption.objects.filter(cluster_id="OSH").count() == 23


def test_progress_report_1_template_is_present():
    """R-RPT-2: the template the factory fills in."""
    template = ReportTemplate.objects.get(key=PROGRESS_REPORT_1, version=1)
    assert PROGRESS_REPORT_1 == "progress_report_1"
    assert template.definition["sections"]
    assert len(template.questions()) > 0


def test_nine_differentiation_criteria_and_the_management_system_questions():
    """R-DIF-2 / R-ASM-1: nine criteria; criterion 7 carries the 14 HR and OSH management-system questions."""
    assert list(DifferentiationCriterion.objects.values_list("number", flat=True)) == list(range(1, 10))
    questions = DifferentiationCriterion.objects.get(number=7).questions
    expected = next(row for row in CRITERIA_JSON["criteria"] if row["number"] == 7)["questions"]
    assert questions == expected
    assert {group: len(texts) for group, texts in questions.items()} == {"HR": 7, "OSH": 7}
    assert sum(len(texts) for texts in questions.values()) == 14


def test_sync_twice_changes_nothing():
    before = _snapshot()
    for _ in range(2):
        sync_factories()
        sync_assessments()
        sync_advisory()
        sync_reporting()
    assert _snapshot() == before


def test_a_managers_phase_and_reporting_date_survive_a_resync():
    """R-CTY-2: programme managers change the phase; the reference file must not reset it."""
    Country.objects.filter(code="KH").update(phase=1, public_reporting_since=None)
    assert sync_countries() == 11
    kh = Country.objects.get(code="KH")
    assert kh.phase == 1
    assert kh.public_reporting_since is None


def test_resync_restores_file_owned_fields_and_missing_exceptions():
    Country.objects.filter(code="KH").update(name="Kampuchea", sectors=["apparel"])
    CriticalIssueException.objects.filter(issue_id="FOA-4", country_id="VN").delete()
    sync_countries()
    sync_assessments()
    kh = Country.objects.get(code="KH")
    assert (kh.name, kh.sectors) == ("Cambodia", ["apparel", "footwear"])
    assert CriticalIssueException.objects.filter(issue_id="FOA-4", country_id="VN").exists()


def test_a_country_created_by_the_sync_takes_phase_and_reporting_date_from_the_file():
    Country.objects.filter(code="HT").delete()  # Haiti's questions are all global: nothing refers to it
    sync_countries()
    ht = Country.objects.get(code="HT")
    assert (ht.phase, ht.public_reporting_since.isoformat(), ht.timezone) == (2, "2009-10-01", "America/Port-au-Prince")
