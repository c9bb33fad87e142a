"""The demo programme's assessments (R-ASM), one per cycle whose `assessment` milestone the seed marked done,
started on that milestone's day with the country's two demo assessors and answered in full: mostly
compliant, 3-12 % non-compliant with 0-3 critical issues, each non-compliance with a note.

What happens next follows the cycle: report milestone done → finalised and published; submitted less than
~8 days ago (or its feedback deadline not passed yet) → still in the feedback period, with a response or
two from the factory; otherwise finalised, not yet published. Open cycles whose assessment falls due soon
get a planned assessment (about half of them) and one or two per country an assessment in progress.

Two ways of writing, chosen by date, never by chance:

* Through the services, with the demo programme manager and assessors as actors, wherever the real date
  lets them run: planning (`assessment_plan`, for every planned and in-progress one and every one still
  in its feedback period), `assessment_start`, `findings_save`, `assessment_submit`, `finding_respond`.
  The factory is notified of the recent findings exactly as in production.
* Directly, for what happened in the past (finalised and published assessments, and anything a `--today`
  after the real date would make "future"): the services stamp `finalised_at`/`published_at` with the
  real clock, notify factories and buyers of events months old, and refuse to plan in a closed cycle.
  `_write` produces the rows the services would have produced on those days: the same statuses and dates
  (deadline = `add_working_days(country, submitted_on, 5)`, finalised the working morning after it,
  published when the report milestone was done), the same Schedule, assessors and findings (without
  their history rows), and the same improvement-plan items through the finalisation's own path
  (`assessments.services.feedback.findings_to_plan`, the `plan_items_arrived` signal). No notification is sent.

Every assessment draws from a random generator of its own (seed, country, factory index, cycle number), so
the demo is the same for a seed and a date; a cycle that already has an assessment is left alone, so a
second run adds nothing.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from advisory.models import ImprovementPlanItem
from assessments.models import Assessment, Finding, FindingMessage, Question, Schedule
from assessments.services.feedback import feedback_open, finding_respond, findings_to_plan
from assessments.services.fieldwork import (
    ACCESS_DENIED,
    FEEDBACK_WORKING_DAYS,
    assessment_start,
    assessment_submit,
    findings_save,
)
from assessments.services.questions import current_version, question_set
from assessments.services.schedule import assessment_plan, initial_advisory_end
from betterwork.common.exceptions import ApplicationError
from factories.calendars import add_working_days
from factories.models import Country, Factory, Milestone, ServiceCycle
from factories.models.factory import Modality
from factories.services.cycles import milestone_complete
from factories.services.phases import effective_phase

S = Assessment.Status
R = Finding.Result
RECENT_DAYS = 8  # submitted less than this many days before today: still in the feedback period
PLAN_AHEAD_DAYS = 75  # an assessment due within this many days is planned (for about half the factories)
PLANNED_SHARE = 0.5
SCHEDULE_DAYS = 2  # R-CYC-2: two assessors, two days (the service's default)

NOTES = {
    "CL": [
        "Two workers' files had no proof of age; the factory could not show the age verification procedure.",
        "A young worker on the packing line worked overtime, which the law forbids under 18.",
    ],
    "DIS": [
        "The latest job advertisement asked for female applicants only.",
        "Pregnant workers were moved to lower-paid jobs without their agreement.",
        "Supervisors' interviews showed no written procedure against harassment.",
    ],
    "FL": [
        "Workers must ask the supervisor's permission to leave after the shift; the gate is locked until 19:00.",
        "The factory keeps the original identity documents of migrant workers.",
    ],
    "FOA": [
        "Union representatives were not given time off for their duties as the agreement requires.",
        "Management attended the workers' committee election and proposed the candidates.",
    ],
    "COMP": [
        "Overtime on Sundays was paid at the regular rate in the payroll sample (March to May).",
        "Deductions for lateness exceed the legal limit; workers could not explain how they are calculated.",
        "Annual leave not taken was not paid out to resigning workers.",
        "The piece-rate sample shows three workers below the minimum wage for the month.",
    ],
    "CHR": [
        "Fixed-term contracts were renewed more than the law allows for 14 workers in the sample.",
        "Workers did not receive a copy of their contract.",
        "The internal regulations were not approved by the labour inspectorate.",
    ],
    "OSH": [
        "The emergency exit on the second floor was blocked by boxes of finished goods.",
        "Chemicals in the printing room were stored without labels or safety data sheets.",
        "Needle guards were missing on six sewing machines of line 4.",
        "No evacuation drill was held in the past twelve months.",
        "Noise in the cutting room exceeded 85 dB and workers wore no ear protection.",
        "The first-aid kits on floors 2 and 3 were empty.",
    ],
    "WT": [
        "Working hours exceeded the legal limit in peak weeks (up to 72 hours in the time records).",
        "Time records and payroll do not match: overtime on Saturdays is missing from the records.",
        "Workers did not get a weekly day of rest in four of the sampled weeks.",
    ],
    "PI": [
        "The factory did not give the assessors the payroll records of the night shift.",
        "Two sets of time records were found; the factory showed only one.",
    ],
}
NOT_APPLICABLE_NOTE = "Does not apply: the factory has no such workers, premises or process."
RESPONSES = [
    "We have already fixed this: the photos were shared with our advisor.",
    "We disagree: the records were kept at the head office and are now available on site.",
    "The supervisor concerned has been retrained; we ask that the finding note this.",
    "This was corrected the day after the visit; the committee checked it.",
]


@dataclass
class Team:
    manager: Any
    assessors: list[Any]  # the country's two demo assessors


@dataclass
class Target:
    """One factory of the plan as written: what `seed_assessments` needs to find its cycles and people."""

    plan: Any  # FactoryPlan
    factory: Factory
    user: Any  # the factory's demo user


def seed_assessments(
    targets: list[Target], *, seed: int, today: date, teams: dict[str, Team], progress: bool = False
) -> Counter:
    """Write the demo's assessments; returns how many were created, by status."""
    created: Counter = Counter()
    writer = _Writer(seed=seed, today=today, teams=teams, created=created)
    by_country: dict[str, list[Target]] = {}
    for target in sorted(targets, key=lambda t: (t.plan.country, t.plan.index)):
        by_country.setdefault(target.plan.country, []).append(target)
    for code, country_targets in tqdm(by_country.items(), desc="Seeding assessments", unit="country",
                                      disable=not progress):  # fmt: skip
        with transaction.atomic():
            cycles = _cycles(country_targets)
            taken = set(
                Assessment.objects.filter(cycle__in=[c for c, _ in cycles])
                .exclude(status=S.CANCELLED)
                .values_list("cycle_id", flat=True)
            )
            # Past first, then the one or two under way, then the planned: bookings never collide.
            for cycle, target in cycles:
                due = _due(cycle)
                if cycle.pk not in taken and due.state != Milestone.State.CANCELLED and due.due_date < today:
                    writer.assessed(cycle, target)
            # Chosen from the plan and the dates alone (never from what exists), so a second run picks the same.
            waiting = [
                (cycle, target)
                for cycle, target in cycles
                if cycle.status == ServiceCycle.Status.OPEN
                and _due(cycle).state != Milestone.State.CANCELLED
                and _due(cycle).due_date >= today
            ]
            rng = random.Random(f"{seed}:{code}:assessments")  # noqa: S311 - reproducible demo data
            under_way = [pair for pair in waiting if initial_advisory_end(pair[0]) <= today][: rng.choice([1, 2])]
            for cycle, target in under_way:
                if cycle.pk not in taken:
                    writer.in_progress(cycle, target)
            for cycle, target in waiting:
                soon = _due(cycle).due_date <= today + timedelta(PLAN_AHEAD_DAYS)
                chosen = writer.rng(target, cycle, "plan").random() < PLANNED_SHARE
                if cycle.pk not in taken and (cycle, target) not in under_way and soon and chosen:
                    writer.planned(cycle, target)
    return created


