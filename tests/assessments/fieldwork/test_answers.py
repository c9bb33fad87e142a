"""Answering as they go (R-ASM-5): the page, the Save button without JavaScript (only what changed), the
one-answer endpoint used by static/js/fieldwork.js, and the questions' polarity."""

import json
import re

import pytest
from django.test import Client

from assessments.models import Finding
from assessments.services.fieldwork import findings_save
from assessments.services.questions import questions_of
from tests.assessments.fieldwork.helpers import question, shown_form, url

pytestmark = pytest.mark.django_db


def _results(assessment):
    return dict(Finding.objects.filter(assessment=assessment).values_list("question__code", "result"))


def test_the_page_groups_every_question_with_badges_radios_and_skip_links(assessor_client, assessment):
    page = assessor_client.get(url(assessment)).content.decode()
    questions = list(questions_of(assessment))
    assert page.count('class="fieldwork-question') == len(questions)
    assert page.count('<details class="fieldwork-cluster"') == len({q.cluster_id for q in questions})
    assert 'href="#cluster-OSH"' in page
    assert 'id="cluster-OSH"' in page
    exits = question(assessment, "OSH.2.01")
    block = page[page.index(f'id="q-{exits.pk}"') :]
    block = block[: block.index("</fieldset>")]
    assert "Critical issue OSH-2" in block
    assert {"yes", "no", "na"} == set(re.findall(rf'name="r{exits.pk}" value="(\w+)"', block))
    assert f'<label for="n{exits.pk}">' in block
    assert 'accept="image/jpeg,image/png,application/pdf"' in block
    assert "Management system" in page
    assert f"Answered 0 of {len(questions)}" in page
    # CSP: scripts come from files only.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "/static/js/fieldwork.js" in page
    assert "/static/css/fieldwork.css" in page


def test_save_without_javascript_stores_only_what_changed(assessor_client, assessment, assessor):
    """Two assessors at once: the form posts everything, but only answers that differ from what the page showed
    are saved, so the other assessor's newer answer to another question survives."""
    first, second, third = (q.code for q in questions_of(assessment)[:3])
    q1, q2, q3 = (questions_of(assessment).get(code=c) for c in (first, second, third))
    findings_save(assessment_id=assessment.pk, actor=assessor, answers=[
        {"question": first, "result": "compliant"}, {"question": second, "result": "compliant", "notes": "Seen"},
    ])  # fmt: skip
    form = shown_form(assessor_client, assessment)
    other = assessment.assessors.exclude(pk=assessor.pk).get()
    findings_save(assessment_id=assessment.pk, actor=other, answers=[
        {"question": second, "result": "not_applicable", "notes": "No canteen"},
    ])  # fmt: skip
    form[f"r{q1.pk}"] = "na"  # changed
    form[f"n{q1.pk}"] = "  Closed  "
    form[f"r{q3.pk}"] = "yes"  # newly answered
    response = assessor_client.post(url(assessment, "save/"), form, follow=True)
    assert "2 answers saved." in response.content.decode()
    findings = {f.question_id: f for f in Finding.objects.filter(assessment=assessment)}
    assert (findings[q1.pk].result, findings[q1.pk].notes) == ("not_applicable", "Closed")
    assert (findings[q2.pk].result, findings[q2.pk].notes, findings[q2.pk].answered_by) == (
        "not_applicable", "No canteen", other)  # fmt: skip
    assert findings[q3.pk].result == q3.result_for("yes")
    assert len(findings) == 3


def test_notes_without_an_answer_are_refused_by_name_and_a_stale_form_is_not_saved(assessor_client, assessment):
    q1 = questions_of(assessment).first()
    form = shown_form(assessor_client, assessment)
    form[f"n{q1.pk}"] = "Something"
    page = assessor_client.post(url(assessment, "save/"), form, follow=True).content.decode()
    assert f"Notes are kept only with an answer: choose Yes, No or Not applicable for {q1.code}." in page
    del form["originals"]
    form[f"r{q1.pk}"] = "yes"
    page = assessor_client.post(url(assessment, "save/"), form, follow=True).content.decode()
    assert "The form is out of date" in page
    assert not Finding.objects.exists()


def test_polarity_decides_what_yes_means(assessor_client, assessment):
    """R-ASM-5: some questions are asked so that “Yes” is the non-compliance (“Are exits locked?”), others so
    that “No” is; the finding follows `noncompliant_answer`."""
    questions = list(questions_of(assessment))
    yes_bad = next(q for q in questions if q.noncompliant_answer == "yes")
    no_bad = next(q for q in questions if q.noncompliant_answer == "no")
    for q, answer, expected in ((yes_bad, "yes", "non_compliant"), (no_bad, "yes", "compliant"),
                                (no_bad, "no", "non_compliant"), (yes_bad, "na", "not_applicable")):  # fmt: skip
        response = assessor_client.post(url(assessment, "answer/"), {"question": q.pk, "answer": answer})
        assert response.status_code == 200
        assert response.json()["result"] == expected
        assert Finding.objects.get(assessment=assessment, question=q).result == expected
    page = assessor_client.get(url(assessment)).content.decode()
    assert re.search(rf'name="r{no_bad.pk}" value="no" data-result="non_compliant" checked', page)
    assert re.search(rf'name="r{yes_bad.pk}" value="na" data-result="not_applicable" checked', page)


def test_the_javascript_endpoint_saves_one_answer_and_returns_the_progress(client, assessment, assessor):
    """static/js/fieldwork.js posts one answer with the CSRF token and shows the JSON it gets back."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(assessor)
    client.get(url(assessment))
    token = client.cookies["csrftoken"].value
    exits = question(assessment, "OSH.2.01")
    total = questions_of(assessment).count()
    in_osh = questions_of(assessment).filter(cluster_id="OSH").count()
    assert client.post(url(assessment, "answer/"), {"question": exits.pk, "answer": "yes"}).status_code == 403
    response = client.post(url(assessment, "answer/"), {"question": exits.pk, "answer": "no", "notes": " Locked "},
                           HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert response.status_code == 200
    data = response.json()
    assert (data["code"], data["cluster"], data["changed"]) == (exits.code, "OSH", 1)
    assert data["result"] == exits.result_for("no")
    assert (data["answered"], data["total"]) == (1, total)
    assert data["clusters"]["OSH"] == {"answered": 1, "total": in_osh}
    assert data["clusters"]["CL"]["answered"] == 0
    assert Finding.objects.get(question=exits).notes == "Locked"
    bad = client.post(url(assessment, "answer/"), {"question": exits.pk, "answer": "maybe"}, HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 400
    assert "Choose Yes, No or Not applicable" in bad.json()["error"]
    foreign = client.post(url(assessment, "answer/"), {"question": 999999, "answer": "no"}, HTTP_X_CSRFTOKEN=token)
    assert foreign.status_code == 400
    page = client.get(url(assessment)).content.decode()
    assert f"Answered 1 of {total}" in page
    assert json.loads(re.search(r'data-cluster-progress="OSH">(\d+) of', page).group(1)) == 1
