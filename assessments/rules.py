"""Who may do what with assessments (`assessments.<action>_assessment`, and planning on the factory)."""

from typing import Any

import rules

from betterwork.accounts.predicates import is_global_admin
from factories.rules import is_staff_of_its_country, works_for_it


@rules.predicate
def manages_its_country(user: Any, obj: Any) -> bool:
    return user.effective_role == "programme_manager" and is_staff_of_its_country(user, obj)


@rules.predicate
def is_its_assessor(user: Any, assessment: Any) -> bool:
    """One of the (two) assessors the assessment was planned with."""
    return assessment is not None and assessment.assessors.filter(pk=user.pk).exists()


# R-ASM-3/4, R-CYC-2: the country's programme manager plans, reschedules and cancels; finalises, corrects
# and publishes after the feedback period (R-ASM-6); ranks factories due for assessment.
rules.add_perm("factories.plan_assessment_factory", is_global_admin | manages_its_country)
rules.add_perm("assessments.manage_assessment", is_global_admin | manages_its_country)
# Fieldwork (R-ASM-5): only the assessors who were sent.
rules.add_perm("assessments.conduct_assessment", is_its_assessor)
# R-ASM-6: the factory responds to the findings or accepts them; the programme answers in the thread.
rules.add_perm("assessments.respond_assessment", works_for_it)
rules.add_perm("assessments.discuss_assessment", is_global_admin | is_staff_of_its_country)
# Evidence is the programme's working material: staff of the country only.
rules.add_perm("assessments.see_evidence_assessment", is_global_admin | is_staff_of_its_country)
