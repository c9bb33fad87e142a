"""Write the demo plan (plan.py) into the database. Idempotent: every row is found by its natural key
and created only when missing, so a second run, or a run on another day, changes nothing."""

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from betterwork.accounts.models import COUNTRY_ROLES, Role, User
from betterwork.demo.assessments import Target, Team, seed_assessments
from betterwork.demo.extras import (
    seed_buyer_request,
    seed_committee,
    seed_invoices,
    seed_plan,
    seed_registrations,
    seed_reports,
)
from betterwork.demo.plan import BUYERS, FactoryPlan, advisors_needed, build_plan
from factories.models import Buyer, BuyerAuthorisation, Country, Factory, Milestone, ServiceCycle
from factories.names import normalize_name
from factories.schedule import plan_cycle
from reporting.models import PublicListing
from reporting.services.transparency import rebuild as rebuild_transparency

CHUNK = 200  # factories per transaction
ASSESSMENT_LABELS = {
    "planned": "planned assessments",
    "in_progress": "assessments in progress",
    "feedback": "assessments in their feedback period",
    "finalised": "finalised assessments",
    "published": "published assessments",
    "plan items": "plan items from assessments",
}
DEMO_PASSWORD = "betterwork-demo"  # noqa: S105 - printed on purpose: demo accounts only
FIRST_NAMES = ["Sokha", "Nguyen", "Rahima", "Dewi", "Layla", "Marie", "Abebe", "Carlos", "Thandi", "Ayesha", "Dara"]
LAST_NAMES = ["Chan", "Tran", "Akter", "Santoso", "Haddad", "Joseph", "Bekele", "López", "Mokoena", "Khan", "Sok"]


@dataclass
class SeedResult:
    factories: int = 0
    users: int = 0
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, what to try)


def demo_totp_secret(username: str) -> str:
    """A fixed TOTP secret per demo staff account, so `manage.py demo_totp` can print today's code."""
    return base64.b32encode(
        hashlib.sha1(f"betterwork-demo:{username}".encode(), usedforsecurity=False).digest()
    ).decode()


class _Writer:
    def __init__(self, result: SeedResult, today: date) -> None:
        self.result = result
        self.today = today
        self.password = make_password(DEMO_PASSWORD)  # hashed once: thousands of users stay fast

    def user(self, username: str, role: str, n: int = 0, **scope: object) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "password": self.password,
                "role": role,
                "email": f"{username}@demo.betterwork.invalid",
                "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)],
                "is_staff": role == Role.GLOBAL_ADMIN,
                "is_superuser": role == Role.GLOBAL_ADMIN,
                **scope,
            },
        )
        self.result.created["users"] += created
        self.result.users += 1
        if user.needs_two_factor and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, demo_totp_secret(username))
        return user

    def factory(self, plan: FactoryPlan, advisor: User) -> Factory:
        factory, created = Factory.objects.get_or_create(
            country_id=plan.country,
            name=plan.name,
            defaults={
                "sector": plan.sector,
                "address": f"{plan.city}, {Country.objects.get(code=plan.country).name}",
                "workers": plan.workers,
                "women_percent": plan.women_percent,
                "status": plan.status,
                "stage": plan.stage,
                "advisor": advisor,
                "normalized_name": normalize_name(plan.name),
                "contact_name": FIRST_NAMES[plan.index % len(FIRST_NAMES)],
                "contact_email": f"factory.{plan.country.lower()}.{plan.index:03d}@demo.betterwork.invalid",
                "exit_reason": "The factory closed its garment line." if plan.status == "exited" else "",
            },
        )
        self.result.created["factories"] += created
        self.result.factories += 1
        assessed_before = False
        for number, (start, end, status) in enumerate(plan.cycles, start=1):
            cycle, created = ServiceCycle.objects.get_or_create(
                factory=factory, number=number, defaults={"start_date": start, "end_date": end, "status": status}
            )
            self.result.created["cycles"] += created
            if created:
                assessed_before = _plan_milestones(cycle, plan, assessed_before, self.today)
        return factory

    def authorise(self, factory: Factory, buyer: Buyer, on: date, by: User) -> None:
        granted = timezone.make_aware(datetime.combine(on, time(9)))
        _, created = BuyerAuthorisation.objects.get_or_create(
            factory=factory, buyer=buyer, revoked_at=None, defaults={"granted_at": granted, "granted_by": by}
        )
        self.result.created["authorisations"] += created


