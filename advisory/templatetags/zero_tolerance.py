"""`{% open_zero_tolerance_cases factory as cases %}`: the factory's open zero-tolerance cases, for programme staff
only (anyone else gets none: factory and buyer users never learn of a case)."""

from django import template

from advisory.models import ZeroToleranceCase
from betterwork.accounts.policy import visible

register = template.Library()


@register.simple_tag(takes_context=True)
def open_zero_tolerance_cases(context, factory) -> list[ZeroToleranceCase]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if factory is None or user is None or not user.is_authenticated or not user.is_programme_staff:
        return []
    cases = visible(user, ZeroToleranceCase).filter(factory=factory, status=ZeroToleranceCase.Status.OPEN)
    return list(cases.order_by("-opened_at", "-id"))
