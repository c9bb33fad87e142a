"""POST /api/v1/visits/: FV1 starts the cycle (R-REG-2); phases (R-CTY-3); allowances (R-CYC-7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories.models import Country, Milestone, ServiceCycle
from factories.services.phases import onsite_exception_grant
from tests.builders import FactoryBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _visit(client, user, factory, **changes):
    client.force_authenticate(user)
    body = {"factory": factory.pk, "date": str(TODAY - timedelta(days=2)), "kind": "advisory",
            "modality": "onsite", "days": "1", "notes": "Met the committee."} | changes  # fmt: skip
    return client.post("/api/v1/visits/", body, format="json")


def test_the_first_advisory_visit_starts_the_cycle_on_its_date(api_client):
    factory = FactoryBuilder()
    response = _visit(api_client, staff("advisor", "KH"), factory)

    assert response.status_code == 201, response.json()
    cycle = ServiceCycle.objects.get(factory=factory)
    assert response.json()["is_first_visit"] is True
    assert (cycle.number, cycle.start_date, cycle.status) == (1, TODAY - timedelta(days=2), "open")
    assert cycle.milestones.count() == len(Milestone.Kind.values)
    second = _visit(api_client, staff("advisor", "KH", username="a2"), factory, date=str(TODAY))
    assert second.status_code == 201
    assert second.json()["cycle"] == cycle.pk
    assert second.json()["is_first_visit"] is False


def test_an_unpaid_factory_gets_no_cycle(api_client):
    factory = FactoryBuilder(status="awaiting_payment")
    response = _visit(api_client, staff("advisor", "KH"), factory)
    assert response.status_code == 400
    assert "paid" in response.json()["detail"]
    assert not ServiceCycle.objects.exists()


def test_an_onsite_visit_in_a_phase_that_forbids_it_names_the_phase(api_client):
    factory = FactoryBuilder(country=Country.objects.get(code="BD"))  # Bangladesh: phase 2
    advisor = staff("advisor", "BD")
    response = _visit(api_client, advisor, factory)

    assert response.status_code == 400
    assert "phase 2" in response.json()["modality"][0]
    assert not ServiceCycle.objects.exists()
    assert _visit(api_client, advisor, factory, modality="virtual").status_code == 201


def test_a_managers_exception_allows_onsite_for_its_period(api_client):
    factory = FactoryBuilder(country=Country.objects.get(code="BD"))
    onsite_exception_grant(
        factory=factory, actor=staff("programme_manager", "BD"), valid_from=TODAY - timedelta(days=5),
        valid_until=TODAY, reason="Fire exits blocked: a critical issue emerged.",
    )  # fmt: skip
    advisor = staff("advisor", "BD")
    assert _visit(api_client, advisor, factory).status_code == 201
    outside = _visit(api_client, advisor, factory, date=str(TODAY - timedelta(days=20)))
    assert outside.status_code == 400


def test_a_factory_with_suspended_production_is_served_as_in_phase_1(api_client):
    factory = FactoryBuilder(production_status="suspended")  # Cambodia is in phase 3
    response = _visit(api_client, staff("advisor", "KH"), factory, modality="hybrid")
    assert response.status_code == 400
    assert "phase 1" in response.json()["modality"][0]


def test_advisory_days_beyond_the_allowance_are_refused_with_what_remains(api_client):
    factory = FactoryBuilder()
    advisor = staff("advisor", "KH")
    assert _visit(api_client, advisor, factory, days="6").status_code == 201
    response = _visit(api_client, advisor, factory, days="2.5", date=str(TODAY))
    assert response.status_code == 400
    assert "only 2 of the cycle's 8 advisory days remain" in response.json()["days"][0]


def test_the_final_evaluation_visit_completes_its_milestone(api_client):
    factory = FactoryBuilder()
    advisor = staff("advisor", "KH")
    _visit(api_client, advisor, factory, date=str(TODAY - timedelta(days=300)))
    assert _visit(api_client, advisor, factory, kind="final_evaluation", date=str(TODAY)).status_code == 201
    assert Milestone.objects.get(kind="final_visit").state == "done"


@pytest.mark.parametrize("when", ["future", "before_cycle"])
def test_bad_dates_are_refused(api_client, when):
    factory = FactoryBuilder()
    advisor = staff("advisor", "KH")
    if when == "future":
        response = _visit(api_client, advisor, factory, date=str(TODAY + timedelta(days=1)))
    else:
        _visit(api_client, advisor, factory)
        response = _visit(api_client, advisor, factory, date=str(TODAY - timedelta(days=30)))
    assert response.status_code == 400
    assert "date" in response.json()


def test_who_may_record_a_visit(api_client):
    factory = FactoryBuilder()
    assert _visit(api_client, factory_user(factory), factory).status_code == 403
    assert _visit(api_client, staff("assessor", "KH"), factory).status_code == 403
    hidden = _visit(api_client, staff("advisor", "VN"), factory)
    assert hidden.status_code == 400
    assert "does not exist" in hidden.json()["factory"][0]  # the same answer as for an id that does not exist
    assert not ServiceCycle.objects.exists()


def test_visits_are_listed_to_staff_and_the_factory_but_never_to_buyers(api_client):
    from factories.models import BuyerAuthorisation

    factory = FactoryBuilder()
    _visit(api_client, staff("advisor", "KH"), factory)
    grant = BuyerAuthorisation.objects.create(factory=factory, buyer_id=_buyer().pk, granted_at=timezone.now())
    for user, count in ((factory_user(factory), 1), (buyer_user(grant.buyer), 0), (staff("advisor", "VN"), 0)):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/visits/").json()["count"] == count


def _buyer():
    from tests.builders import BuyerBuilder

    return BuyerBuilder()
