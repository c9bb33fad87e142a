"""Data for the buyer-portal tests, written straight to the tables (fast: no question bank), with the same
constraints the services satisfy."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from advisory.models import ImprovementPlan, ImprovementPlanItem, ProgressReport
from assessments.models import Assessment, Cluster
from factories.models import BuyerAuthorisation, Factory, ServiceCycle
from tests.builders import BuyerBuilder, FactoryBuilder, ServiceCycleBuilder, buyer_user, client_for  # noqa: F401

URLCONF = "tests.reporting.buyer.urls"


def grant(factory: Factory, buyer, *, at: datetime | None = None) -> BuyerAuthorisation:
    return BuyerAuthorisation.objects.create(factory=factory, buyer=buyer, granted_at=at or timezone.now())


def cycle(factory: Factory, number: int = 1, *, status: str = "open") -> ServiceCycle:
    start = date(2025, 1, 6) + timedelta(days=365 * (number - 1))
    return ServiceCycleBuilder(
        factory=factory, number=number, start_date=start, end_date=start + timedelta(days=364), status=status
    )


def published_assessment(
    the_cycle: ServiceCycle, *, started_on: date = date(2025, 6, 2), published_at: datetime | None = None
) -> Assessment:
    published_at = published_at or timezone.now()
    return Assessment.objects.create(
        factory_id=the_cycle.factory_id,
        cycle=the_cycle,
        modality="onsite",
        cat_version=1,
        status=Assessment.Status.PUBLISHED,
        started_on=started_on,
        submitted_on=started_on + timedelta(days=1),
        feedback_deadline=started_on + timedelta(days=15),
        finalised_at=published_at - timedelta(hours=1),
        published_at=published_at,
    )


def planned_assessment(the_cycle: ServiceCycle) -> Assessment:
    return Assessment.objects.create(
        factory_id=the_cycle.factory_id, cycle=the_cycle, modality="onsite", cat_version=1, status="planned"
    )


def progress_report(the_cycle: ServiceCycle, number: int, *, released_at: datetime | None = None, status="released"):
    released = status == "released"
    return ProgressReport.objects.create(
        cycle=the_cycle,
        number=number,
        status=status,
        submitted_at=None if status == "draft" else timezone.now() - timedelta(days=1),
        released_at=(released_at or timezone.now()) if released else None,
    )


def plan_item(factory: Factory, text: str = "Fire exits blocked") -> ImprovementPlanItem:
    plan, _ = ImprovementPlan.objects.get_or_create(factory=factory)
    return ImprovementPlanItem.objects.create(
        plan=plan, source="self_diagnosis", cluster=Cluster.objects.order_by("position").first(), text=text,
        raised_on=timezone.localdate(),
    )  # fmt: skip


def authorised_factory_with_reports(buyer, **factory_kwargs) -> Factory:
    """A factory authorising `buyer`, with a published assessment, both progress reports released and a plan."""
    factory = FactoryBuilder(**factory_kwargs)
    grant(factory, buyer)
    the_cycle = cycle(factory)
    published_assessment(the_cycle)
    progress_report(the_cycle, 1)
    progress_report(the_cycle, 2)
    plan_item(factory)
    return factory


def a_buyer():
    buyer = BuyerBuilder()
    return buyer, buyer_user(buyer)
