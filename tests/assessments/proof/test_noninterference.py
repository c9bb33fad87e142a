"""R-ASM-3, RELIABILITY §2.5.4: a planned assessment does not exist for factory and buyer users.

Three worlds, identical but for the schedule: W0 nothing planned, W1 planned on D1, W2 planned on D2 with other
assessors. In each, as the factory's own user and as an authorised buyer, every route of the URL configuration
is requested (HTML and API, with and without adversarial filter and ordering parameters, OPTIONS on the API
lists), and the notifications, e-mails and the sweeps' output are captured. After normalising only CSRF tokens
and CSP nonces (and, inside XLSX files, the zip entries' timestamps) the captures must be byte-identical.
Starting the assessment does change the capture (the capture is sensitive enough to see an assessment).

Each world is built inside a savepoint on the same base data and rolled back, so the side effects of one
world's requests (buyer reads, sessions) never reach the next. Every route is either requested or listed in
SKIPPED with its reason.
"""

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisory.calendar import feed_token
from assessments.models import Assessment
from assessments.services.feedback import feedback_periods_ended
from assessments.services.fieldwork import assessment_start
from assessments.services.schedule import assessment_plan
from betterwork.accounts.models import Role
from betterwork.common.models import Notification
from factories.services.sweep import run_milestones
from tests.assessments.builders import assessable_factory
from tests.builders import (
    BuyerAuthorisationBuilder,
    CommitteeBuilder,
    CommitteeMeetingBuilder,
    CommitteeMemberBuilder,
    FollowUpActionBuilder,
    InvoiceBuilder,
    SourcingLinkBuilder,
    buyer_user,
    factory_user,
    staff,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 16, 9, 30, tzinfo=ZoneInfo("Asia/Phnom_Penh"))  # day 101 of the cycle
D1, D2 = date(2026, 4, 20), date(2026, 6, 8)
MISSING = 999_999  # an id nothing has: the 404 must be the same in every world too
ADVERSARIAL = (
    "", "?ordering=-schedule__planned_date", "?ordering=planned_date", "?planned_date__gte=2026-01-01",
    "?planned_date__lte=2026-12-31", "?status=planned", "?status=cancelled", "?search=", "?ordering=-id",
)  # fmt: skip

SKIPPED_PREFIXES = {
    "admin/": "the Django admin: staff with two-factor only (factory and buyer users are sent to its login)",
    "accounts/": "allauth's sign-in, password and two-factor screens: nothing about factories on them",
}
SKIPPED = {
    "factories/registrations/edit/<str:token>/": "a registration's one-off edit link: the token is the secret",
    "api/v1/schema/": "staff-only OpenAPI schema (ASVS 13.4.5), the same bytes in every world by construction",
    "api/v1/docs/": "staff-only Swagger UI",
    "api/v1/auth/token/": "POST only (issues an API token)",
    "i18n/setlang/": "POST only (switches the language)",
    "healthz": "the health check: no user data",
}


# --- the URL configuration ---------------------------------------------------------------------------------


def routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return list(dict.fromkeys(walk(get_resolver().url_patterns, "")))


def skip_reason(route: str) -> str | None:
    if route in SKIPPED:
        return SKIPPED[route]
    if "format>" in route:  # DRF's `.json` suffix routes: the same view as without, requested with ?format=json
        return "format-suffix variant of the route without it (requested with ?format=json)"
    return next((why for prefix, why in SKIPPED_PREFIXES.items() if route.startswith(prefix)), None)


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route: str, values: dict[str, Any]) -> list[str] | None:
    """The concrete paths for a route (several when a parameter has several candidate values), or None."""
    path = route.replace("^", "").replace("$", "")
    paths = [path]
    for match in PARAMETER.finditer(route.replace("^", "").replace("$", "")):
        name = match.group(1) or match.group(2)
        if name == "pk":
            name = "pk:" + _resource(path[: path.index(match.group(0))])
        if name not in values:
            return None
        candidates = values[name] if isinstance(values[name], list) else [values[name]]
        paths = [p.replace(match.group(0), str(value), 1) for p in paths for value in candidates]
    return ["/" + p.lstrip("/") for p in paths]


