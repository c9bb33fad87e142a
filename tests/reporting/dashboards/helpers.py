"""Hand-built dashboard data. Closed assessments and their findings are created directly (bulk rows, no
services) for speed: the dashboards only read them, and every number the tests expect is worked out by hand
from the findings written here."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from advisory.models import AdvisoryVisit
from assessments.models import Assessment, Finding, Question
from assessments.services.questions import current_version
from factories.models import Factory, Milestone, ServiceCycle
from tests.builders import FactoryBuilder, country, staff
from training.models import Course, Enrolment, Seminar, SeminarParticipation, TrainingPurchase, TrainingSession

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
PERIOD = {"start": date(2025, 1, 1), "end": TODAY}

NC, OK, NA = Finding.Result.NON_COMPLIANT, Finding.Result.COMPLIANT, Finding.Result.NOT_APPLICABLE


def questions() -> SimpleNamespace:
    """Global questions of the current tool: p1-p3 publicly reported (three different clusters), foa4 on issue
    FOA-4 (not publicly reported in VN), n1 not publicly reported, in a cluster none of the others is in."""
    bank = Question.objects.filter(version=current_version(), country__isnull=True).order_by("code")
    p1 = bank.get(code="CL.1.01")
    p2 = bank.get(code="OSH.2.01")
    foa4 = bank.filter(critical_issue_id="FOA-4").first()
    used = {p1.cluster_id, p2.cluster_id, foa4.cluster_id}
    p3 = bank.filter(critical_issue__isnull=False).exclude(cluster_id__in=used).first()
    used.add(p3.cluster_id)
    n1 = bank.filter(critical_issue__isnull=True).exclude(cluster_id__in=used).first()
    return SimpleNamespace(p1=p1, p2=p2, p3=p3, foa4=foa4, n1=n1)


def factory(code: str = "KH", **kwargs) -> Factory:
    return FactoryBuilder(country=country(code), **kwargs)


def cycle(of: Factory, *, number: int = 1, start: date = date(2026, 1, 5), status: str = "closed") -> ServiceCycle:
    return ServiceCycle.objects.create(
        factory=of, number=number, start_date=start, end_date=start + timedelta(days=365), status=status
    )


def closed(of: Factory, started_on: date, findings: dict, *, number: int = 1, status: str = "finalised") -> Assessment:
    """A closed assessment (finalised unless `status` says otherwise) with exactly these findings."""
    finalised_at = datetime.combine(started_on + timedelta(days=10), datetime.min.time(), tzinfo=UTC)
    closed_states = {"finalised", "published"}
    assessment = Assessment.objects.create(
        factory=of, cycle=cycle(of, number=number, start=started_on - timedelta(days=130)), modality="onsite",
        cat_version=current_version(), status=status, started_on=started_on,
        submitted_on=started_on + timedelta(days=1), feedback_deadline=started_on + timedelta(days=8),
        finalised_at=finalised_at if status in closed_states else None,
        published_at=finalised_at if status == "published" else None,
    )  # fmt: skip
    Finding.objects.bulk_create(
        Finding(assessment=assessment, question=question, result=result) for question, result in findings.items()
    )
    return assessment


def non_compliance_world() -> SimpleNamespace:
    """Four factories rated in the period (A, B, C in Cambodia; V in Viet Nam), plus three that must not count.

    | factory | assessment      | p1 | p2 | p3 | foa4 | n1 | public share (answered, N/A left out)    |
    |---------|-----------------|----|----|----|------|----|-------------------------------------------|
    | A       | 2025-03-10      | NC | NC | NC |      |    | 3/3 (older: counts only in the 2025 trend) |
    | A       | 2026-03-09      | NC | OK | OK |      | NC | 1/3                                       |
    | B       | 2026-02-16      | OK | OK | NA |      | OK | 0/2                                       |
    | C       | 2026-05-11 pub. | NC | NC | OK | NC   |    | 3/4                                       |
    | V (VN)  | 2026-04-13      | OK | NC |    | NC   |    | 1/2 (FOA-4 is not publicly reported in VN) |
    | D       | in feedback     | NC | NC | NC |      |    | not closed                                |
    | E       | 2024-06-03      | NC | NC | NC |      |    | before the period                         |
    | F (KH)  | 2026-06-01      |    |    |    |      | NC | no public question: not rated             |
    """
    q = questions()
    a, b, c, v, d, e, f = (factory(), factory(), factory(), factory("VN"), factory(), factory(), factory())
    closed(a, date(2025, 3, 10), {q.p1: NC, q.p2: NC, q.p3: NC}, number=1)
    closed(a, date(2026, 3, 9), {q.p1: NC, q.p2: OK, q.p3: OK, q.n1: NC}, number=2)
    closed(b, date(2026, 2, 16), {q.p1: OK, q.p2: OK, q.p3: NA, q.n1: OK})
    closed(c, date(2026, 5, 11), {q.p1: NC, q.p2: NC, q.p3: OK, q.foa4: NC}, status="published")
    closed(v, date(2026, 4, 13), {q.p1: OK, q.p2: NC, q.foa4: NC})
    closed(d, date(2026, 6, 1), {q.p1: NC, q.p2: NC, q.p3: NC}, status="feedback")
    closed(e, date(2024, 6, 3), {q.p1: NC, q.p2: NC, q.p3: NC})
    closed(f, date(2026, 6, 1), {q.n1: NC})
    return SimpleNamespace(q=q, a=a, b=b, c=c, v=v, d=d, e=e, f=f)


def milestone(of: ServiceCycle, kind: str, due: date, *, state: str = "planned", done_on: date | None = None):
    done_at = datetime.combine(done_on, datetime.min.time(), tzinfo=UTC).replace(hour=12) if done_on else None
    return Milestone.objects.create(cycle=of, kind=kind, due_date=due, owner="advisor", state=state, done_at=done_at)


def cycle_health_world() -> SimpleNamespace:
    """Today is 2026-11-24.

    F1 (KH, open): PR1 due 11-01 planned (overdue, 23 days); PR2 due 11-30 planned (due soon); initial advisory
      end due 08-01, done 08-05 (late); assessment due 09-01, done 08-30 (on time); cycle end cancelled.
    F2 (KH, open): final visit due 10-25 planned (overdue, 30 days); PR2 due 2027-01-10 planned (open, not soon).
    F3 (KH, closed cycle): PR1 overdue: not counted (the cycle is closed).
    F4 (VN, open): PR1 due 11-20 planned (overdue, 4 days).
    """
    f1, f2, f3, f4 = factory(name="Angkor Knits"), factory(name="Bayon Garments"), factory(), factory("VN")
    c1, c2 = cycle(f1, status="open"), cycle(f2, number=2, status="open")
    c3, c4 = cycle(f3), cycle(f4, status="open")
    milestone(c1, "progress_report_1", date(2026, 11, 1))
    milestone(c1, "progress_report_2", date(2026, 11, 30))
    milestone(c1, "initial_advisory_end", date(2026, 8, 1), state="done", done_on=date(2026, 8, 5))
    milestone(c1, "assessment", date(2026, 9, 1), state="done", done_on=date(2026, 8, 30))
    milestone(c1, "cycle_end", date(2027, 1, 5), state="cancelled")
    milestone(c2, "final_visit", date(2026, 10, 25))
    milestone(c2, "progress_report_2", date(2027, 1, 10))
    milestone(c3, "progress_report_1", date(2026, 3, 1))
    milestone(c4, "progress_report_1", date(2026, 11, 20))
    return SimpleNamespace(f1=f1, f2=f2, f3=f3, f4=f4, c1=c1, c2=c2, c3=c3, c4=c4)


def service_world() -> SimpleNamespace:
    """KH: F1 in cycle 1 (8 advisory days), F2 in cycle 2 (6): 14 included. Visits 2.5 + 1 (F1) and 0.5 (F2) = 4
    used; a visit of a closed cycle does not count. Training: F1 enrolled 2 × 3 = 6 participant-days and bought
    10; F2 enrolled 4. Seminars: F1 two, F2 one. Assessments: F1's is due and started; F2's is cancelled (a
    stage 2 off year), F2 has none. VN: F4 in cycle 1, nothing used, its assessment due."""
    manager = staff("programme_manager", "KH")
    f1, f2, f3, f4 = factory(), factory(), factory(), factory("VN")
    c1, c2 = cycle(f1, status="open"), cycle(f2, number=2, status="open")
    c3, c4 = cycle(f3), cycle(f4, status="open")
    for of, days in ((c1, "2.5"), (c1, "1"), (c2, "0.5"), (c3, "3")):
        AdvisoryVisit.objects.create(
            factory=of.factory, cycle=of, date=date(2026, 3, 1), modality="onsite", days=Decimal(days),
            recorded_by=manager,
        )  # fmt: skip
    course = Course.objects.create(country=country("KH"), title="Fire safety", days=3)
    session = TrainingSession.objects.create(course=course, start_date=date(2026, 5, 4), days=3, modality="onsite",
                                             capacity=20)  # fmt: skip
    Enrolment.objects.create(session=session, factory=f1, cycle=c1, participants=2, participant_days=6)
    Enrolment.objects.create(session=session, factory=f2, cycle=c2, participants=2, participant_days=4)
    Enrolment.objects.create(session=session, factory=f3, cycle=c3, participants=5, participant_days=15)
    TrainingPurchase.objects.create(factory=f1, cycle=c1, participant_days=10, invoice_number="TP-1")
    for n, of in enumerate((c1, c1, c2)):
        seminar = Seminar.objects.create(country=country("KH"), title=f"Seminar {n}", date=date(2026, 3 + n, 1))
        SeminarParticipation.objects.create(seminar=seminar, factory=of.factory, cycle=of, participants=3)
    milestone(c1, "assessment", date(2026, 5, 15), state="done", done_on=date(2026, 5, 15))
    milestone(c2, "assessment", date(2026, 5, 15), state="cancelled")
    milestone(c4, "assessment", date(2026, 5, 15))
    Assessment.objects.create(
        factory=f1, cycle=c1, modality="onsite", cat_version=current_version(), status="in_progress",
        started_on=date(2026, 5, 15),
    )  # fmt: skip
    return SimpleNamespace(manager=manager, c1=c1, c2=c2, c3=c3, c4=c4)
