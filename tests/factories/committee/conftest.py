"""A small programme for the committee tests: two Cambodian factories and a Vietnamese one, each with a committee,
a member, a meeting with an outcome and an action; a third Cambodian factory with no committee yet."""

from types import SimpleNamespace

import pytest

from betterwork.accounts.models import Role
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    CommitteeBuilder,
    CommitteeMeetingBuilder,
    CommitteeMemberBuilder,
    FactoryBuilder,
    FollowUpActionBuilder,
    MeetingOutcomeBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
)


def _committee_of(factory):
    committee = CommitteeBuilder(factory=factory)
    member = CommitteeMemberBuilder(committee=committee, name=f"{factory.name} worker rep")
    meeting = CommitteeMeetingBuilder(committee=committee)
    outcome = MeetingOutcomeBuilder(meeting=meeting)
    action = FollowUpActionBuilder(meeting=meeting)
    return SimpleNamespace(committee=committee, member=member, meeting=meeting, outcome=outcome, action=action)


@pytest.fixture
def world(db):
    kh, vn = country("KH"), country("VN")
    a = FactoryBuilder(name="Angkor Apparel", country=kh)
    b = FactoryBuilder(name="Bayon Knits", country=kh)
    c = FactoryBuilder(name="Chenla Shoes", country=kh)  # no committee yet
    v = FactoryBuilder(name="Saigon Stitch", country=vn)
    buyer = BuyerBuilder(name="Acme")
    BuyerAuthorisationBuilder(factory=a, buyer=buyer)  # the buyer sees factory A, never its committee
    users = SimpleNamespace(
        factory_a=factory_user(a, username="factory_a"),
        factory_b=factory_user(b, username="factory_b"),
        factory_c=factory_user(c, username="factory_c"),
        advisor_kh=staff(Role.ADVISOR, "KH", username="advisor_kh"),
        pm_kh=staff(Role.PROGRAMME_MANAGER, "KH", username="pm_kh"),
        assessor_kh=staff(Role.ASSESSOR, "KH", username="assessor_kh"),
        advisor_vn=staff(Role.ADVISOR, "VN", username="advisor_vn"),
        buyer=buyer_user(buyer, username="buyer_acme"),
        global_admin=global_admin(username="admin"),
    )
    return SimpleNamespace(
        a=a, b=b, c=c, v=v, users=users, ka=_committee_of(a), kb=_committee_of(b), kv=_committee_of(v)
    )


# Which factories' committees each principal sees.
VISIBLE = {
    "factory_a": {"a"},
    "factory_b": {"b"},
    "factory_c": set(),
    "advisor_kh": {"a", "b"},
    "pm_kh": {"a", "b"},
    "assessor_kh": {"a", "b"},
    "advisor_vn": {"v"},
    "buyer": set(),
    "global_admin": {"a", "b", "v"},
}
