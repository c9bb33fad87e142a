"""Who may do what in the advisory app (checked on the factory: `factories.<action>_factory`)."""

import rules

from betterwork.accounts.predicates import is_global_admin
from factories.rules import is_advisor_or_manager_of_its_country, is_staff_of_its_country, works_for_it


@rules.predicate
def advises_it(user, factory) -> bool:
    """An enterprise advisor of the factory's country (R-ADV-4: only the EA verifies)."""
    return user.effective_role == "advisor" and is_staff_of_its_country(user, factory)


@rules.predicate
def manages_it(user, factory) -> bool:
    return user.effective_role == "programme_manager" and is_staff_of_its_country(user, factory)


# R-ADV-2: the factory and its advisors keep the plan (self-diagnosis, actions, responsible, dates).
rules.add_perm("factories.keep_plan_factory", is_global_admin | is_advisor_or_manager_of_its_country | works_for_it)
# R-ADV-4: only the enterprise advisor completes an item or defers it to the next assessment.
rules.add_perm("factories.verify_plan_factory", advises_it)
# R-RPT-2: Progress Report 1 is the factory's own; the advisor signs off rectified critical issues.
rules.add_perm("factories.write_report_1_factory", works_for_it)
rules.add_perm("factories.sign_off_factory", advises_it)
# R-RPT-3: Progress Report 2 is written by the programme (the advisor) and released after review (the manager).
rules.add_perm("factories.write_report_2_factory", advises_it | manages_it)
rules.add_perm("factories.release_report_2_factory", manages_it | is_global_admin)
# R-ADV-7: anyone on the programme staff of the country opens a zero-tolerance case.
rules.add_perm("factories.zero_tolerance_factory", is_global_admin | is_staff_of_its_country)