def _cycles(targets: list[Target]) -> list[tuple[ServiceCycle, Target]]:
    by_factory = {t.factory.pk: t for t in targets}
    cycles = (
        ServiceCycle.objects.filter(factory_id__in=by_factory)
        .select_related("factory__country", "factory__advisor")
        .prefetch_related("milestones")
        .order_by("factory__country", "factory_id", "number")
    )
    pairs = [(cycle, by_factory[cycle.factory_id]) for cycle in cycles]
    return sorted(pairs, key=lambda pair: (pair[1].plan.index, pair[0].number))


def _milestone(cycle: ServiceCycle, kind: str) -> Milestone:
    return next(m for m in cycle.milestones.all() if m.kind == kind)


def _due(cycle: ServiceCycle) -> Milestone:
    return _milestone(cycle, Milestone.Kind.ASSESSMENT)


def _booked(exc: ApplicationError) -> None:
    """Only a booking conflict (`_require_free`) moves the date; any other refusal is a bug of the demo."""
    if exc.field != "assessors":
        raise exc


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class _Writer:
    def __init__(self, *, seed: int, today: date, teams: dict[str, Team], created: Counter) -> None:
        self.seed, self.today, self.teams, self.created = seed, today, teams, created
        self.version = current_version()
        self._questions: dict[tuple[str, str], list[Question]] = {}

    def rng(self, target: Target, cycle: ServiceCycle, what: str) -> random.Random:
        plan = target.plan
        return random.Random(f"{self.seed}:{plan.country}:{plan.index}:{cycle.number}:{what}")  # noqa: S311

    def questions(self, country: str, modality: str) -> list[Question]:
        key = (country, modality)
        if key not in self._questions:
            self._questions[key] = list(
                question_set(country=country, modality=modality, version=self.version).order_by("position", "pk")
            )
        return self._questions[key]

    @staticmethod
    def modality(factory: Factory) -> str:
        """On site where the phase allows it (R-CTY-3); virtual otherwise, as the planning service demands."""
        return Modality.ONSITE if effective_phase(factory) == Country.Phase.ONSITE else Modality.VIRTUAL

    def answers(self, rng: random.Random, questions: list[Question]) -> list[dict[str, str]]:
        """Mostly compliant; 3-12 % non-compliant, 0-3 of them critical issues (never access denied,
        R-ASM-7: a refused visit is another story); a few not applicable; a note on each exception."""
        critical: dict[str, list[Question]] = {}
        for q in questions:
            if q.critical_issue_id and q.critical_issue_id != ACCESS_DENIED:
                critical.setdefault(q.critical_issue_id, []).append(q)
        ordinary = [q for q in questions if not q.critical_issue_id]
        issues = rng.sample(sorted(critical), k=min(rng.randint(0, 3), len(critical)))
        chosen = [rng.choice(critical[issue]) for issue in issues]
        count = max(1, len(chosen), round(len(questions) * rng.uniform(0.03, 0.12)))
        chosen += rng.sample(ordinary, k=min(count - len(chosen), len(ordinary)))
        non_compliant = {q.pk for q in chosen}
        rest = [q for q in ordinary if q.pk not in non_compliant]
        not_applicable = {q.pk for q in rng.sample(rest, k=min(rng.randint(0, 2), len(rest)))}
        answers = []
        for q in questions:
            if q.pk in non_compliant:
                note = rng.choice(NOTES.get(q.cluster_id) or NOTES["OSH"])
                answers.append({"question": q.code, "result": R.NON_COMPLIANT, "notes": note})
            elif q.pk in not_applicable:
                answers.append({"question": q.code, "result": R.NOT_APPLICABLE, "notes": NOT_APPLICABLE_NOTE})
            else:
                answers.append({"question": q.code, "result": R.COMPLIANT, "notes": ""})
        return answers

    def real_today(self, factory: Factory) -> date:
        return factory.country.local_today()

    # --- the three kinds of cycle ---------------------------------------------------------------------

    def assessed(self, cycle: ServiceCycle, target: Target) -> None:
        """The assessment milestone is done: started that day, submitted the next."""
        factory = target.factory
        due = _due(cycle)
        started = timezone.localdate(due.done_at) if due.done_at else due.due_date
        submitted = started + timedelta(days=1)
        deadline = add_working_days(factory.country_id, submitted, FEEDBACK_WORKING_DAYS)
        report = _milestone(cycle, Milestone.Kind.ASSESSMENT_REPORT_RELEASE)
        rng = self.rng(target, cycle, "answers")
        modality = self.modality(factory)
        answers = self.answers(rng, self.questions(factory.country_id, modality))
        # The programme manager finalises on the working morning after the deadline (never after today).
        finalised = _at(min(add_working_days(factory.country_id, deadline, 1), self.today), 10)
        if report.state == Milestone.State.DONE:
            published = max(report.done_at, finalised + timedelta(hours=1))
            self._write(
                cycle, target, modality, S.PUBLISHED, started, answers, finalised=finalised, published=published
            )
        elif self.today <= max(deadline, submitted + timedelta(days=RECENT_DAYS - 1)):
            assessment = self._through_services(cycle, target, modality, started, answers, submitted=submitted)
            self._respond(assessment, target, answers, rng)
        else:
            self._write(cycle, target, modality, S.FINALISED, started, answers, finalised=finalised)

    def in_progress(self, cycle: ServiceCycle, target: Target) -> None:
        """The assessors arrived in the last days and have answered half of the questions."""
        rng = self.rng(target, cycle, "answers")
        earliest = initial_advisory_end(cycle)
        modality = self.modality(target.factory)
        answers = self.answers(rng, self.questions(target.factory.country_id, modality))
        half = answers[: len(answers) // 2]
        day = max(earliest, self.today - timedelta(days=rng.randint(0, 2)))
        while day >= earliest:
            try:
                with transaction.atomic():
                    self._through_services(cycle, target, modality, day, half)
                return
            except ApplicationError as exc:  # the assessors are booked elsewhere these days: an earlier start
                _booked(exc)
                day -= timedelta(days=SCHEDULE_DAYS)

    def planned(self, cycle: ServiceCycle, target: Target) -> None:
        """Planned in the assessment window, after the initial advisory phase (R-CYC-2), in the future, on
        days the two assessors are free; the factory knows nothing of it (R-ASM-3)."""
        team = self.teams[target.plan.country]
        rng = self.rng(target, cycle, "plan-date")
        first = max(initial_advisory_end(cycle), self.today + timedelta(days=1))
        last = max(first, _due(cycle).due_date)
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        while day <= cycle.end_date:
            try:
                assessment_plan(
                    factory=target.factory, actor=team.manager, planned_date=day,
                    modality=self.modality(target.factory), assessors=team.assessors, days=SCHEDULE_DAYS,
                )  # fmt: skip
            except ApplicationError as exc:  # the assessors are booked: a later day
                _booked(exc)
                day += timedelta(days=SCHEDULE_DAYS)
                continue
            self.created[S.PLANNED] += 1
            return

    # --- writing ---------------------------------------------------------------------------------------

    def _through_services(
        self, cycle: ServiceCycle, target: Target, modality: str, started: date, answers: list[dict[str, str]],
        *, submitted: date | None = None,
    ) -> Assessment:  # fmt: skip
        """Plan, start, answer (and submit) through the services, when the real date lets them run."""
        factory, team = target.factory, self.teams[target.plan.country]
        future = max(started, submitted or started) > self.real_today(factory)  # a --today after the real date
        if future or cycle.status != ServiceCycle.Status.OPEN:  # the planning service plans the open cycle
            status = S.FEEDBACK if submitted else S.IN_PROGRESS
            return self._write(cycle, target, modality, status, started, answers, submitted=submitted)
        assessor = team.assessors[0]
        assessment = assessment_plan(
            factory=factory, actor=team.manager, planned_date=started, modality=modality,
            assessors=team.assessors, days=SCHEDULE_DAYS,
        )  # fmt: skip
        assessment_start(assessment_id=assessment.pk, actor=assessor, started_on=started)
        findings_save(assessment_id=assessment.pk, actor=assessor, answers=answers)
        if submitted is not None:
            assessment = assessment_submit(assessment_id=assessment.pk, actor=assessor, submitted_on=submitted)
        else:
            assessment.refresh_from_db()
        self.created[assessment.status] += 1
        return assessment

    def _write(
        self, cycle: ServiceCycle, target: Target, modality: str, status: str, started: date,
        answers: list[dict[str, str]], *, submitted: date | None = None, finalised: datetime | None = None,
        published: datetime | None = None,
    ) -> Assessment:  # fmt: skip
        """The rows the services would have written on those days (see the module docstring)."""
        factory, team = target.factory, self.teams[target.plan.country]
        if status in (S.FINALISED, S.PUBLISHED):
            submitted = started + timedelta(days=1)
        assessment = Assessment(
            factory=factory, cycle=cycle, modality=modality, cat_version=self.version, status=status,
            started_on=started, submitted_on=submitted, created_by=team.manager,
            feedback_deadline=add_working_days(factory.country_id, submitted, FEEDBACK_WORKING_DAYS)
            if submitted else None,
            finalised_at=finalised, finalised_by=team.manager if finalised else None,
            published_at=published, published_by=team.manager if published else None,
        )  # fmt: skip
        assessment._history_user = team.manager
        assessment._change_reason = "demo"
        assessment.save()
        assessment.assessors.set(team.assessors)
        Schedule.objects.create(assessment=assessment, planned_date=started, days=SCHEDULE_DAYS)
        milestone_complete(cycle_id=cycle.pk, kind=Milestone.Kind.ASSESSMENT, at=_at(started, 12))
        codes = {q.code: q.pk for q in self.questions(factory.country_id, modality)}
        now = timezone.now()
        Finding.objects.bulk_create(
            Finding(
                assessment=assessment, question_id=codes[a["question"]], result=a["result"], notes=a["notes"],
                answered_by=team.assessors[0], updated_at=now,
            )
            for a in answers
        )  # fmt: skip
        if status in Assessment.CLOSED:
            findings_to_plan(assessment, assessment.findings.filter(result=R.NON_COMPLIANT), team.manager)
            self.created["plan items"] += sum(a["result"] == R.NON_COMPLIANT for a in answers)
            self._complete_some(assessment, target)
        self.created[status] += 1
        return assessment

    def _complete_some(self, assessment: Assessment, target: Target) -> None:
        """About 40 % of the items older than two months were completed by the advisor with the three checks
        (R-ADV-4), in the cycle of the assessment; the others stay open (and moved on with the factory)."""
        rng = random.Random(f"{self.seed}:{target.plan.country}:{target.plan.index}:{assessment.cycle.number}:plan")  # noqa: S311
        items = ImprovementPlanItem.objects.filter(
            plan__factory=assessment.factory, reference__startswith=f"assessment:{assessment.pk}:"
        ).order_by("pk")
        for item in items:
            if item.raised_on + timedelta(days=60) < self.today and rng.random() < 0.4:
                done = min(item.raised_on + timedelta(days=rng.randint(45, 120)), self.today - timedelta(days=1))
                ImprovementPlanItem.objects.filter(pk=item.pk).update(
                    status=ImprovementPlanItem.Status.COMPLETED, cycle=assessment.cycle,
                    completed_by=target.factory.advisor, completed_at=_at(done, 15),
                    parties_agree=True, communicated_to_staff=True, evidence_reviewed=True,
                    completion_note="Checked on the factory floor with the committee.",
                )  # fmt: skip

    def _respond(self, assessment: Assessment, target: Target, answers: list[dict[str, str]], rng: random.Random):
        """One or two responses from the factory to its findings; `finding_respond` while the real date is
        inside the feedback period, otherwise the same message written directly (without notifying)."""
        codes = [a["question"] for a in answers if a["result"] == R.NON_COMPLIANT]
        for code in rng.sample(codes, k=min(rng.randint(1, 2), len(codes))):
            text = rng.choice(RESPONSES)
            if feedback_open(assessment):
                finding_respond(assessment_id=assessment.pk, actor=target.user, question=code, text=text)
            else:
                finding = assessment.findings.get(question__code=code)
                FindingMessage.objects.create(finding=finding, author=target.user, from_factory=True, text=text)