def _resource(before: str) -> str:
    """`factories/` → "factories"; `api/v1/committee-meetings/` → "api:committee-meetings"."""
    parts = [p for p in before.split("/") if p]
    api = before.startswith("api/v1/")
    resource = parts[-1] if parts else ""
    if not api and len(parts) >= 2 and parts[0] == "training":
        resource = "training-" + resource
    if not api and parts[:2] == ["factories", "registrations"]:
        resource = "registrations"
    return ("api:" if api else "") + resource


# --- the worlds -------------------------------------------------------------------------------------------


class Base:
    """What the factory has before anything is planned: a cycle, a committee, an invoice, a buyer."""

    def __init__(self) -> None:
        self.advisor = staff(Role.ADVISOR, "KH")
        self.factory, self.cycle = assessable_factory("KH", name="Angkor Knitwear", advisor=self.advisor)
        self.manager = staff(Role.PROGRAMME_MANAGER, "KH")
        self.assessors = [staff(Role.ASSESSOR, "KH") for _ in range(4)]
        self.user = factory_user(self.factory, username="factory-manager", first_name="Sokha")
        grant = BuyerAuthorisationBuilder(factory=self.factory)
        self.buyer = buyer_user(grant.buyer, username="brand-buyer")
        link = SourcingLinkBuilder(buyer=grant.buyer, factory=self.factory)
        committee = CommitteeBuilder(factory=self.factory)
        member = CommitteeMemberBuilder(committee=committee)
        meeting = CommitteeMeetingBuilder(committee=committee)
        follow_up = FollowUpActionBuilder(meeting=meeting)
        InvoiceBuilder(factory=self.factory)
        notes = {
            u.pk: Notification.objects.create(recipient=u, key=f"welcome:{u.pk}", title="Welcome", url="/")
            for u in (self.user, self.buyer)
        }
        self.restore_id_counters()  # records where the counters stand
        self.assessment_ids = self._next_assessment_ids()  # whatever a world's planned assessment gets
        self.common = {
            "pk:factories": self.factory.pk, "pk:api:factories": self.factory.pk,
            "pk:training-factories": self.factory.pk, "pk:api:cycles": self.cycle.pk,
            "pk:assessments": self.assessment_ids, "pk:api:assessments": self.assessment_ids,
            "pk:api:buyers": grant.buyer_id, "pk:api:authorizations": grant.pk, "pk:api:sourcing-links": link.pk,
            "pk:api:committees": committee.pk, "pk:api:committee-members": member.pk,
            "pk:api:committee-meetings": meeting.pk, "pk:api:follow-up-actions": follow_up.pk,
            "code": self.factory.country_id, "number": [1, 2], "member_pk": member.pk, "meeting_pk": meeting.pk,
            "action_pk": follow_up.pk, "authorisation_id": grant.pk, "day": "2026-04-16",
        }  # fmt: skip
        from reporting.exports import TABLES

        self.common.update({
            "pk:cycles": self.cycle.pk, "table": sorted(TABLES), "fmt": ["csv", "xlsx"],
            "pk:remediation-files": MISSING, "pk:moderation": MISSING, "pk:files": MISSING,
        })  # fmt: skip
        for name in ("visit_pk", "case_pk", "item_pk", "evidence_pk", "evidence_id", "participant_pk",
                     "enrolment_pk", "participation_pk", "seminar_pk", "object_id", "content_type_id"):  # fmt: skip
            self.common[name] = MISSING
        for resource in ("registrations", "training-sessions", "sessions", "api:users", "api:registrations",
                         "api:buyer-reads", "api:onsite-exceptions", "api:visits", "api:improvement-plan-items",
                         "api:zero-tolerance-cases", "api:training-courses", "api:training-sessions",
                         "api:enrollments", "api:training-purchases", "api:seminars", "api:seminar-participations",
                         "api:notifications"):  # fmt: skip
            self.common.setdefault("pk:" + resource, MISSING)
        self.per_user = {
            u.pk: {"pk:api:users": u.pk, "pk:api:notifications": [notes[u.pk].pk, MISSING], "token": feed_token(u)}
            for u in (self.user, self.buyer)
        }

    def values(self, user: Any) -> dict[str, Any]:
        return {**self.common, **self.per_user[user.pk]}

    def restore_id_counters(self) -> None:
        """PostgreSQL's sequences ignore rollbacks: put them back where the base left them, so every world hands
        out the same ids to the rows it creates (reads logged, notifications...). SQLite's counters roll back."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if not hasattr(self, "_sequences"):
                cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences")
                self._sequences = cursor.fetchall()
            for schema, name, value in self._sequences:  # a sequence never used yet starts again at 1
                cursor.execute("SELECT setval(%s, %s, %s)", [f'"{schema}"."{name}"', value or 1, value is not None])

    def _next_assessment_ids(self) -> list[int]:
        """The ids the worlds' planned assessments will get. A probe row, rolled back, tells where the id
        counter stands: SQLite hands the same id out again after a rollback, PostgreSQL's sequence moves on
        (each world then gets the next one)."""
        with transaction.atomic():
            probe = Assessment.objects.create(factory=self.factory, cycle=self.cycle, modality="onsite", cat_version=1)
            transaction.set_rollback(True)
        return [probe.pk + n for n in range(4)]


def plan(base: Base, on: date, assessors: list[Any]) -> Assessment:
    return assessment_plan(
        factory=base.factory, actor=base.manager, planned_date=on, modality="onsite", assessors=assessors
    )


NORMALISE = [
    (re.compile(rb'nonce="[^"]+"'), b'nonce="<nonce>"'),
    (re.compile(rb"'nonce-[^']+'"), b"'nonce-<nonce>'"),
    (re.compile(rb"\b[A-Za-z0-9]{64}\b"), b"<csrf>"),  # masked CSRF tokens (form fields, htmx headers)
]
HEADERS = ("Content-Type", "Location", "Content-Disposition", "ETag", "Last-Modified", "Allow", "Vary",
           "Cache-Control", "X-Total-Count", "Link")  # fmt: skip


def normalised(content: bytes) -> bytes:
    if content.startswith(b"PK\x03\x04"):
        # XLSX: compare the files inside, not the zip entries' timestamps (openpyxl stamps its temporary sheet
        # file's real modification time, which no frozen clock controls; it says nothing about the schedule)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"\n".join(name.encode() + b":" + normalised(archive.read(name)) for name in archive.namelist())
    for pattern, replacement in NORMALISE:
        content = pattern.sub(replacement, content)
    return content


def capture(base: Base, *, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Everything the factory's user and the authorised buyer can observe, by request and channel."""
    seen: dict[str, Any] = {}
    for who, user in (("factory", base.user), ("buyer", base.buyer)):
        client = Client()
        client.force_login(user)
        for route in routes():
            if skip_reason(route) or (only and not route.startswith(only)):
                continue
            paths = fill(route, base.values(user))
            assert paths is not None, f"{route}: parameters unknown (fill them in Base or add it to SKIPPED)"
            api = route.startswith("api/v1/")
            listing = not PARAMETER.search(route) or route.endswith(("/cycle/", "/reports/", "/plan/"))
            for path in paths:
                for query in ADVERSARIAL if listing else ("",):
                    url = path + query
                    if api:
                        url += ("&" if "?" in url else "?") + "format=json"
                    response = client.get(url)
                    seen[f"{who} GET {url}"] = _observed(response)
                    if api and listing and not query:
                        seen[f"{who} OPTIONS {url}"] = _observed(client.options(url))
        seen[f"{who} notifications"] = list(
            Notification.objects.filter(recipient=user).order_by("key").values_list("key", "title", "body", "url")
        )
    seen["mail"] = [(m.to, m.subject, m.body, [a[0] for a in getattr(m, "alternatives", [])]) for m in mail.outbox]
    return seen


