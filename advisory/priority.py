"""What advisory knows about a factory's assessment priority (R-ASM-4): a zero-tolerance history raises it,
proactive self-reporting in the improvement plan lowers it. Registered with the assessment ranking."""

from datetime import date, timedelta

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advisory.models import ImprovementPlanItem as Item
from advisory.models import ZeroToleranceCase
from assessments.services.priority import Reason, priority_signal

SELF_REPORTING_ITEMS = 3  # self-diagnosed items in the last year that count as proactive


@priority_signal
def zero_tolerance_history(ids: list[int], today: date) -> dict[int, list[Reason]]:
    cases = (
        ZeroToleranceCase.objects.filter(factory_id__in=ids)
        .values("factory_id")
        .annotate(n=Count("pk"))
        .values_list("factory_id", "n")
    )
    return {
        pk: [Reason(40, ngettext("%(n)s zero-tolerance case on record.", "%(n)s zero-tolerance cases on record.", n)
                    % {"n": n})]
        for pk, n in cases
    }  # fmt: skip


@priority_signal
def self_reporting(ids: list[int], today: date) -> dict[int, list[Reason]]:
    items = (
        Item.objects.filter(
            plan__factory_id__in=ids, source=Item.Source.SELF_DIAGNOSIS, raised_on__gte=today - timedelta(days=365)
        )
        .values("plan__factory_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=SELF_REPORTING_ITEMS)
        .values_list("plan__factory_id", "n")
    )
    return {
        pk: [Reason(-10, _("Proactive self-reporting (%(n)s self-diagnosed issues this year).") % {"n": n})]
        for pk, n in items
    }
