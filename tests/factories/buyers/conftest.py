"""A small programme for the buyers area: two Cambodian factories and a Vietnamese one, two buyers, and users
of every kind that matters here."""

from types import SimpleNamespace

import pytest

from betterwork.accounts.models import Role
from factories.names import normalize_name
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, country, factory_user, global_admin, staff


def make_factory(name: str, code: str = "KH", **kwargs):
    """A factory whose normalised name is set, as registration approval sets it."""
    return FactoryBuilder(name=name, country=country(code), normalized_name=normalize_name(name), **kwargs)


@pytest.fixture
def w(db):
    a = make_factory("Angkor Apparel Co., Ltd.", os_id="KH2020000AAA")
    b = make_factory("Bayon Knits")
    c = make_factory("Saigon Stitch", "VN")
    acme, zenith = BuyerBuilder(name="Acme Retail"), BuyerBuilder(name="Zenith Brands")
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        acme=acme,
        zenith=zenith,
        factory_a=factory_user(a, first_name="Sophea", last_name="Chan"),
        factory_b=factory_user(b),
        factory_c=factory_user(c),
        advisor_kh=staff(Role.ADVISOR, "KH"),
        pm_kh=staff(Role.PROGRAMME_MANAGER, "KH"),
        pm_vn=staff(Role.PROGRAMME_MANAGER, "VN"),
        admin=global_admin(),
        acme_user=buyer_user(acme, first_name="Ann", last_name="Buyer"),
        zenith_user=buyer_user(zenith),
    )
