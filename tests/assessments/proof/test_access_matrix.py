"""Every principal's access to an assessment and its findings at every state (R-ASM-3, R-ACC-1).

One declarative table: state × principal → (sees the assessment, sees its findings, status of
`GET /api/v1/assessments/{id}/`). Staff of the country see everything of their country, planned included;
factory users see their own assessment from the start and its findings from submission; buyers only
published reports of factories that authorise them (not revoked). Hidden → 404; anonymous → 401.
"""

from datetime import date

import pytest
from django.utils import timezone

from assessments.models import Assessment, Finding
from assessments.services.fieldwork import findings_save
from assessments.services.schedule import assessment_cancel
from betterwork.accounts.models import Role
from betterwork.accounts.policy import visible
from factories.models import BuyerAuthorisation
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
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    buyer_user,
    factory_user,
    global_admin,
    staff,
)

pytestmark = pytest.mark.django_db

STATES = ("planned", "in_progress", "feedback", "finalised", "published", "cancelled")
PRINCIPALS = (
    "anonymous", "manager", "manager_elsewhere", "advisor", "assessor", "other_assessor", "factory_user",
    "other_factory_user", "buyer", "buyer_unauthorised", "buyer_revoked", "global_admin",
)  # fmt: skip
STAFF = {"manager", "advisor", "assessor", "other_assessor", "global_admin"}
STARTED = {"in_progress", "feedback", "finalised", "published"}
SUBMITTED = {"feedback", "finalised", "published"}


def expected(state: str, principal: str) -> tuple[bool, bool, int]:
    """The oracle: (assessment visible, findings visible, API status)."""
    if principal == "anonymous":
        return False, False, 401
    if principal in STAFF:
        sees, findings = True, True
    elif principal == "factory_user":
        sees, findings = state in STARTED, state in SUBMITTED
    elif principal == "buyer":
        sees = findings = state == "published"
    else:  # another country's manager, another factory's user, unauthorised or revoked buyers
        sees = findings = False
    if state in ("planned", "cancelled"):
        findings = False  # none exist before the fieldwork
    return sees, findings, 200 if sees else 404


TABLE = {(state, principal): expected(state, principal) for state in STATES for principal in PRINCIPALS}


def _build(state: str) -> Assessment:
    if state in ("planned", "cancelled"):
        assessment = planned_assessment()
        if state == "cancelled":
            assessment = assessment_cancel(assessment_id=assessment.pk, actor=manager_of(assessment), reason="Strike")
        return assessment
    if state == "in_progress":
        assessment = in_progress()
        findings_save(
            assessment_id=assessment.pk, actor=assessor_of(assessment),
            answers=[{"question": "OSH.2.01", "result": "non_compliant", "notes": "Exit locked"}],
        )  # fmt: skip
        return assessment
    return {"feedback": in_feedback, "finalised": finalised, "published": published}[state]()


def _principals(assessment: Assessment) -> dict[str, object]:
    factory = assessment.factory
    grant = BuyerAuthorisationBuilder(factory=factory)
    revoked = BuyerAuthorisationBuilder(factory=factory)
    BuyerAuthorisation.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    other_factory, _ = assessable_factory()
    BuyerAuthorisationBuilder(factory=other_factory)
    return {
        "anonymous": None,
        "manager": manager_of(assessment),
        "manager_elsewhere": staff(Role.PROGRAMME_MANAGER, "VN"),
        "advisor": staff(Role.ADVISOR, factory.country_id),
        "assessor": assessor_of(assessment),
        "other_assessor": staff(Role.ASSESSOR, factory.country_id),
        "factory_user": factory_user(factory),
        "other_factory_user": factory_user(other_factory),
        "buyer": buyer_user(grant.buyer),
        "buyer_unauthorised": buyer_user(BuyerBuilder()),
        "buyer_revoked": buyer_user(revoked.buyer),
        "global_admin": global_admin(),
    }


@pytest.mark.parametrize("state", STATES)
def test_access_at_every_state(state, api_client, time_machine):
    from django.contrib.auth.models import AnonymousUser

    time_machine.move_to(date(2026, 6, 15), tick=False)
    assessment = _build(state)
    assert assessment.status == state
    all_findings = set(Finding.objects.filter(assessment=assessment).values_list("pk", flat=True))
    assert bool(all_findings) == (state not in ("planned", "cancelled"))  # the findings check can fail
    actual = {}
    for name, user in _principals(assessment).items():
        who = user or AnonymousUser()
        sees = visible(who, Assessment).filter(pk=assessment.pk).exists()
        shown = set(visible(who, Finding).filter(assessment=assessment).values_list("pk", flat=True))
        assert shown in (set(), all_findings), f"{name} sees part of the findings"
        api_client.force_authenticate(user)
        response = api_client.get(f"/api/v1/assessments/{assessment.pk}/")
        actual[(state, name)] = (sees, bool(shown), response.status_code)
        if response.status_code == 200:
            body = response.json()
            assert body["id"] == assessment.pk
            assert {f["question"] for f in body["findings"]} == (
                set(Finding.objects.filter(pk__in=shown).values_list("question__code", flat=True))
            ), f"{name}: the API shows other findings than visible() does"
        else:
            assert str(assessment.factory.name) not in response.content.decode()
    assert actual == {key: value for key, value in TABLE.items() if key[0] == state}


def test_the_table_is_complete():
    assert len(TABLE) == len(STATES) * len(PRINCIPALS) == 72
    # the table itself says what R-ASM-3 demands: nobody outside the programme sees a planned assessment
    outsiders = set(PRINCIPALS) - STAFF
    assert not any(TABLE[("planned", p)][0] or TABLE[("cancelled", p)][0] for p in outsiders)
