"""Who gets the fieldwork page (R-ASM-5, R-ASM-3): the assessment's assessors only; staff who see the assessment
but were not sent get 403; factory and buyer users, to whom the findings are drafts, get 404."""

import pytest

from assessments.models import Assessment
from betterwork.accounts.models import Role
from tests.assessments.builders import assessor_of, in_feedback, manager_of, planned_assessment
from tests.assessments.fieldwork.helpers import url
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, buyer_user, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db


def _staff(role, code="KH"):
    user = staff(role, code)
    with_totp(user)
    return user


def test_only_the_assigned_assessors_work_on_the_page(client, assessment, assessor):
    """R-ASM-5: the assessors sent do the fieldwork; others of the country see the assessment but may not."""
    client.force_login(assessor)
    page = client.get(url(assessment))
    assert page.status_code == 200
    assert "Answered 0 of" in page.content.decode()
    second = assessment.assessors.exclude(pk=assessor.pk).get()
    with_totp(second)
    client.force_login(second)
    assert client.get(url(assessment)).status_code == 200
    manager = manager_of(assessment)
    with_totp(manager)
    for user in (_staff(Role.ASSESSOR), _staff(Role.ADVISOR), manager):
        client.force_login(user)
        assert client.get(url(assessment)).status_code == 403, user.role
        assert client.post(url(assessment, "answer/"), {"question": 1, "answer": "yes"}).status_code == 403
    client.force_login(_staff(Role.ASSESSOR, "BD"))  # another country: the assessment does not exist
    assert client.get(url(assessment)).status_code == 404


def test_factory_and_buyer_users_get_404(client, assessment):
    """The findings are the assessors' drafts until submission: no fieldwork page for the factory or buyers."""
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=assessment.factory, buyer=buyer)
    for user in (factory_user(assessment.factory), buyer_user(buyer)):
        client.force_login(user)
        assert client.get(url(assessment)).status_code == 404
        assert client.post(url(assessment, "save/"), {"originals": "{}"}).status_code == 404
        assert client.post(url(assessment, "submit/")).status_code == 404
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_PROGRESS


def test_anonymous_visitors_are_sent_to_sign_in(client, assessment):
    response = client.get(url(assessment))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_planned_assessment_is_hidden_from_its_factory_and_offers_the_assessors_a_start(client):
    """R-ASM-3: a planned assessment does not exist for the factory; its assessors see a Start button."""
    assessment = planned_assessment()
    client.force_login(factory_user(assessment.factory))
    assert client.get(url(assessment)).status_code == 404
    assert client.post(url(assessment, "start/")).status_code == 404
    assessor = assessor_of(assessment)
    with_totp(assessor)
    client.force_login(assessor)
    page = client.get(url(assessment)).content.decode()
    assert "The assessment has not started" in page
    assert f'action="{url(assessment, "start/")}"' in page
    response = client.post(url(assessment, "start/"), follow=True)
    assert "The assessment has started" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_PROGRESS
    assert "Answered 0 of" in response.content.decode()


def test_after_submission_the_page_says_fieldwork_is_over(client):
    assessment = in_feedback()
    assessor = assessor_of(assessment)
    with_totp(assessor)
    client.force_login(assessor)
    page = client.get(url(assessment)).content.decode()
    assert "Fieldwork is done while the assessment is in progress" in page
    assert "Feedback period" in page
    assert f'href="/assessments/{assessment.pk}/"' in page
    assert 'name="originals"' not in page
    late = client.post(
        url(assessment, "answer/"), {"question": assessment.findings.first().question_id, "answer": "na"}
    )
    assert late.status_code == 409
    assert "Findings are recorded while the assessment is in progress." in late.json()["error"]