def seed_demo(*, size: int, seed: int, today: date, progress: bool = False) -> SeedResult:
    countries = Country.objects.in_bulk()
    sectors = {code: country.sectors for code, country in countries.items()}
    plans = build_plan(size=size, seed=seed, today=today, sectors=sectors)
    result = SeedResult()
    write = _Writer(result, today)
    with transaction.atomic():
        write.user("admin", Role.GLOBAL_ADMIN)
        buyers = {}
        for n, name in enumerate(BUYERS):
            buyers[name], created = Buyer.objects.get_or_create(name=name)
            result.created["buyers"] += created
            write.user(f"buyer.{slugify(name).split('-')[0]}", Role.BUYER, n, buyer=buyers[name])
        per_country: dict[str, list[FactoryPlan]] = defaultdict(list)
        for plan in plans:
            per_country[plan.country].append(plan)
        advisors: dict[str, list[User]] = {}
        managers: dict[str, User] = {}
        teams: dict[str, Team] = {}
        for n, (code, country_plans) in enumerate(sorted(per_country.items())):
            suffix = code.lower()
            managers[code] = write.user(f"pm.{suffix}", Role.PROGRAMME_MANAGER, n, country_id=code)
            assessors = [
                write.user(f"assessor{'' if k == 1 else k}.{suffix}", Role.ASSESSOR, n + k, country_id=code)
                for k in (1, 2)
            ]
            teams[code] = Team(manager=managers[code], assessors=assessors)
            advisors[code] = [
                write.user(f"advisor{'' if k == 1 else k}.{suffix}", Role.ADVISOR, n + k, country_id=code)
                for k in range(1, advisors_needed(len(country_plans)) + 1)
            ]
    bar = tqdm(total=len(plans), desc="Seeding factories", unit="factory", disable=not progress)
    targets: list[Target] = []
    for start in range(0, len(plans), CHUNK):
        with transaction.atomic():
            for plan in plans[start : start + CHUNK]:
                advisor = advisors[plan.country][plan.advisor_index % len(advisors[plan.country])]
                factory = write.factory(plan, advisor)
                username = f"factory.{plan.country.lower()}.{plan.index:03d}"
                user = write.user(username, Role.FACTORY, plan.index, factory=factory)
                targets.append(Target(plan=plan, factory=factory, user=user))
                granted_on = plan.cycles[0][0] + timedelta(days=3) if plan.cycles else today
                for name in plan.buyers:
                    write.authorise(factory, buyers[name], granted_on, user)
                country = countries[plan.country]
                created = result.created
                created["invoices"] += seed_invoices(
                    factory, plan, today=today, fee=country.annual_fee, currency=country.currency
                )
                created["committees"] += seed_committee(factory, plan, seed=seed, today=today)
                created["buyer requests"] += seed_buyer_request(factory, plan, seed=seed, buyers=buyers)
                created["plan items"] += seed_plan(factory, plan, seed=seed, today=today, advisor=advisor, user=user)
                created["progress reports"] += seed_reports(
                    factory, today=today, advisor=advisor, user=user, manager=managers[plan.country]
                )
                bar.update()
    bar.close()
    assessments = seed_assessments(targets, seed=seed, today=today, teams=teams, progress=progress)
    for status, label in ASSESSMENT_LABELS.items():
        result.created[label] += assessments[status]
    with transaction.atomic():
        for code, country_plans in sorted(per_country.items()):
            names = [p.name for p in country_plans if p.status == "active"]
            result.created["registrations"] += seed_registrations(code, names, seed=seed, country=countries[code])
    # The demo writes past publications directly (no signal): the portal is rebuilt from them.
    listed_before = PublicListing.objects.count()
    result.created["portal listings"] = rebuild_transparency()["listed"] - listed_before
    result.logins = _logins(plans)
    return result


def _plan_milestones(cycle: ServiceCycle, plan: FactoryPlan, assessed_before: bool, today: date) -> bool:
    """The cycle's milestones as the cycle engine plans them; what fell due before today happened on time,
    except that about one factory in eight is late with its Progress Report 1 (the sweep's overdue
    notices have something to show). Returns whether this cycle had an assessment."""
    late_with_report = cycle.status == "open" and plan.index % 8 == 0
    milestones = []
    for planned in plan_cycle(start=cycle.start_date, stage=plan.stage, previous_cycle_assessed=assessed_before):
        happened = planned.due_date < today and not (late_with_report and planned.kind == "progress_report_1")
        state = "cancelled" if planned.cancelled else ("done" if happened else "planned")
        done_at = timezone.make_aware(datetime.combine(planned.due_date, time(12))) if state == "done" else None
        milestones.append(
            Milestone(
                cycle=cycle,
                kind=planned.kind,
                due_date=planned.due_date,
                owner=planned.owner,
                state=state,
                done_at=done_at,
            )
        )
    Milestone.objects.bulk_create(milestones)
    return not any(m.kind == "assessment" and m.state == "cancelled" for m in milestones)


def _logins(plans: list[FactoryPlan]) -> list[tuple[str, str, str]]:
    showcase = next(
        (p for p in plans if p.country == "KH" and p.position == "published" and p.buyers),
        next(p for p in plans if p.buyers),
    )
    code = showcase.country.lower()
    buyer = f"buyer.{slugify(showcase.buyers[0]).split('-')[0]}"
    return [
        (Role.GLOBAL_ADMIN.label, "admin", "all countries, Django admin"),
        (Role.PROGRAMME_MANAGER.label, f"pm.{code}", "registrations, staff, publication"),
        (Role.ADVISOR.label, f"advisor.{code}", "factories, visits, improvement plans"),
        (Role.ASSESSOR.label, f"assessor.{code}", "assessments"),
        (Role.FACTORY.label, f"factory.{code}.{showcase.index:03d}", showcase.name),
        (Role.BUYER.label, buyer, f"authorised by {showcase.name}"),
    ]


def is_demo_staff(user: User) -> bool:
    return user.email.endswith("@demo.betterwork.invalid") and (user.role in COUNTRY_ROLES or user.is_superuser)
