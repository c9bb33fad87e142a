"""Who may do what in the factories app (registered as `factories.<action>_<model>`; see accounts.policy)."""

from typing import Any

import rules

from betterwork.accounts.models import COUNTRY_ROLES, Role
from betterwork.accounts.predicates import (
    is_buyer_user,
    is_factory_user,
    is_global_admin,
    is_programme_staff,
    manages_country_of,
)


def factory_of(obj: Any) -> Any:
    """The factory an object belongs to: itself, `obj.factory`, or the path its model names in FACTORY_PATH."""
    if obj is None:
        return None
    if obj._meta.model_name == "factory":
        return obj
    for attribute in getattr(obj, "FACTORY_PATH", "factory").split("__"):
        obj = getattr(obj, attribute)
    return obj


@rules.predicate
def is_staff_of_its_country(user: Any, obj: Any) -> bool:
    """A programme manager, advisor or assessor of the country the object's factory (or itself) is in."""
    if obj is None or user.effective_role not in COUNTRY_ROLES:
        return False
    country_id = obj.country_id if hasattr(obj, "country_id") else factory_of(obj).country_id
    return country_id == user.country_id


@rules.predicate
def is_advisor_or_manager_of_its_country(user: Any, obj: Any) -> bool:
    return user.effective_role in (Role.ADVISOR, Role.PROGRAMME_MANAGER) and is_staff_of_its_country(user, obj)


@rules.predicate
def works_for_it(user: Any, obj: Any) -> bool:
    """A factory user of the object's factory."""
    return obj is not None and user.effective_role == Role.FACTORY and factory_of(obj).pk == user.factory_id


# R-CTY-2: the service phase and the public-reporting launch are set by the country's programme manager.
rules.add_perm("factories.change_country", is_global_admin | manages_country_of)
# R-REG-1: the country's programme manager reviews registrations and runs invoices, payment, exit.
rules.add_perm("factories.review_registration", is_global_admin | manages_country_of)
rules.add_perm("factories.manage_factory", is_global_admin | manages_country_of)
# The profile: the factory itself and its country's advisors and manager (which fields: services.lifecycle).
rules.add_perm("factories.change_factory", is_global_admin | is_advisor_or_manager_of_its_country | works_for_it)
# R-ACC-1: only the factory decides which buyers read its reports.
rules.add_perm("factories.authorise_buyers_factory", works_for_it)
rules.add_perm("factories.add_buyerauthorisation", is_factory_user)
rules.add_perm("factories.add_buyer", is_programme_staff)
rules.add_perm("factories.add_sourcinglink", is_buyer_user)
# R-ADV-6: the committee is kept by the factory and its advisor (and the country's manager).
rules.add_perm(
    "factories.keep_committee_factory", is_global_admin | is_advisor_or_manager_of_its_country | works_for_it
)
# R-ADV-5: the country's advisors and manager record visits (and global admins, who migrate history).
rules.add_perm("factories.record_visits_factory", is_global_admin | is_advisor_or_manager_of_its_country)
