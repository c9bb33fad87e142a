"""Answers that other services suggest for Progress Report 1 (R-RPT-2, R-TRN-4): the training and seminars a
factory attended this cycle, written by the training app. Providers register with `@report_1_prefill`
and return `{question key: text}` for a cycle; the advisory app fills the draft's empty answers with them
(the factory edits them before it submits). Like `factories.allowances`, this keeps advisory and training
apart."""

from collections.abc import Callable

from factories.models import ServiceCycle

Provider = Callable[[ServiceCycle], dict[str, str]]
_providers: list[Provider] = []


def report_1_prefill(function: Provider) -> Provider:
    _providers.append(function)
    return function


def report_1_suggestions(cycle: ServiceCycle) -> dict[str, str]:
    suggestions: dict[str, str] = {}
    for provider in _providers:
        suggestions.update({key: text for key, text in provider(cycle).items() if text})
    return suggestions
