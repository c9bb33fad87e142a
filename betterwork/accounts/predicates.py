"""Role predicates shared by every app's rules.py (django-rules)."""

import rules

from betterwork.accounts.models import Role


@rules.predicate
def is_global_admin(user) -> bool:
    return user.is_authenticated and user.is_global_admin


@rules.predicate
def is_programme_manager(user) -> bool:
    return user.is_authenticated and user.effective_role == Role.PROGRAMME_MANAGER


@rules.predicate
def is_programme_staff(user) -> bool:
    return user.is_authenticated and user.is_programme_staff


@rules.predicate
def is_factory_user(user) -> bool:
    return user.is_authenticated and user.effective_role == Role.FACTORY


@rules.predicate
def is_buyer_user(user) -> bool:
    return user.is_authenticated and user.effective_role == Role.BUYER


@rules.predicate
def manages_country_of(user, obj) -> bool:
    """A programme manager of the object's country (`obj.country_id`, or the country itself)."""
    if obj is None or not is_programme_manager(user):
        return False
    country_id = getattr(obj, "country_id", None) or getattr(obj, "code", None)
    return country_id == user.country_id
