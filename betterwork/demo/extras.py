"""The demo programme's paperwork around each factory: invoices, the worker-management committee, buyers'
access requests, and registrations waiting for review. Each factory draws from a random generator of
its own (seed, country, index), so adding data here never changes the factories themselves.

Demo invoices carry numbers of their own ("DEMO-KH-0012-1") so they never collide with the numbers the
platform issues (factories.services.lifecycle).
"""

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from advisory.models import ImprovementPlan, ImprovementPlanItem, ProgressReport, ReportTemplate, SelfDiagnosisOption
from factories.models import (
    Buyer,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Factory,
    FollowUpAction,
    Invoice,
    MeetingOutcome,
    Registration,
    SourcingLink,
)
from factories.names import normalize_name

MEMBER_NAMES = [
    "Sreymom", "Dara", "Thu Trang", "Minh", "Nasrin", "Rafiq", "Siti", "Agus", "Rania", "Omar", "Nadège",
    "Jean-Baptiste", "Hiwot", "Dawit", "Lerato", "Thabo", "María", "José", "Fatima", "Bilal",
]  # fmt: skip
OUTCOMES = [
    "Agreed to repair the blocked emergency exit on the second floor.",
    "Agreed a schedule for the quarterly evacuation drill.",
    "Management will explain overtime pay calculations to all lines.",
    "Drinking water points to be checked every morning by the OSH officer.",
    "Grievance box to be opened weekly in front of two committee members.",
    "Training on sexual harassment policy for supervisors next month.",
]
ACTIONS = [
    ("Install lighting in the stairwell of building B", "Maintenance supervisor"),
    ("Post the new wage calculation sheet on every floor", "HR manager"),
    ("Hold the fire drill and record the evacuation time", "OSH officer"),
    ("Publish committee minutes on the notice board", "Committee secretary"),
    ("Replace the first-aid kits on sewing lines 3 to 6", "Nurse"),
]


def _rng(seed: int, plan: Any) -> random.Random:
    return random.Random(f"{seed}:{plan.country}:{plan.index}")  # noqa: S311 - reproducible demo data


def seed_invoices(factory: Factory, plan: Any, *, today: date, fee: Any, currency: str) -> int:
    """One invoice per cycle, paid before its cycle starts; an open one for the just registered; an
    overdue renewal for the suspended."""
    specs: list[tuple[int, date, date | None]] = []  # (cycle, issued, paid)
    if plan.status == "awaiting_payment":
        specs.append((1, today - timedelta(days=5 + plan.index % 20), None))
    elif not plan.cycles:  # paid, waiting for the first visit
        specs.append((1, today - timedelta(days=40), today - timedelta(days=25)))
    for number, (start, _end, _status) in enumerate(plan.cycles, start=1):
        specs.append((number, start - timedelta(days=45), start - timedelta(days=20)))
    if plan.status == "suspended":
        specs.append((len(plan.cycles) + 1, plan.cycles[-1][1] - timedelta(days=30), None))
    created = 0
    for cycle, issued, paid in specs:
        _, new = Invoice.objects.get_or_create(
            factory=factory,
            cycle_number=cycle,
            defaults={
                "number": f"DEMO-{plan.country}-{plan.index:04d}-{cycle}",
                "amount": fee,
                "currency": currency,
                "issued_on": issued,
                "due_on": issued + timedelta(days=30),
                "paid_on": paid,
            },
        )
        created += new
    return created


def seed_committee(factory: Factory, plan: Any, *, seed: int, today: date) -> int:
    """A committee for every factory whose cycle has started: members, monthly meetings, outcomes, actions."""
    if not plan.cycles or Committee.objects.filter(factory=factory).exists():
        return 0
    rng = _rng(seed, plan)
    first_start = plan.cycles[0][0]
    formed = min(first_start + timedelta(days=rng.randint(10, 45)), today - timedelta(days=1))
    committee = Committee.objects.create(
        factory=factory,
        kind=Committee.Kind.LKSB if plan.country == "ID" else Committee.Kind.PICC,
        formed_on=formed,
        formation=rng.choice([Committee.Formation.ELECTION] * 3 + [Committee.Formation.APPOINTMENT]),
        election_date=formed - timedelta(days=7),
    )
    sides = ["management"] * 3 + ["worker"] * rng.randint(3, 5) + ["union"] * rng.randint(0, 2)
    CommitteeMember.objects.bulk_create(
        CommitteeMember(
            committee=committee,
            name=f"{rng.choice(MEMBER_NAMES)} {chr(65 + n)}.",
            side=side,
            elected=side != "management",
            joined_on=formed,
        )
        for n, side in enumerate(sides)
    )
    meetings = []
    day = formed + timedelta(days=14)
    while day < today and len(meetings) < 24:
        meetings.append(
            CommitteeMeeting(
                committee=committee,
                held_on=day,
                attendees=len(sides) - rng.randint(0, 2),
                minutes=f"Monthly meeting. {rng.choice(OUTCOMES)}",
            )
        )
        day += timedelta(days=rng.randint(25, 45))
    meetings = CommitteeMeeting.objects.bulk_create(meetings)
    MeetingOutcome.objects.bulk_create(MeetingOutcome(meeting=m, text=rng.choice(OUTCOMES)) for m in meetings)
    actions = []
    for meeting in meetings:
        for _ in range(rng.randint(0, 2)):
            text, who = rng.choice(ACTIONS)
            due = meeting.held_on + timedelta(days=30)
            done = due < today and rng.random() < 0.7
            actions.append(FollowUpAction(
                meeting=meeting, description=text, responsible=who, due_on=due, priority=rng.random() < 0.4,
                status=FollowUpAction.Status.DONE if done else FollowUpAction.Status.OPEN,
                done_on=min(due, today) if done else None,
            ))  # fmt: skip
    FollowUpAction.objects.bulk_create(actions)
    return 1


