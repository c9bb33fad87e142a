"""The home page shows each role what needs its attention (and nothing it may not see)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from betterwork.accounts.models import Role
from factories.models import Factory, ServiceCycle
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    ServiceCycleBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    with_totp,
)

pytestmark = pytest.mark.django_db


def section(html: str, label: str) -> str:
    """The HTML of `<section aria-labelledby="label">`."""
    match = re.search(rf'<section aria-labelledby="{label}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {label!r}"
    return match.group(1)


@pytest.fixture
def world():
    kh, vn = country("KH"), country("VN")
    return {
        # KH: paid with no cycle (FV1 due), in its initial advisory, awaiting payment, past initial advisory
        "kh_fv1": FactoryBuilder(name="Angkor Apparel", country=kh),
        "kh_cycle": ServiceCycleBuilder(factory=FactoryBuilder(name="Bayon Knits", country=kh)).factory,
        "kh_unpaid": FactoryBuilder(name="Chenla Shoes", country=kh, status=Factory.Status.AWAITING_PAYMENT),
        "kh_late": ServiceCycleBuilder(
            factory=FactoryBuilder(name="Dangrek Denim", country=kh),
            start_date=timezone.localdate() - timedelta(days=150),
        ).factory,
        "kh_closed": ServiceCycleBuilder(
            factory=FactoryBuilder(name="Elephant Garments", country=kh),
            status=ServiceCycle.Status.CLOSED,
            start_date=timezone.localdate() - timedelta(days=400),
        ).factory,
        "vn_fv1": FactoryBuilder(name="Saigon Stitch", country=vn),
        "vn_unpaid": FactoryBuilder(name="Hanoi Footwear", country=vn, status=Factory.Status.AWAITING_PAYMENT),
    }


def _home(client, user):
    if user.needs_two_factor:
        with_totp(user)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_public_landing_for_anonymous(client, world):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "home/public.html"
    assert "Better working conditions in garment factories" in html
    assert 'href="/transparency/"' in html
    assert 'href="/accounts/login/"' in html
    assert not any(f.name in html for f in world.values())


def test_factory_user_sees_its_own_factory_only(client, world):
    response, html = _home(client, factory_user(world["kh_cycle"]))
    assert response.context["factory"] == world["kh_cycle"]
    assert "<h1>Bayon Knits</h1>" in html
    assert response.context["cycle"] == world["kh_cycle"].cycles.get()
    assert "Cycle 1 runs from" in section(html, "cycle")
    assert "today is day 30." in section(html, "cycle")
    others = [f.name for key, f in world.items() if key != "kh_cycle"]
    assert not [name for name in others if name in html]


def test_factory_user_sees_the_buyers_it_authorised(client, world):
    factory = world["kh_fv1"]
    BuyerAuthorisationBuilder(factory=factory, buyer=BuyerBuilder(name="Acme"))
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=factory, buyer=BuyerBuilder(name="Gone"), granted_at=now, revoked_at=now)
    _, html = _home(client, factory_user(factory))
    buyers = section(html, "buyers")
    assert "Acme" in buyers
    assert "Gone" not in buyers
    assert "Your cycle starts on the day of your first advisory visit." in section(html, "cycle")


def test_factory_empty_states(client, world):
    _, html = _home(client, factory_user(world["kh_unpaid"]))
    assert "Services start once the programme has recorded your payment." in section(html, "cycle")
    assert "No buyer can see your reports yet." in section(html, "buyers")


def test_buyer_sees_exactly_its_authorised_factories(client, world):
    acme = BuyerBuilder(name="Acme")
    BuyerAuthorisationBuilder(factory=world["kh_fv1"], buyer=acme)
    BuyerAuthorisationBuilder(factory=world["vn_fv1"], buyer=acme)
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=world["kh_cycle"], buyer=acme, granted_at=now, revoked_at=now)
    BuyerAuthorisationBuilder(factory=world["kh_late"], buyer=BuyerBuilder(name="Zenith"))
    response, html = _home(client, buyer_user(acme))
    assert {f.pk for f in response.context["factories"]} == {world["kh_fv1"].pk, world["vn_fv1"].pk}
    listed = section(html, "authorised")
    assert "Angkor Apparel" in listed
    assert "Saigon Stitch" in listed
    for key in ("kh_cycle", "kh_late", "kh_unpaid", "kh_closed", "vn_unpaid"):
        assert world[key].name not in html
    assert "No factory has authorised you yet." not in html


def test_buyer_empty_state(client, world):
    _, html = _home(client, buyer_user(BuyerBuilder(name="Acme")))
    assert "No factory has authorised you yet. Factories grant access from their own account." in html
    assert not any(f.name in html for f in world.values())


def test_advisor_sees_its_countrys_work_and_not_another_countrys(client, world):
    """R-REG-2: paid factories without an open cycle wait for FV1; R-CYC-1: the ~100-day initial advisory."""
    response, html = _home(client, staff(Role.ADVISOR, "KH"))
    ctx = response.context
    # Dangrek Denim (cycle over 100 days old) and Elephant Garments (closed cycle only): FV1 of cycle 2 due.
    assert {f.pk for f in ctx["awaiting_fv1"]} == {world["kh_fv1"].pk, world["kh_closed"].pk}
    assert {c.factory_id for c in ctx["initial_advisory"]} == {world["kh_cycle"].pk}
    assert {f.pk for f in ctx["awaiting_payment"]} == {world["kh_unpaid"].pk}
    assert ctx["status_counts"] == {"awaiting_payment": 1, "active": 4, "suspended": 0, "exited": 0}

    fv1 = section(html, "fv1")
    assert "Angkor Apparel" in fv1
    assert "Elephant Garments" in fv1
    assert "Bayon Knits" not in fv1
    assert "Bayon Knits" in section(html, "ia")
    assert "Chenla Shoes" in section(html, "pay")
    assert "Saigon Stitch" not in html
    assert "Hanoi Footwear" not in html


def test_advisor_of_another_country(client, world):
    response, html = _home(client, staff(Role.ADVISOR, "VN"))
    assert {f.pk for f in response.context["awaiting_fv1"]} == {world["vn_fv1"].pk}
    assert "Saigon Stitch" in section(html, "fv1")
    assert "Hanoi Footwear" in section(html, "pay")
    assert "No factory is in its initial advisory phase." in section(html, "ia")
    assert not [f.name for key, f in world.items() if key.startswith("kh_") and f.name in html]


def test_global_admin_sees_every_country(client, world):
    response, _ = _home(client, global_admin())
    assert {f.pk for f in response.context["awaiting_fv1"]} == {
        world["kh_fv1"].pk,
        world["kh_closed"].pk,
        world["vn_fv1"].pk,
    }
    assert response.context["status_counts"]["awaiting_payment"] == 2


def test_staff_empty_states(client):
    _, html = _home(client, staff(Role.PROGRAMME_MANAGER, "ET"))
    assert "Every paid factory has started its cycle." in section(html, "fv1")
    assert "No factory is in its initial advisory phase." in section(html, "ia")
    assert "No invoice is waiting." in section(html, "pay")
    assert "Programme manager · Ethiopia" in html
