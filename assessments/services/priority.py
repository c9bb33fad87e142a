"""Which factories to assess first when capacity is short (R-ASM-4), with the reasons shown.

Higher priority: high non-compliance or zero-tolerance history, no functioning social dialogue
mechanism, stakeholder (buyer, union) feedback, new to the programme. Lower: low non-compliance, an
active committee, proactive self-reporting. Each consideration is a *signal*: a function of the
candidate factories that returns, per factory, the reasons that apply with their points. Apps higher up
register their own (advisory adds zero tolerance and self-reporting) with `@priority_signal`. The
programme manager adds stakeholder feedback and manual overrides as `PriorityNote`s. Each signal runs a
fixed number of queries whatever the number of candidates.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Assessment, Finding, PriorityNote
from betterwork.accounts.policy import visible
from betterwork.common.exceptions import ApplicationError
from factories.models import CommitteeMeeting, Factory, Milestone, ServiceCycle
from factories.services.common import require

HIGH_NON_COMPLIANCE = 0.15  # share of answered questions found non-compliant
LOW_NON_COMPLIANCE = 0.05
ACTIVE_COMMITTEE_MEETINGS = 3  # in the last six months


@dataclass(frozen=True)
class Reason:
    points: int
    text: str


@dataclass
class Candidate:
    factory: Factory
    cycle: ServiceCycle
    due_date: date
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(reason.points for reason in self.reasons)


Signal = Callable[[list[int], date], dict[int, list[Reason]]]
_signals: list[Signal] = []


def priority_signal(function: Signal) -> Signal:
    _signals.append(function)
    return function


def due_for_assessment(user: Any, *, today: date) -> list[Candidate]:
    """Factories in the user's scope whose current cycle still awaits its assessment and that have none
    planned: highest score first, then the earliest due date."""
    milestones = (
        Milestone.objects.filter(
            kind=Milestone.Kind.ASSESSMENT,
            state=Milestone.State.PLANNED,
            cycle__status=ServiceCycle.Status.OPEN,
            cycle__factory__in=visible(user, Factory),
        )
        .exclude(cycle__assessments__status__in=[s for s in Assessment.Status.values if s != "cancelled"])
        .select_related("cycle__factory__country")
    )
    candidates = {m.cycle.factory_id: Candidate(m.cycle.factory, m.cycle, m.due_date) for m in milestones}
    ids = list(candidates)
    for signal in _signals:
        for factory_id, reasons in signal(ids, today).items():
            candidates[factory_id].reasons.extend(reasons)
    return sorted(candidates.values(), key=lambda c: (-c.score, c.due_date, c.factory.name))


def note_add(*, factory: Factory, actor: Any, kind: str, points: int, reason: str) -> PriorityNote:
    """Stakeholder feedback or a manual override, for the factory's current cycle."""
    require(actor, "plan_assessment", factory)
    if not reason.strip():
        raise ApplicationError(_("Say why the priority changes."), field="reason")
    cycle = factory.cycles.filter(status=ServiceCycle.Status.OPEN).first()
    if cycle is None:
        raise ApplicationError(_("%(factory)s has no open cycle.") % {"factory": factory.name}, field="factory")
    with transaction.atomic():
        note = PriorityNote(factory=factory, cycle=cycle, kind=kind, points=points, reason=reason.strip(),
                            created_by=actor)  # fmt: skip
        note.full_clean()
        note.save()
    return note


@priority_signal
def new_to_programme(ids: list[int], today: date) -> dict[int, list[Reason]]:
    first = ServiceCycle.objects.filter(factory_id__in=ids, status=ServiceCycle.Status.OPEN, number=1)
    return {
        pk: [Reason(30, _("New to the programme (first cycle)."))] for pk in first.values_list("factory_id", flat=True)
    }


@priority_signal
def last_assessment(ids: list[int], today: date) -> dict[int, list[Reason]]:
    """Non-compliance in the factory's most recent finalised assessment: high, low, and critical issues."""
    latest = (
        Assessment.objects.filter(factory_id=OuterRef("assessment__factory_id"), status__in=Assessment.CLOSED)
        .order_by("-started_on", "-pk")
        .values("pk")[:1]
    )
    rows = (
        Finding.objects.filter(assessment__factory_id__in=ids, assessment_id=Subquery(latest))
        .values("assessment__factory_id")
        .annotate(
            answered=Count("pk", filter=~Q(result=Finding.Result.NOT_APPLICABLE)),
            non_compliant=Count("pk", filter=Q(result=Finding.Result.NON_COMPLIANT)),
            critical=Count("pk", filter=Q(result=Finding.Result.NON_COMPLIANT, question__critical_issue__isnull=False)),
        )
    )
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for row in rows:
        pk, rate = row["assessment__factory_id"], row["non_compliant"] / max(row["answered"], 1)
        if rate >= HIGH_NON_COMPLIANCE:
            reasons[pk].append(Reason(30, _("High non-compliance in the last assessment (%(n)s findings).")
                                      % {"n": row["non_compliant"]}))  # fmt: skip
        elif rate <= LOW_NON_COMPLIANCE:
            reasons[pk].append(Reason(-15, _("Low non-compliance in the last assessment (%(n)s findings).")
                                      % {"n": row["non_compliant"]}))  # fmt: skip
        if row["critical"]:
            reasons[pk].append(Reason(20, ngettext("%(n)s critical issue in the last assessment.",
                                                   "%(n)s critical issues in the last assessment.", row["critical"])
                                      % {"n": row["critical"]}))  # fmt: skip
    return reasons


@priority_signal
def social_dialogue(ids: list[int], today: date) -> dict[int, list[Reason]]:
    """No committee, or one that has not met in six months: no functioning dialogue. Three meetings or
    more in six months: an active committee."""
    since = today - timedelta(days=183)
    meetings = dict(
        CommitteeMeeting.objects.filter(committee__factory_id__in=ids, held_on__gte=since, held_on__lte=today)
        .values("committee__factory_id")
        .annotate(n=Count("pk"))
        .values_list("committee__factory_id", "n")
    )
    reasons: dict[int, list[Reason]] = {}
    for pk in ids:
        held = meetings.get(pk, 0)
        if held == 0:
            reasons[pk] = [Reason(25, _("No functioning social dialogue: the committee has not met in six months."))]
        elif held >= ACTIVE_COMMITTEE_MEETINGS:
            reasons[pk] = [Reason(-10, _("Active committee (%(n)s meetings in six months).") % {"n": held})]
    return reasons


@priority_signal
def programme_notes(ids: list[int], today: date) -> dict[int, list[Reason]]:
    """Stakeholder feedback and manual overrides recorded for the current cycle."""
    reasons: dict[int, list[Reason]] = defaultdict(list)
    notes = PriorityNote.objects.filter(factory_id__in=ids, cycle__status=ServiceCycle.Status.OPEN).order_by("pk")
    for note in notes:
        reasons[note.factory_id].append(Reason(note.points, f"{note.get_kind_display()}: {note.reason}"))
    return reasons