def seed_buyer_request(factory: Factory, plan: Any, *, seed: int, buyers: dict[str, Buyer]) -> int:
    """About one factory in five has a buyer asking for access that it has not granted yet (R-REG-4)."""
    rng = _rng(seed, plan)
    others = [name for name in buyers if name not in plan.buyers]
    if plan.status == "awaiting_payment" or not others or rng.random() > 0.2:
        return 0
    _, created = SourcingLink.objects.get_or_create(
        buyer=buyers[rng.choice(others)], factory=factory, defaults={"source": SourcingLink.Source.BUYER}
    )
    return created


def seed_registrations(code: str, factory_names: list[str], *, seed: int, country: Any) -> int:
    """Two registrations waiting for review per country; the second looks like an existing factory."""
    rng = random.Random(f"{seed}:{code}:registrations")  # noqa: S311 - reproducible demo data
    names = [f"New Horizon Apparel {code}", *(factory_names[:1] or [f"Second Source Garments {code}"])]
    created = 0
    for n, name in enumerate(names, start=1):
        _, new = Registration.objects.get_or_create(
            country=country,
            factory_name=name,
            contact_email=f"registration{n}.{code.lower()}@demo.betterwork.invalid",
            defaults={
                "sector": "apparel",
                "address": f"Industrial zone {n}, {country.name}",
                "workers": rng.randint(300, 3000),
                "women_percent": rng.randint(40, 90),
                "contact_name": rng.choice(MEMBER_NAMES),
                "buyers": [],
                "normalized_name": normalize_name(name),
            },
        )
        created += new
    return created


def seed_plan(factory: Factory, plan: Any, *, seed: int, today: date, advisor: Any, user: Any) -> int:
    """Self-diagnosed items for every factory whose cycle started (most of them), some completed by the advisor
    with the three checks (R-ADV-4). The items from assessments arrive when the demo's real assessments are
    finalised (`betterwork.demo.assessments`)."""
    if not plan.cycles or ImprovementPlan.objects.filter(factory=factory).exists():
        return 0
    rng = random.Random(f"{seed}:{plan.country}:{plan.index}:plan")  # noqa: S311 - reproducible demo data
    improvement_plan = ImprovementPlan.objects.create(factory=factory)
    first_start = plan.cycles[0][0]
    options = list(SelfDiagnosisOption.objects.select_related("cluster").order_by("pk"))
    items = []
    if rng.random() < 0.85:  # some factories never self-diagnose (R-ADV-3)
        for option in rng.sample(options, k=rng.randint(2, 4)):
            items.append(ImprovementPlanItem(
                plan=improvement_plan, source="self_diagnosis", cluster=option.cluster, option=option,
                action="Review the procedure with the committee and train the supervisors.", responsible="HR manager",
                raised_on=first_start + timedelta(days=20), target_date=first_start + timedelta(days=120),
                status="in_progress", created_by=user,
            ))  # fmt: skip
    now = timezone.now()
    for item in items:
        if item.raised_on + timedelta(days=60) < today and rng.random() < 0.4:
            item.status, item.completed_by, item.completed_at = "completed", advisor, now
            item.parties_agree = item.communicated_to_staff = item.evidence_reviewed = True
            item.completion_note = "Checked on the factory floor with the committee."
    ImprovementPlanItem.objects.bulk_create(items)
    return len(items)


def seed_reports(factory: Factory, *, today: date, advisor: Any, user: Any, manager: Any) -> int:
    """Progress Report 1 released (month 5 passed) and Progress Report 2 released (month 11 passed) for each
    cycle whose milestone is done, with complete answers."""
    template = ReportTemplate.objects.get(key="progress_report_1", version=1)
    answer = {"yes_no": True, "date": "", "text": "The committee meets monthly and follows up on the plan.",
              "multi_choice": []}  # fmt: skip
    created = 0
    for cycle in factory.cycles.all():
        for number, kind, writer, releaser in ((1, "progress_report_1", user, user), (2, "progress_report_2", advisor,
                                                                                     manager)):  # fmt: skip
            done = cycle.milestones.filter(kind=kind, state="done").first()
            if done is None or ProgressReport.objects.filter(cycle=cycle, number=number).exists():
                continue
            questions = (
                template.questions()
                if number == 1
                else [
                    {"key": k, "type": "text", "required": True}
                    for k in ("social_dialogue", "management_systems", "recommendations")
                ]
            )
            answers = {
                q["key"]: (cycle.start_date.isoformat() if q["type"] == "date" else answer[q["type"]])
                for q in questions if q.get("required")
            }  # fmt: skip
            ProgressReport.objects.create(
                cycle=cycle, number=number, template=template if number == 1 else None, answers=answers,
                status="released", submitted_at=done.done_at, submitted_by=writer, released_at=done.done_at,
                released_by=releaser,
            )  # fmt: skip
            created += 1
    return created
