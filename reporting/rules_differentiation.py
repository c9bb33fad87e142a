"""Who evaluates service differentiation (R-DIF-2): the factory's enterprise advisor or the country's programme
manager. Registered as `factories.evaluate_differentiation_factory` (checked on the factory)."""

from typing import Any

import rules

from betterwork.accounts.models import Role
from factories.rules import is_staff_of_its_country


@rules.predicate
def evaluates_it(user: Any, factory: Any) -> bool:
    """The country's programme manager, or an advisor of the country who is the factory's advisor (any advisor
    of the country while the factory has none assigned)."""
    if factory is None or not user.is_authenticated:
        return False
    role = user.effective_role
    if role == Role.PROGRAMME_MANAGER:
        return is_staff_of_its_country(user, factory)
    if role == Role.ADVISOR:
        return is_staff_of_its_country(user, factory) and factory.advisor_id in (None, user.pk)
    return False


rules.add_perm("factories.evaluate_differentiation_factory", evaluates_it)
