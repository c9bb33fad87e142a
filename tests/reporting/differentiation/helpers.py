"""A factory with two closed assessments, built through the assessment services (tests/assessments/builders)."""

from datetime import date

from factories.models import Factory, ServiceCycle
from factories.services.cycles import cycle_start
from reporting.services.differentiation import JUDGED
from tests.assessments.builders import assessable_factory, published

FIRST, SECOND = date(2025, 4, 21), date(2026, 4, 20)
ALL_MET = {n: {"met": True, "rationale": f"Criterion {n}: seen in the minutes and interviews."} for n in JUDGED}


def next_cycle(factory: Factory, on: date) -> ServiceCycle:
    """A factory has one open cycle: the renewal flow is not under test, so the open cycle is closed directly
    (test data) and the next one starts through the service, as FV1 would start it."""
    ServiceCycle.objects.filter(factory=factory, status="open").update(status="closed")
    return cycle_start(factory_id=factory.pk, on=on)


def assessed(count: int = 2, *, first: tuple[str, ...] = (), second: tuple[str, ...] = (), **kwargs) -> Factory:
    """A factory with `count` (0-2) published assessments whose non-compliant global codes are `first`, `second`."""
    factory, _ = assessable_factory(start=date(2025, 1, 6), **kwargs)
    if count >= 1:
        published(factory=factory, started_on=FIRST, non_compliant=first)
    if count >= 2:
        next_cycle(factory, date(2026, 1, 5))
        published(factory=factory, started_on=SECOND, non_compliant=second)
    factory.refresh_from_db()
    return factory
