"""R-CYC-7: one assessment per cycle (none in a stage 2 factory's off year or in phase 1); used once started."""

from decimal import Decimal

from django.utils.translation import gettext

from assessments.models import Assessment
from factories.allowances import Allowance, allowance_provider
from factories.models import Milestone, ServiceCycle
from factories.schedule import ASSESSMENTS


@allowance_provider
def assessments_allowance(cycle: ServiceCycle) -> list[Allowance]:
    due = cycle.milestones.filter(kind=Milestone.Kind.ASSESSMENT).exclude(state=Milestone.State.CANCELLED).exists()
    started = cycle.assessments.filter(status__in=Assessment.STARTED).count()
    return [
        Allowance(
            key="assessments", label=gettext("Assessments"), unit=gettext("assessments"),
            included=Decimal(ASSESSMENTS if due else 0), used=Decimal(started),
        )
    ]  # fmt: skip
