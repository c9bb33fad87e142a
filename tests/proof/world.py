"""One shared world for the authorisation matrix and the API fuzzing (RELIABILITY.md §2.5.3).

Factories A and B in Cambodia (KH), C in Viet Nam (VN), each in its first cycle with a visit, an
improvement plan with items, a progress report, a committee with a meeting, an outcome and an action,
an invoice, a training enrolment, a seminar participation and a zero-tolerance case. A has a published
assessment and a PLANNED one (R-ASM-3: invisible to factory and buyer users), B an assessment in feedback,
C a published one. Buyers: one authorised by A, one authorised by nobody, one whose authorisation by A was
revoked. Rows are built through the services (the path users take) wherever a service exists.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from rest_framework.authtoken.models import Token

from advisory.models import AdvisoryVisit, ImprovementPlanItem, ProgressReport, ZeroToleranceCase
from advisory.services import visit_record
from advisory.services.plan import item_add_self_diagnosis, items_from_sources
from advisory.services.reports import report_get
from advisory.services.zero_tolerance import case_open
from assessments.models import Assessment, Cluster
from assessments.services.schedule import assessment_plan
from betterwork.accounts.models import Role, User
from betterwork.common.models import Notification
from factories.models import Buyer, BuyerAuthorisation, Country, Factory, Invoice, ServiceCycle
from factories.services.buyers import authorisation_revoke
from factories.services.committee import action_save, committee_save, meeting_record, member_save, outcome_add
from factories.services.cycles import cycle_start
from tests.assessments.builders import assessor_of, in_feedback, manager_of, published
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    InvoiceBuilder,
    RegistrationBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    with_totp,
)
from training.models import Enrolment, SeminarParticipation, TrainingSession
from training.services import course_create, session_create
from training.services.catalogue import seminar_create
from training.services.enrolment import enrol, purchase_record
from training.services.seminars import seminar_join

# Every principal of the matrix (RELIABILITY.md §2.5.3), in the order reports list them.
PRINCIPALS = (
    "anonymous",
    "advisor_kh",  # advisor of A's and B's country
    "advisor_vn",  # advisor of another country (C's)
    "assessor_in",  # assessor assigned to A's published assessment
    "assessor_out",  # an assessor of KH assigned to nothing
    "manager_kh",  # programme manager of KH
    "manager_vn",  # programme manager of VN
    "factory_a",
    "factory_b",
    "buyer_a",  # authorised by A
    "buyer_none",  # authorised by nobody
    "buyer_revoked",  # was authorised by A, revoked
    "admin",  # global admin
    "inactive",  # a deactivated factory user of A
)


@dataclass
class Side:
    """One factory's objects."""

    factory: Factory
    cycle: ServiceCycle
    visit: AdvisoryVisit
    items: list[ImprovementPlanItem]
    report: ProgressReport
    case: ZeroToleranceCase
    committee: Any
    member: Any
    meeting: Any
    action: Any
    invoice: Invoice
    enrolment: Enrolment
    participation: SeminarParticipation
    purchase: Any
    assessment: Assessment
    user: User


@dataclass
class World:
    users: dict[str, User | None]
    tokens: dict[str, str]
    a: Side
    b: Side
    c: Side
    planned: Assessment  # A's next assessment, still planned: staff only
    session_kh: TrainingSession
    session_vn: TrainingSession
    seminar_kh: Any
    buyer_a: Buyer
    buyer_none: Buyer
    buyer_revoked: Buyer
    authorisation: BuyerAuthorisation
    revoked: BuyerAuthorisation
    registration_kh: Any
    registration_vn: Any
    notification: Notification
    notification_other: Notification
    extra: dict[str, Any] = field(default_factory=dict)


def _side(code: str, factory: Factory, assessment: Assessment, advisor: User, manager: User, session, seminar) -> Side:
    cycle = factory.cycles.get(status="open")
    today = timezone.localdate()
    visit = visit_record(
        factory_id=factory.pk, actor=advisor, on=today - timedelta(days=3), kind="advisory", modality="virtual",
        days=1, notes="Met the committee.",
    )  # fmt: skip
    user = factory_user(factory)
    item = item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="OSH"), option=1)
    items_from_sources(
        factory=factory, source="assessment",
        entries=[{"cluster": "OSH", "text": "Exit locked", "critical_issue": "OSH-2", "reference": f"proof:{code}"}],
    )  # fmt: skip
    report = report_get(cycle=cycle, number=1)
    case = case_open(factory=factory, actor=advisor, category="violence", description="Threats.")
    committee = committee_save(
        factory=factory, actor=user, kind="picc", formed_on=today - timedelta(days=200), formation="election",
        election_date=today - timedelta(days=200),
    )  # fmt: skip
    member = member_save(committee=committee, actor=user, name=f"Member {code}", side="worker")
    meeting = meeting_record(committee=committee, actor=user, held_on=today - timedelta(days=10), minutes="Canteen.")
    outcome_add(meeting=meeting, actor=user, text="Agreed.")
    action = action_save(meeting=meeting, actor=user, description="Fix the fan.", status="open")
    invoice = InvoiceBuilder(factory=factory)
    enrolment = enrol(actor=user, session_id=session.pk, factory_id=factory.pk, participants=2) if session else None
    participation = (
        seminar_join(actor=user, seminar_id=seminar.pk, factory_id=factory.pk, participants=2) if seminar else None
    )
    purchase = purchase_record(
        actor=manager, factory_id=factory.pk, participant_days=4, invoice_number=f"TRN-{code}", amount="100.00",
        currency="USD",
    )  # fmt: skip
    return Side(
        factory=factory, cycle=cycle, visit=visit, items=[item, *factory.improvement_plan.items.exclude(pk=item.pk)],
        report=report, case=case, committee=committee, member=member, meeting=meeting, action=action,
        invoice=invoice, enrolment=enrolment, participation=participation, purchase=purchase,
        assessment=assessment, user=user,
    )  # fmt: skip


