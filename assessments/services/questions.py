"""Which questions an assessment asks (R-ASM-1/2): the tool version, the factory's country, the modality."""

from django.db.models import Max, QuerySet

from assessments.models import Assessment, Question


def current_version() -> int:
    return Question.objects.aggregate(v=Max("version"))["v"] or 1


def question_set(*, country: str, modality: str, version: int) -> QuerySet[Question]:
    return Question.objects.filter(version=version).for_country(country).for_tool(modality)


def questions_of(assessment: Assessment) -> QuerySet[Question]:
    return question_set(
        country=assessment.factory.country_id, modality=assessment.modality, version=assessment.cat_version
    )
