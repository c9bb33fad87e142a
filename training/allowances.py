"""R-CYC-7 / R-TRN-2/3: the cycle's training participant-days (25 included, plus bought days) and its industry
seminars (4 included). Registered with `factories.allowances`; imported by `TrainingConfig.ready()`."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext

from factories.allowances import Allowance, allowance_provider
from factories.models import ServiceCycle
from training.models import INCLUDED_PARTICIPANT_DAYS, INCLUDED_SEMINARS, Enrolment, SeminarParticipation


def participant_days_allowance(cycle: ServiceCycle) -> Allowance:
    """Included 25; purchased = the extra days bought for the cycle; used = participants × session days of the
    cycle's enrolments (booked seats count: they are no longer available to anyone else)."""
    used = Enrolment.objects.filter(cycle=cycle).aggregate(n=Sum("participant_days"))["n"] or 0
    purchased = cycle.training_purchases.aggregate(n=Sum("participant_days"))["n"] or 0
    return Allowance(
        key="training_participant_days", label=gettext("Training"), unit=gettext("participant-days"),
        included=Decimal(INCLUDED_PARTICIPANT_DAYS), purchased=Decimal(purchased), used=Decimal(used),
    )  # fmt: skip


def seminars_allowance(cycle: ServiceCycle) -> Allowance:
    used = SeminarParticipation.objects.filter(cycle=cycle).count()
    return Allowance(
        key="seminars", label=gettext("Industry seminars"), unit=gettext("seminars"),
        included=Decimal(INCLUDED_SEMINARS), used=Decimal(used),
    )  # fmt: skip


@allowance_provider
def training_allowances(cycle: ServiceCycle) -> list[Allowance]:
    return [seminars_allowance(cycle), participant_days_allowance(cycle)]
