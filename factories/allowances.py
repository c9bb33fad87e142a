"""The service package of a cycle (R-CYC-7): advisory days, industry seminars, training participant-days
and assessments, each with what is included, used and remaining.

Each app that delivers a service registers a provider with `@allowance_provider`; a provider returns the
cycle's `Allowance` rows. Pages and the API list `allowances_of(cycle)` without knowing the apps. Nothing
here counts a planned assessment: only what has happened is used (R-ASM-3).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from factories.models import ServiceCycle


@dataclass(frozen=True)
class Allowance:
    key: str  # "advisory_days", "seminars", "training_participant_days", "assessments"
    label: str
    unit: str
    included: Decimal
    used: Decimal
    purchased: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        return self.included + self.purchased

    @property
    def remaining(self) -> Decimal:
        return max(self.available - self.used, Decimal(0))


Provider = Callable[[ServiceCycle], list[Allowance]]
_providers: list[Provider] = []


def allowance_provider(function: Provider) -> Provider:
    _providers.append(function)
    return function


def allowances_of(cycle: ServiceCycle) -> list[Allowance]:
    return [allowance for provider in _providers for allowance in provider(cycle)]
