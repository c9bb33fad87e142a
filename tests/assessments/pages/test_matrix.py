"""Who gets the assessment page at each status (R-ASM-3, R-ACC-1): staff of the country always; the factory
from the start on; authorised buyers once published; everyone else the 404 of an assessment that never was.
Staff-only data (planned date, assessors, history) never reaches factory or buyer users."""

import pytest

from assessments.services.questions import questions_of
from assessments.services.schedule import assessment_cancel
from betterwork.accounts.models import Role
from tests.assessments.builders import (
    assessable_factory,
    assessor_of,
    finalised,
    in_feedback,
    in_progress,
    manager_of,
    planned_assessment,
    published,
)
from tests.assessments.pages.helpers import login
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
STAFF_ONLY = ("Planned date", 'id="history-heading"', "2026-04-20 (")


def _cancelled():
    assessment = planned_assessment()
    return assessment_cancel(assessment_id=assessment.pk, actor=manager_of(assessment), reason="Strike")


def test_each_role_at_each_status(client):
    built = {
        "planned": planned_assessment(),
        "cancelled": _cancelled(),
        "in_progress": in_progress(),
        "feedback": in_feedback(),
        "finalised": finalised(),
        "published": published(),
    }
    advisor, stranger = staff(Role.ADVISOR), staff(Role.ASSESSOR)
    foreign, foreign_manager = staff(Role.ADVISOR, "BD"), staff(Role.PROGRAMME_MANAGER, "BD")
    other_factory = factory_user(assessable_factory()[0])
    unauthorised = buyer_user(BuyerBuilder())
    for status, assessment in built.items():
        buyer = BuyerBuilder()
        BuyerAuthorisationBuilder(factory=assessment.factory, buyer=buyer)
        assessor = assessor_of(assessment)
        expected = {
            manager_of(assessment): 200,
            advisor: 200,
            assessor: 200,
            stranger: 200,
            foreign: 404,
            foreign_manager: 404,
            factory_user(assessment.factory): 404 if status in ("planned", "cancelled") else 200,
            other_factory: 404,
            buyer_user(buyer): 200 if status == "published" else 404,
            unauthorised: 404,
        }
        for user, code in expected.items():
            login(client, user)
            response = client.get(f"/assessments/{assessment.pk}/")
            assert response.status_code == code, (status, user.role, response.status_code)
            listed = f"/assessments/{assessment.pk}/" in client.get("/assessments/").content.decode()
            assert listed == (code == 200), (status, user.role)
            html = response.content.decode()
            if code == 200 and not user.is_programme_staff:
                for text in (*STAFF_ONLY, assessor.get_full_name() or assessor.get_username()):
                    assert text not in html, (status, user.role, text)
            if code == 200 and user.is_programme_staff:
                assert "Planned date" in html
        client.logout()
        assert client.get(f"/assessments/{assessment.pk}/").status_code == 302


def test_the_report_lists_the_management_system_questions(client):
    assessment = published(non_compliant=("OSH.2.01",))
    login(client, factory_user(assessment.factory))
    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    section = html.split('id="management-heading"')[1].split("</section>")[0]
    expected = questions_of(assessment).exclude(management_system="").count()
    assert expected > 0
    assert section.count("<tr>") == expected + 1  # the heading row
    assert "Compliant" in section
