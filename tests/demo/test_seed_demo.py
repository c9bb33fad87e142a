"""seed_demo: believable, deterministic for a seed and a date, idempotent."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import CommandError, call_command
from django.test import override_settings

from betterwork.accounts.models import Role, User
from betterwork.demo.plan import POSITIONS, build_plan, country_weights
from betterwork.demo.seed import DEMO_PASSWORD, seed_demo
from factories.models import BuyerAuthorisation, Country, Factory, ServiceCycle

TODAY = date(2026, 11, 24)
SECTORS = {"KH": ["apparel", "footwear"], "VN": ["apparel", "footwear"]}


def _sectors() -> dict[str, list[str]]:
    return {code: SECTORS.get(code, ["apparel"]) for code in country_weights(1)}


def _snapshot() -> list[tuple]:
    factories = Factory.objects.order_by("country", "name").values_list(
        "country", "name", "sector", "workers", "women_percent", "status", "stage", "advisor__username"
    )
    cycles = ServiceCycle.objects.order_by("factory__name", "number").values_list(
        "factory__name", "number", "start_date", "end_date", "status"
    )
    grants = BuyerAuthorisation.objects.order_by("factory__name", "buyer__name").values_list(
        "factory__name", "buyer__name", "granted_at"
    )
    return [*factories, *cycles, *grants, *User.objects.order_by("username").values_list("username", "role")]


def test_the_plan_is_the_same_for_a_seed_and_different_for_another():
    one = build_plan(size=120, seed=7, today=TODAY, sectors=_sectors())
    assert one == build_plan(size=120, seed=7, today=TODAY, sectors=_sectors())
    assert one != build_plan(size=120, seed=8, today=TODAY, sectors=_sectors())


def test_the_programme_keeps_the_2019_proportions_at_real_scale():
    counts = country_weights(1600)
    assert sum(counts.values()) == 1600
    assert len(counts) == 11
    # 2019: KH 543, VN 363, BD 242, ID 213, JO 94 of 1543 factories in the report's countries.
    assert counts["KH"] > counts["VN"] > counts["BD"] > counts["ID"] > counts["JO"] > counts["HT"]
    assert 480 <= counts["KH"] <= 560


def test_small_programmes_still_cover_every_point_of_the_cycle():
    plans = build_plan(size=120, seed=1, today=TODAY, sectors=_sectors())
    by_country = Counter((p.country, p.position) for p in plans)
    for code in country_weights(120):
        for position, *_ in POSITIONS:
            assert by_country[(code, position)] >= 1, (code, position)


@pytest.mark.django_db
def test_seeding_writes_the_plan_and_a_second_run_changes_nothing():
    first = seed_demo(size=60, seed=3, today=TODAY)
    before = _snapshot()
    second = seed_demo(size=60, seed=3, today=TODAY)

    assert first.created["factories"] == 60
    assert not any(second.created.values())
    assert _snapshot() == before
    assert Factory.objects.count() == 60


@pytest.mark.django_db
def test_seeded_programme_is_believable():
    seed_demo(size=110, seed=5, today=TODAY)

    for code in Country.objects.values_list("code", flat=True):
        factories = Factory.objects.filter(country_id=code)
        statuses = set(factories.values_list("status", flat=True))
        assert statuses == {"awaiting_payment", "active", "suspended", "exited"}, code
        open_numbers = set(
            ServiceCycle.objects.filter(factory__country_id=code, status="open").values_list("number", flat=True)
        )
        assert {1, 2, 3} <= open_numbers, code
        assert factories.filter(stage=2).exists(), code
        assert factories.filter(status="active", cycles__isnull=True).exists(), code  # paid, awaiting FV1
    assert not Factory.objects.filter(status="awaiting_payment", cycles__isnull=False).exists()
    assert not BuyerAuthorisation.objects.filter(factory__status="awaiting_payment").exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


@pytest.mark.django_db
def test_printed_logins_work_and_staff_have_a_second_factor():
    result = seed_demo(size=40, seed=2, today=TODAY)

    assert [role for role, *_ in result.logins] == [role.label for role in Role]
    for _, username, _ in result.logins:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == user.is_programme_staff, username
    buyer = User.objects.get(username=result.logins[-1][1])
    factory = User.objects.get(username=result.logins[-2][1]).factory
    assert BuyerAuthorisation.objects.active().filter(factory=factory, buyer=buyer.buyer).exists()


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_account_accepts():
    seed_demo(size=20, seed=2, today=TODAY)
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo_totp", "advisor.kh", stdout=out)
    code = out.getvalue().strip()
    authenticator = Authenticator.objects.get(user__username="advisor.kh", type=Authenticator.Type.TOTP)

    assert len(code) == 6
    assert TOTP(authenticator).validate_code(code)


@pytest.mark.django_db
def test_demo_totp_refuses_outside_debug_and_for_real_accounts():
    seed_demo(size=20, seed=2, today=TODAY)
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "advisor.kh")
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="not a demo staff account"):
        call_command("demo_totp", "factory.kh.001")


@pytest.mark.django_db
def test_the_command_reports_bad_sizes_and_prints_logins():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", "--factories", "0")
    out = StringIO()
    call_command("seed_demo", "--factories", "15", "--seed", "4", "--today", "2026-11-24", verbosity=0, stdout=out)
    assert "Demo logins (password for all: betterwork-demo)" in out.getvalue()
    assert "  admin  " in out.getvalue()
    assert "factory." in out.getvalue()


@pytest.mark.django_db
def test_the_paperwork_matches_each_factorys_status():
    from factories.models import Committee, Invoice, Registration, SourcingLink

    seed_demo(size=110, seed=6, today=TODAY)

    unpaid = Invoice.objects.filter(paid_on__isnull=True)
    assert set(unpaid.values_list("factory__status", flat=True)) == {"awaiting_payment", "suspended"}
    assert not Factory.objects.filter(status="awaiting_payment").exclude(invoices__in=unpaid).exists()
    assert not unpaid.filter(factory__status="suspended", cycle_number=1).exists()  # a renewal went unpaid
    assert not unpaid.filter(factory__status="suspended", due_on__gte=TODAY).exists()
    for factory in Factory.objects.filter(status="active").prefetch_related("invoices", "cycles"):
        paid_cycles = {i.cycle_number for i in factory.invoices.all() if i.paid_on}
        assert {c.number for c in factory.cycles.all()} <= paid_cycles, factory.name
    started = Factory.objects.filter(cycles__isnull=False).distinct()
    assert Committee.objects.count() == started.count()
    assert Registration.objects.filter(status="submitted").values("country").distinct().count() == 11
    assert SourcingLink.objects.filter(source="buyer").exists()
    for link in SourcingLink.objects.filter(source="buyer"):  # a pending request, not yet granted
        assert not BuyerAuthorisation.objects.active().filter(factory=link.factory, buyer=link.buyer).exists()


@pytest.mark.django_db
def test_plans_and_reports_follow_the_cycle():
    from advisory.models import ImprovementPlanItem, ProgressReport
    from factories.models import Milestone

    seed_demo(size=60, seed=8, today=TODAY)

    assert ImprovementPlanItem.objects.filter(source="self_diagnosis").exists()
    assert ImprovementPlanItem.objects.filter(source="assessment", critical_issue__isnull=False).exists()
    assert not ImprovementPlanItem.objects.filter(plan__factory__cycles__isnull=True).exists()
    for report in ProgressReport.objects.select_related("cycle"):
        kind = f"progress_report_{report.number}"
        assert Milestone.objects.filter(cycle=report.cycle, kind=kind, state="done").exists()
    assert ProgressReport.objects.filter(number=1, status="released").exists()
