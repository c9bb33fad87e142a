"""Reference data in the reader's language (issue 10): the catalogue files of `betterwork.common.translations`,
their merge and completeness rules, and the pages, forms, API and PDFs that read them."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from advisory.models import ProgressReport, ReportTemplate
from assessments.models import Cluster, CriticalIssue, Question
from betterwork.common import translations
from factories.services.cycles import cycle_start
from reporting.models import DifferentiationCriterion
from tests.builders import FactoryBuilder, client_for, factory_user, staff
from training.services import course_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogues(settings, tmp_path):
    """Write `{language: {key: (source, text)}}` as the catalogues the platform reads."""
    settings.LOCALE_PATHS = [tmp_path]

    def write(data: dict[str, dict[str, tuple[str, str]]]) -> None:
        for language, entries in data.items():
            translations.write_catalogue(
                language, {key: {"source": source, "text": text} for key, (source, text) in entries.items()}
            )

    yield write
    translations.catalogue.cache_clear()


# --- the rules, in isolation ------------------------------------------------------------------------------------
def test_a_translation_is_shown_only_while_its_english_is_current(catalogues):
    issue = CriticalIssue.objects.get(code="CL-1")
    catalogues({"fr": {issue.translation_key("title"): (issue.title, "Travailleurs de moins de 13 ans")}})
    with translation.override("fr"):
        assert issue.tr.title == "Travailleurs de moins de 13 ans"
        assert str(issue) == "CL-1 Travailleurs de moins de 13 ans"
    with translation.override("en"):
        assert issue.tr.title == issue.title
    issue.title = "Workers under age 14"  # the English changed: the old French would now say something else
    with translation.override("fr"):
        assert issue.tr.title == "Workers under age 14"


def test_a_language_without_an_entry_reads_english(catalogues):
    catalogues({"fr": {}})
    cluster = Cluster.objects.get(code="OSH")
    with translation.override("fr"):
        assert cluster.tr.name == cluster.name
    with pytest.raises(AttributeError):
        cluster.tr.code  # noqa: B018 - only translated fields are offered


def test_merge_keeps_current_entries_marks_changed_ones_and_drops_the_rest():
    existing = {
        "k:1:title": {"source": "Same", "text": "Pareil"},
        "k:2:title": {"source": "Old English", "text": "Vieux"},
        "k:3:title": {"source": "Gone", "text": "Parti"},
    }
    merged = translations.merged(existing, {"k:1:title": "Same", "k:2:title": "New English", "k:4:title": "Added"})
    assert merged == {
        "k:1:title": {"source": "Same", "text": "Pareil"},
        "k:2:title": {"source": "New English", "text": "Vieux", "fuzzy": True, "previous_source": "Old English"},
        "k:4:title": {"source": "Added", "text": ""},
    }
    assert translations.problems(merged, {"k:1:title": "Same", "k:2:title": "New English", "k:4:title": "Added"}) == [
        "k:2:title: the English changed, check the translation",
        "k:4:title: not translated",
    ]
    assert translations.translate("k:2:title", "New English") == "New English"


def test_a_question_of_one_country_is_needed_in_that_countrys_languages_only():
    wanted = translations.required_entries()
    variant = Question.objects.filter(country="BD").select_related("country").first()
    key = variant.translation_key("text")
    assert key in wanted["bn"]
    assert key not in wanted["km"]
    global_question = Question.objects.filter(country__isnull=True).first()
    assert all(global_question.translation_key("text") in wanted[language] for language in wanted)


def test_the_command_writes_new_entries_and_check_fails_until_translated(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    try:
        call_command("reference_messages", stdout=open("/dev/null", "w"))  # noqa: SIM115
        written = json.loads((tmp_path / "km" / "reference.json").read_text(encoding="utf-8"))
        assert written["assessments.criticalissue:FL-1:title"]["text"] == ""
        assert written["assessments.criticalissue:FL-1:title"]["source"] == CriticalIssue.objects.get(code="FL-1").title
        with pytest.raises(Exception, match="Incomplete reference catalogues"):
            call_command("reference_messages", "--check", stdout=open("/dev/null", "w"))  # noqa: SIM115
    finally:
        translations.catalogue.cache_clear()


# --- every shipped catalogue is complete ----------------------------------------------------------------------
@pytest.mark.parametrize("language", translations.languages())
def test_every_reference_text_is_translated(language):
    """`manage.py reference_messages` then translate: no entry missing, empty, fuzzy, outdated or unneeded."""
    wanted = translations.required_entries()[language]
    assert translations.problems(translations.catalogue(language), wanted) == []


# --- where readers meet it ------------------------------------------------------------------------------------
def test_the_portal_explains_critical_issues_in_the_readers_language(client, catalogues):
    issue = CriticalIssue.objects.get(code="FOA-1")
    catalogues({"bn": {
        issue.translation_key("title"): (issue.title, "শিরোনাম বাংলায়"),
        issue.translation_key("explanation"): (issue.explanation, "ব্যাখ্যা বাংলায়"),
    }})  # fmt: skip
    client.cookies["django_language"] = "bn"
    html = client.get("/transparency/issues/").content.decode()
    assert "শিরোনাম বাংলায়" in html
    assert "ব্যাখ্যা বাংলায়" in html
    assert issue.explanation not in html


def test_the_question_bank_api_answers_in_the_language_of_the_request(catalogues):
    question = Question.objects.get(code="CL.1.01")
    variant = Question.objects.get(code="CL.1.01-BD")
    catalogues({"bn": {
        question.translation_key("text"): (question.text, "প্রশ্ন"),
        variant.translation_key("text"): (variant.text, "বাংলাদেশের প্রশ্ন"),
    }})  # fmt: skip
    client = client_for(staff("advisor", "BD"))
    english = client.get("/api/v1/cat/questions/?country=BD&critical_issue=CL-1").json()["results"]
    bengali = client.get("/api/v1/cat/questions/?country=BD&critical_issue=CL-1", HTTP_ACCEPT_LANGUAGE="bn").json()[
        "results"
    ]
    assert {q["code"]: q["text"] for q in english}["CL.1.01-BD"] == variant.text
    assert {q["code"]: q["text"] for q in bengali}["CL.1.01-BD"] == "বাংলাদেশের প্রশ্ন"


def test_progress_report_1_is_asked_in_the_factorys_language_and_stores_the_same_answers(catalogues):
    template = ReportTemplate.objects.get(key="progress_report_1")
    key = f"advisory.reporttemplate:{template.translation_id()}"
    parts = [part for section in template.definition["sections"] for part in section["parts"]]
    question = next(q for part in parts for q in part["questions"] if q["key"] == "committee_actions")
    catalogues({"km": {
        f"{key}:committee_actions:text": (question["text"], "សកម្មភាពគណៈកម្មាធិការ"),
        f"{key}:committee_actions:text.choices.1": (question["choices"][1], "តែងតាំងសមាជិកបន្ថែម"),
    }})  # fmt: skip
    cycle = cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))
    client = client_for(factory_user(cycle.factory, language="km"))
    url = f"/factories/{cycle.factory_id}/reports/1/"
    html = client.get(url).content.decode()
    assert "សកម្មភាពគណៈកម្មាធិការ" in html
    assert "តែងតាំងសមាជិកបន្ថែម" in html
    assert f'value="{question["choices"][1]}"' in html  # the stored value stays the programme's own
    client.post(url, {"committee_actions": [question["choices"][1]], "do": "save"})
    report = ProgressReport.objects.get(cycle=cycle, number=1)
    assert report.answers["committee_actions"] == [question["choices"][1]]


def test_differentiation_criteria_read_in_the_readers_language(catalogues):
    criterion = DifferentiationCriterion.objects.get(number=2)
    catalogues({"ar": {criterion.translation_key("criterion"): (criterion.criterion, "لجنة العمال والإدارة نشطة")}})
    with translation.override("ar"):
        assert str(criterion).startswith("2. لجنة العمال والإدارة نشطة")


def test_a_course_title_is_shown_in_the_readers_language_and_checked():
    advisor = staff("advisor", "KH")
    course = course_create(actor=advisor, title="Fire safety", days=1, title_translations={"km": " សុវត្ថិភាពអគ្គិភ័យ "})
    assert course.title_translations == {"km": "សុវត្ថិភាពអគ្គិភ័យ"}
    with translation.override("km"):
        assert course.tr.title == "សុវត្ថិភាពអគ្គិភ័យ"
    with translation.override("vi"):
        assert course.tr.title == "Fire safety"
    from betterwork.common.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        course_create(actor=advisor, title="Fire safety", days=1, title_translations={"xx": "?"})
    assert refused.value.field == "title_translations"


def test_the_catalogue_page_offers_a_title_field_per_language_of_the_country():
    advisor = staff("advisor", "KH")
    client = client_for(advisor)
    html = client.get("/training/").content.decode()
    assert 'name="course-title_km"' in html
    assert 'name="course-title_fr"' not in html
    response = client.post("/training/", {
        "form": "course", "course-title": "Fire safety", "course-title_km": "សុវត្ថិភាពអគ្គិភ័យ", "course-days": 1,
        "course-modality": "onsite",
    })  # fmt: skip
    assert response.status_code == 302
    client.cookies["django_language"] = "km"
    assert "សុវត្ថិភាពអគ្គិភ័យ" in client.get("/training/").content.decode()


def test_the_course_api_takes_titles_in_other_languages():
    client = client_for(staff("advisor", "KH"))
    created = client.post(
        "/api/v1/training-courses/",
        {"title": "Fire safety", "days": 1, "title_translations": {"km": "សុវត្ថិភាពអគ្គិភ័យ"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["title_translations"] == {"km": "សុវត្ថិភាពអគ្គិភ័យ"}
    refused = client.post(
        "/api/v1/training-courses/",
        {"title": "Fire safety", "days": 1, "title_translations": {"zz": "?"}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "title_translations" in refused.json()
