"""R-TRN-4: the training and seminars a factory attended this cycle feed its Progress Report 1."""

from factories.models import ServiceCycle
from factories.prefill import report_1_prefill
from training.selectors import progress_report_1_answers


@report_1_prefill
def training_attended(cycle: ServiceCycle) -> dict[str, str]:
    return progress_report_1_answers(cycle)
