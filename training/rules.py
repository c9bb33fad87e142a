"""Who may do what in the training app (django-rules; see betterwork.accounts.policy)."""

from typing import Any

import rules

from betterwork.accounts.models import COUNTRY_ROLES
from betterwork.accounts.predicates import is_factory_user, is_global_admin, is_programme_staff
from factories.rules import is_advisor_or_manager_of_its_country, is_staff_of_its_country, works_for_it


def catalogue_country_id(obj: Any) -> str | None:
    """The country of a course, session or seminar."""
    if hasattr(obj, "course"):
        return obj.course.country_id
    return getattr(obj, "country_id", None)


@rules.predicate
def is_staff_of_catalogue_country(user: Any, obj: Any) -> bool:
    return obj is not None and user.effective_role in COUNTRY_ROLES and catalogue_country_id(obj) == user.country_id


# R-TRN-1: programme staff keep their country's catalogue (courses, sessions, seminars) and take attendance.
rules.add_perm("training.add_course", is_programme_staff)
rules.add_perm("training.add_trainingsession", is_programme_staff)
rules.add_perm("training.add_seminar", is_programme_staff)
rules.add_perm("training.add_trainingpurchase", is_programme_staff)
rules.add_perm("training.manage_course", is_global_admin | is_staff_of_catalogue_country)
rules.add_perm("training.manage_trainingsession", is_global_admin | is_staff_of_catalogue_country)
rules.add_perm("training.manage_seminar", is_global_admin | is_staff_of_catalogue_country)
# R-TRN-2: the factory's users and its country's staff enrol it; the programme records bought days.
rules.add_perm("factories.enrol_training_factory", is_global_admin | is_staff_of_its_country | works_for_it)
rules.add_perm("factories.buy_training_factory", is_global_admin | is_advisor_or_manager_of_its_country)
# R-TRN-3: the factory enters its seminar action plan (its advisor or manager may help).
rules.add_perm("factories.seminar_plan_factory", is_global_admin | is_advisor_or_manager_of_its_country | works_for_it)
# Who may ask at all (the services check which factory): factory users and programme staff enrol and join.
rules.add_perm("training.add_enrolment", is_programme_staff | is_factory_user)
rules.add_perm("training.add_seminarparticipation", is_programme_staff | is_factory_user)