def build_world() -> World:
    Country.objects.filter(code__in=("KH", "VN")).update(phase=Country.Phase.ONSITE)
    start = timezone.localdate() - timedelta(days=300)
    first = start - timedelta(days=370)
    factories = {}
    for name, code in (("A", "KH"), ("B", "KH"), ("C", "VN")):
        factory = FactoryBuilder(country=country(code), name=f"Proof Garments {name}")
        cycle_start(factory_id=factory.pk, on=first if name == "A" else start)
        factories[name] = factory
    # A: published in its first (closed) cycle; its second cycle is open with the next assessment planned.
    pub_a = published(factory=factories["A"], started_on=first + timedelta(days=130))
    factories["A"].cycles.filter(number=1).update(status=ServiceCycle.Status.CLOSED)
    cycle_start(factory_id=factories["A"].pk, on=start)
    feedback_b = in_feedback(factory=factories["B"], started_on=start + timedelta(days=130))
    pub_c = published("VN", factory=factories["C"], started_on=start + timedelta(days=130))
    manager_kh, manager_vn = manager_of(pub_a), manager_of(pub_c)
    planned = assessment_plan(
        factory=factories["A"], actor=manager_kh, planned_date=timezone.localdate() + timedelta(days=40),
        modality="onsite", assessors=list(pub_a.assessors.all()),
    )  # fmt: skip

    advisor_kh, advisor_vn = staff(Role.ADVISOR, "KH"), staff(Role.ADVISOR, "VN")
    courses = {
        code: course_create(actor=mgr, title=f"Fire safety {code}", days=2, cluster="OSH", topic="Exits")
        for code, mgr in (("KH", manager_kh), ("VN", manager_vn))
    }
    sessions = {
        code: session_create(
            actor=mgr, course=courses[code], start_date=timezone.localdate() + timedelta(days=10), capacity=20
        )
        for code, mgr in (("KH", manager_kh), ("VN", manager_vn))
    }
    seminar_kh = seminar_create(
        actor=manager_kh, title="Heat stress", on=timezone.localdate() + timedelta(days=15), country="KH"
    )
    seminar_vn = seminar_create(
        actor=manager_vn, title="Heat stress VN", on=timezone.localdate() + timedelta(days=15), country="VN"
    )
    a = _side("A", factories["A"], pub_a, advisor_kh, manager_kh, sessions["KH"], seminar_kh)
    b = _side("B", factories["B"], feedback_b, advisor_kh, manager_kh, sessions["KH"], seminar_kh)
    c = _side("C", factories["C"], pub_c, advisor_vn, manager_vn, sessions["VN"], seminar_vn)

    buyers = {name: BuyerBuilder(name=f"Proof Brand {name}") for name in ("a", "none", "revoked")}
    authorisation = BuyerAuthorisationBuilder(factory=a.factory, buyer=buyers["a"])
    revoked = BuyerAuthorisationBuilder(factory=a.factory, buyer=buyers["revoked"])
    authorisation_revoke(authorisation_id=revoked.pk, actor=a.user)
    revoked.refresh_from_db()

    users: dict[str, User | None] = {
        "anonymous": None,
        "advisor_kh": advisor_kh,
        "advisor_vn": advisor_vn,
        "assessor_in": assessor_of(pub_a),
        "assessor_out": staff(Role.ASSESSOR, "KH"),
        "manager_kh": manager_kh,
        "manager_vn": manager_vn,
        "factory_a": a.user,
        "factory_b": b.user,
        "buyer_a": buyer_user(buyers["a"]),
        "buyer_none": buyer_user(buyers["none"]),
        "buyer_revoked": buyer_user(buyers["revoked"]),
        "admin": global_admin(),
        "inactive": factory_user(a.factory, is_active=False),
    }
    tokens = {}
    for name, user in users.items():
        if user is None:
            continue
        if user.is_programme_staff:
            with_totp(user)
        tokens[name] = Token.objects.create(user=user).key
    notification = Notification.objects.create(recipient=a.user, key="proof:a", title="For A", url="/")
    notification_other = Notification.objects.create(recipient=b.user, key="proof:b", title="For B", url="/")
    return World(
        users=users, tokens=tokens, a=a, b=b, c=c, planned=planned, session_kh=sessions["KH"],
        session_vn=sessions["VN"], seminar_kh=seminar_kh, buyer_a=buyers["a"], buyer_none=buyers["none"],
        buyer_revoked=buyers["revoked"], authorisation=authorisation, revoked=revoked,
        registration_kh=RegistrationBuilder(country=country("KH")),
        registration_vn=RegistrationBuilder(country=country("VN")),
        notification=notification, notification_other=notification_other,
    )  # fmt: skip


def today() -> date:
    return timezone.localdate()