def _observed(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, [(h, response.headers[h]) for h in HEADERS if h in response.headers], normalised(body)


def world(base: Base, build: Any, capture_callbacks: Any, **kwargs: Any) -> dict[str, Any]:
    """Build a world on the base inside a savepoint, run the sweeps, capture, roll it all back."""
    savepoint = transaction.savepoint()
    base.restore_id_counters()
    mail.outbox = []
    try:
        with capture_callbacks(execute=True):
            made = build(base)
            run_milestones(as_of=NOW.date())
            feedback_periods_ended()
        seen = capture(base, **kwargs)
        seen["__made__"] = made
        return seen
    finally:
        transaction.savepoint_rollback(savepoint)


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    keys = (a.keys() | b.keys()) - {"__made__"}
    return sorted(k for k in keys if a.get(k) != b.get(k))


@pytest.fixture
def base(settings, time_machine):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    time_machine.move_to(NOW, tick=False)
    return Base()


# --- the tests ------------------------------------------------------------------------------------------------


def test_every_route_is_requested_or_skipped_with_a_reason(base):
    unfilled = [r for r in routes() if not skip_reason(r) and fill(r, base.values(base.user)) is None]
    assert unfilled == []
    requested = [r for r in routes() if not skip_reason(r)]
    assert any(r.startswith("api/v1/") and "assessments" in r for r in requested)
    assert "factories/<int:pk>/cycle/" in requested
    assert "assessments/<int:pk>/" in requested


def test_a_planned_assessment_changes_no_byte_the_factory_or_a_buyer_sees(base, django_capture_on_commit_callbacks):
    w0 = world(base, lambda b: None, django_capture_on_commit_callbacks)
    w1 = world(base, lambda b: plan(b, D1, b.assessors[:2]).pk, django_capture_on_commit_callbacks)
    w2 = world(base, lambda b: plan(b, D2, b.assessors[2:]).pk, django_capture_on_commit_callbacks)
    assert {w1["__made__"], w2["__made__"]} <= set(base.assessment_ids)  # their ids were requested too
    assert w0.keys() == w1.keys() == w2.keys()
    # the capture saw real pages: the factory's own cycle, API and notifications answer 200
    assert w0[f"factory GET /factories/{base.factory.pk}/cycle/"][0] == 200
    assert w0[f"factory GET /api/v1/cycles/{base.cycle.pk}/?format=json"][0] == 200
    assert w0["factory GET /api/v1/assessments/?format=json"][0] == 200
    assert sum(1 for key, value in w0.items() if " GET " in key and value[0] == 200) > 40
    assert differences(w0, w1) == []
    assert differences(w0, w2) == []


def test_starting_the_assessment_is_seen_by_the_factory(base, django_capture_on_commit_callbacks):
    """The capture is sensitive: once the assessors arrive, the factory's pages and API show the assessment."""

    def started(b: Base) -> int:
        assessment = plan(b, NOW.date(), b.assessors[:2])
        return assessment_start(assessment_id=assessment.pk, actor=b.assessors[0]).pk

    only = ("api/v1/^assessments", "assessments/", "factories/<int:pk>/cycle/", "api/v1/^cycles")
    w0 = world(base, lambda b: None, django_capture_on_commit_callbacks, only=only)
    w3 = world(base, started, django_capture_on_commit_callbacks, only=only)
    changed = differences(w0, w3)
    assert "factory GET /api/v1/assessments/?format=json" in changed
    assert f"factory GET /assessments/{w3['__made__']}/" in changed
    assert not any(key.startswith("buyer GET /api/v1/assessments/") for key in changed)  # buyers: once published


# The routes where a date would show first (the full W0/W1/W2 test above covers every route).
FOCUS = ("api/v1/^assessments", "assessments/", "factories/<int:pk>/cycle/", "factories/<int:pk>/reports/",
         "factories/<int:pk>/plan/", "api/v1/^cycles", "api/v1/^factories/$", "api/v1/^factories/(?P<pk>[^/.]+)/$",
         "notifications/", "api/v1/^notifications/$", "agenda/", "documents/")  # fmt: skip


def test_any_two_planned_dates_look_the_same(base, django_capture_on_commit_callbacks):
    """The Hypothesis variant: D1 and D2 drawn from the cycle's assessment window (day 100 to the cycle end)."""
    first_day = base.cycle.start_date + timedelta(days=100)
    w0 = world(base, lambda b: None, django_capture_on_commit_callbacks, only=FOCUS)

    @settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(day=st.dates(first_day, base.cycle.end_date), pair=st.sampled_from([(0, 1), (2, 3), (1, 3)]))
    def planned_on(day: date, pair: tuple[int, int]) -> None:
        chosen = [base.assessors[i] for i in pair]
        seen = world(base, lambda b: plan(b, day, chosen).pk, django_capture_on_commit_callbacks, only=FOCUS)
        assert differences(w0, seen) == []

    planned_on()
