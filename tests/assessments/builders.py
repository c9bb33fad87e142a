"""Assessments at every point of their lifecycle, built through the services (the same path users take)."""

from datetime import date, timedelta
from typing import Any

from assessments.models import Assessment, Finding
from assessments.services.feedback import assessment_finalise, assessment_publish, feedback_open, findings_accept
from assessments.services.fieldwork import assessment_start, assessment_submit, findings_save
from assessments.services.questions import questions_of
from assessments.services.schedule import assessment_plan
from betterwork.accounts.models import Role, User
from factories.models import Factory, ServiceCycle
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, country, factory_user, staff

CYCLE_START = date(2026, 1, 5)  # a Monday; the initial advisory phase ends on 2026-04-15
PLANNED = date(2026, 4, 20)


def assessable_factory(code: str = "KH", *, start: date = CYCLE_START, **kwargs: Any) -> tuple[Factory, ServiceCycle]:
    factory = FactoryBuilder(country=country(code), **kwargs)
    return factory, cycle_start(factory_id=factory.pk, on=start)


def team(code: str = "KH") -> tuple[User, User, User]:
    """A programme manager and two assessors of the country."""
    return staff(Role.PROGRAMME_MANAGER, code), staff(Role.ASSESSOR, code), staff(Role.ASSESSOR, code)


def planned_assessment(
    code: str = "KH", *, on: date = PLANNED, modality: str = "onsite", factory: Factory | None = None
) -> Assessment:
    if factory is None:
        factory, _ = assessable_factory(code)
    manager, first, second = team(factory.country_id)
    return assessment_plan(
        factory=factory, actor=manager, planned_date=on, modality=modality, assessors=[first, second]
    )


def manager_of(assessment: Assessment) -> User:
    return User.objects.filter(role=Role.PROGRAMME_MANAGER, country_id=assessment.factory.country_id).first()


def assessor_of(assessment: Assessment) -> User:
    return assessment.assessors.order_by("pk").first()


def answer_all(assessment: Assessment, *, non_compliant: tuple[str, ...] = ()) -> None:
    """Every question answered: compliant, except the global codes listed."""
    findings_save(
        assessment_id=assessment.pk,
        actor=assessor_of(assessment),
        answers=[
            {"question": q.code, "result": "non_compliant" if q.global_code in non_compliant else "compliant",
             "notes": "Seen on the floor." if q.global_code in non_compliant else ""}
            for q in questions_of(assessment)
        ],
    )  # fmt: skip


def in_progress(code: str = "KH", *, started_on: date = PLANNED, **kwargs: Any) -> Assessment:
    assessment = planned_assessment(code, on=started_on, **kwargs)
    return assessment_start(assessment_id=assessment.pk, actor=assessor_of(assessment), started_on=started_on)


def in_feedback(
    code: str = "KH", *, non_compliant: tuple[str, ...] = ("OSH.2.01", "COMP.5.01"), submitted_on: date | None = None,
    **kwargs: Any,
) -> Assessment:  # fmt: skip
    assessment = in_progress(code, **kwargs)
    answer_all(assessment, non_compliant=non_compliant)
    return assessment_submit(
        assessment_id=assessment.pk,
        actor=assessor_of(assessment),
        submitted_on=submitted_on or assessment.started_on + timedelta(days=1),
    )


def finalised(code: str = "KH", **kwargs: Any) -> Assessment:
    assessment = in_feedback(code, **kwargs)
    if feedback_open(assessment):
        findings_accept(assessment_id=assessment.pk, actor=factory_user(assessment.factory))
    return assessment_finalise(assessment_id=assessment.pk, actor=manager_of(assessment))


def published(code: str = "KH", **kwargs: Any) -> Assessment:
    assessment = finalised(code, **kwargs)
    return assessment_publish(assessment_id=assessment.pk, actor=manager_of(assessment))


def result_of(assessment: Assessment, code: str) -> str:
    return Finding.objects.get(assessment=assessment, question__global_code=code).result
