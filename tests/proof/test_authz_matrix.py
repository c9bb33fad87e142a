"""The authorisation matrix (RELIABILITY.md §2.5.3, R-ACC-1, R-ASM-3): every route × every principal.

* `test_every_route_is_classified` walks the URL configuration and fails on a pattern that is neither in
  `matrix.ROUTES` nor in `matrix.EXCLUDED` (a new endpoint cannot ship unclassified).
* `test_get` requests every route as each of the 14 principals, for an object of factory A, B and C where
  the route has one, and compares the status with the oracle; list endpoints must return exactly the ids the
  oracle computes from the world.
* `test_write` sends the unsafe methods: hidden → 404, visible but not allowed → 403, allowed → neither.
* `test_cross_factory_reference_*`: factory A's user names factory B's objects in request bodies → 400/403/404
  and no row created.

One case per (route, side, method) checks all principals and lists every mismatch at once.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.proof.matrix import (
    EXCLUDED,
    EXCLUDED_PREFIXES,
    FORMAT_SUFFIX,
    ROUTES,
    SIGNED_OUT,
    Route,
    Write,
)
from tests.proof.world import PRINCIPALS, World, today

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def all_patterns() -> list[str]:
    return list(dict.fromkeys(_walk(get_resolver().url_patterns)))


def _key(route: Route) -> str:
    return route.pattern.split("#", 1)[0]


def test_every_route_is_classified():
    """Zulip-style completeness: 100 % of URL patterns are in the matrix or excluded with a reason."""
    known = {_key(r) for r in ROUTES}
    missing = [
        p
        for p in all_patterns()
        if p not in known
        and p not in EXCLUDED
        and not any(p.startswith(prefix) for prefix in EXCLUDED_PREFIXES)
        and not re.search(re.escape(FORMAT_SUFFIX), p)
    ]
    assert not missing, "Routes missing from tests/proof/matrix.py (add them to ROUTES or EXCLUDED):\n" + "\n".join(
        missing
    )


def test_the_table_names_only_real_routes():
    """A stale row (a route renamed or removed) is as wrong as a missing one."""
    real = set(all_patterns())
    stale = sorted({_key(r) for r in ROUTES} - real)
    assert not stale, stale


# --- requesting ---------------------------------------------------------------------------------------------------
def _client(world: World, principal: str, api: bool) -> tuple[Client, dict]:
    client = Client()
    user = world.users.get(principal)
    if user is None:
        return client, {}
    if api:
        return client, {"HTTP_AUTHORIZATION": f"Token {world.tokens[principal]}"}
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, {}


def _outcome(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return "login"
    return response.status_code


def expected(route: Route, principal: str, side: str, write: Write | None = None) -> set:
    if route.everyone is not None:
        return {route.everyone}
    if route.api and principal == "inactive":
        return {401}  # a deactivated user's token is refused, even on public endpoints
    if principal in SIGNED_OUT:
        if route.anon is not None and write is None:
            return {route.anon}
        return {401} if route.api else {"login"}
    if not route.see(principal, side):
        return {404}
    if write is not None:
        return {"allowed"} if write.act(principal, side) else {"denied"}
    allowed = (route.get or route.see)(principal, side)
    return set(route.ok) if allowed else {403}


def _matches(outcome, wanted: set) -> bool:
    if "denied" in wanted:
        # Visible but not allowed: 403, or the 400/409 a service answers when it checks the body or the state
        # before the actor (nothing beyond the visible object is revealed); never a success, never 404.
        return outcome in (400, 403, 405, 409)
    if "allowed" in wanted:
        return outcome not in (403, 404, "login") and not (isinstance(outcome, int) and outcome >= 500)
    return outcome in wanted


def _ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row["id"] for row in rows}


GET_CASES = [
    pytest.param(route, side, id=f"GET {route.pattern} [{side}]")
    for route in ROUTES
    if not route.no_get
    for side in route.sides
]
WRITE_CASES = [
    pytest.param(route, side, write, id=f"{write.method.upper()} {route.pattern} [{side}]")
    for route in ROUTES
    for write in route.writes
    for side in route.sides
]


@pytest.mark.parametrize(("route", "side"), GET_CASES)
def test_get(world, route, side):
    url = route.url(world, side)
    wrong = []
    for principal in PRINCIPALS:
        client, headers = _client(world, principal, route.api)
        with transaction.atomic():
            response = client.get(url, **headers)
            transaction.set_rollback(True)
        outcome, wanted = _outcome(response), expected(route, principal, side)
        if not _matches(outcome, wanted):
            wrong.append(f"{principal}: got {outcome}, expected {sorted(map(str, wanted))}")
        elif outcome == 200 and route.list_of is not None:
            seen, oracle = _ids(response), route.list_of(world, principal)
            if seen != oracle:
                extra, missing = sorted(seen - oracle), sorted(oracle - seen)
                wrong.append(f"{principal}: list leak/miss: extra {extra}, missing {missing}")
    assert not wrong, f"GET {url}\n" + "\n".join(wrong)


@pytest.mark.parametrize(("route", "side", "write"), WRITE_CASES)
def test_write(world, route, side, write):
    url = route.url(world, side)
    body = write.body(world, side) if write.body else {}
    wrong = []
    for principal in PRINCIPALS:
        client, headers = _client(world, principal, route.api)
        send = getattr(client, write.method)
        with transaction.atomic():  # each principal acts on the world as built, never on another's changes
            if route.api:
                response = send(url, body, content_type="application/json", **headers)
            else:
                response = send(url, body, **headers)
            transaction.set_rollback(True)
        outcome, wanted = _outcome(response), expected(route, principal, side, write)
        if not _matches(outcome, wanted):
            wrong.append(f"{principal}: got {outcome}, expected {sorted(map(str, wanted))}")
    assert not wrong, f"{write.method.upper()} {url}\n" + "\n".join(wrong)


# --- writable references (RELIABILITY.md §2.5.1 "writable FK fields", §2.5.3 write-path IDOR) ------------------
def _refs(w: World) -> list[tuple[str, str, str, str, dict, Any]]:
    """(case, principal, method, url, body, rows) — the body names another factory's object (or another
    country's); everything else in it is valid, so only the scope check can refuse it. `rows` counts what a
    success would have created or changed."""
    from advisory.models import AdvisoryVisit, ImprovementPlanItem, ZeroToleranceCase
    from assessments.models import Assessment, PriorityNote
    from factories.models import (
        BuyerAuthorisation,
        Committee,
        CommitteeMeeting,
        CommitteeMember,
        Factory,
        FollowUpAction,
        OnsiteException,
    )
    from training.models import Enrolment, SeminarParticipation, TrainingPurchase, TrainingSession

    a, b, c, day = w.a, w.b, w.c, today()
    past, future = str(day - timedelta(days=2)), str(day + timedelta(days=30))
    return [
        ("item for B", "factory_a", "post", "/api/v1/improvement-plan-items/",
         {"factory": b.factory.pk, "cluster": "OSH", "text": "Ours."}, lambda: ImprovementPlanItem.objects.count()),
        ("committee for B", "factory_a", "post", "/api/v1/committees/", {"factory": b.factory.pk, "kind": "picc"},
         lambda: Committee.objects.count()),
        ("member of B's committee", "factory_a", "post", "/api/v1/committee-members/",
         {"committee": b.committee.pk, "name": "Intruder", "side": "worker"}, lambda: CommitteeMember.objects.count()),
        ("meeting of B's committee", "factory_a", "post", "/api/v1/committee-meetings/",
         {"committee": b.committee.pk, "held_on": past, "minutes": "Hijack."},
         lambda: CommitteeMeeting.objects.count()),
        ("action on B's meeting", "factory_a", "post", "/api/v1/follow-up-actions/",
         {"meeting": b.meeting.pk, "description": "Hijack."}, lambda: FollowUpAction.objects.count()),
        ("enrol B", "factory_a", "post", "/api/v1/enrollments/",
         {"session": w.session_kh.pk, "factory": b.factory.pk, "participants": 1}, lambda: Enrolment.objects.count()),
        ("enrol in VN's session", "factory_a", "post", "/api/v1/enrollments/",
         {"session": w.session_vn.pk, "factory": a.factory.pk, "participants": 1}, lambda: Enrolment.objects.count()),
        ("B joins a seminar", "factory_a", "post", "/api/v1/seminar-participations/",
         {"seminar": w.seminar_kh.pk, "factory": b.factory.pk, "participants": 1},
         lambda: SeminarParticipation.objects.count()),
        ("grant for B", "factory_a", "post", "/api/v1/authorizations/",
         {"factory": b.factory.pk, "buyer": w.buyer_none.pk}, lambda: BuyerAuthorisation.objects.count()),
        ("visit at C", "advisor_kh", "post", "/api/v1/visits/",
         {"factory": c.factory.pk, "date": past, "kind": "advisory", "modality": "virtual", "days": "1"},
         lambda: AdvisoryVisit.objects.count()),
        ("case at C", "advisor_kh", "post", "/api/v1/zero-tolerance-cases/",
         {"factory": c.factory.pk, "category": "violence", "description": "x"},
         lambda: ZeroToleranceCase.objects.count()),
        ("case at A citing C's visit", "advisor_kh", "post", "/api/v1/zero-tolerance-cases/",
         {"factory": a.factory.pk, "category": "violence", "description": "x", "visit": c.visit.pk},
         lambda: ZeroToleranceCase.objects.count()),
        ("exception at C", "manager_kh", "post", "/api/v1/onsite-exceptions/",
         {"factory": c.factory.pk, "valid_from": str(day), "valid_until": future, "reason": "x"},
         lambda: OnsiteException.objects.count()),
        ("purchase for C", "manager_kh", "post", "/api/v1/training-purchases/",
         {"factory": c.factory.pk, "participant_days": 2, "invoice_number": "X-1"},
         lambda: TrainingPurchase.objects.count()),
        ("session of VN's course", "manager_kh", "post", "/api/v1/training-sessions/",
         {"course": w.session_vn.course_id, "start_date": future, "capacity": 5},
         lambda: TrainingSession.objects.count()),
        ("assessment at C", "manager_kh", "post", "/api/v1/assessments/",
         {"factory": c.factory.pk, "planned_date": future, "modality": "virtual",
          "assessors": [w.users["assessor_out"].pk]}, lambda: Assessment.objects.count()),
        ("priority note at C", "manager_kh", "post", "/api/v1/assessments/priority-notes/",
         {"factory": c.factory.pk, "kind": "stakeholder", "points": 1, "reason": "x"},
         lambda: PriorityNote.objects.count()),
        ("VN advisor for A", "manager_kh", "patch", f"/api/v1/factories/{a.factory.pk}/",
         {"advisor": w.users["advisor_vn"].pk},
         lambda: Factory.objects.filter(advisor=w.users["advisor_vn"]).count()),
        ("B's user as A's advisor", "manager_kh", "patch", f"/api/v1/factories/{a.factory.pk}/",
         {"advisor": b.user.pk}, lambda: Factory.objects.filter(advisor=b.user).count()),
    ]  # fmt: skip


# case → the body field that names the foreign object: a 400 must be about that field, not another mistake.
REF_CASES = {
    "item for B": "factory", "committee for B": "factory", "member of B's committee": "committee",
    "meeting of B's committee": "committee", "action on B's meeting": "meeting", "enrol B": "factory",
    "enrol in VN's session": "session", "B joins a seminar": "factory", "grant for B": "factory",
    "visit at C": "factory", "case at C": "factory", "case at A citing C's visit": "visit",
    "exception at C": "factory", "purchase for C": "factory", "session of VN's course": "course",
    "assessment at C": "factory", "priority note at C": "factory", "VN advisor for A": "advisor",
    "B's user as A's advisor": "advisor",
}  # fmt: skip


@pytest.mark.parametrize("case", REF_CASES)
def test_cross_factory_reference_is_refused(world, case):
    """0 cross-factory writes: another factory's (or country's) id in a body → 400/403/404, nothing written."""
    _name, principal, method, url, body, rows = next(r for r in _refs(world) if r[0] == case)
    before = rows()
    client, headers = _client(world, principal, api=True)
    response = getattr(client, method)(url, body, content_type="application/json", **headers)
    assert response.status_code in (400, 403, 404), (response.status_code, response.content[:300])
    if response.status_code == 400:
        assert set(response.json()) == {REF_CASES[case]}, response.json()
    assert rows() == before


# --- R-ASM-3: the planned assessment's date never reaches a factory or buyer user --------------------------------
def _date_spellings(day) -> set[str]:
    from django.utils.formats import date_format

    return {day.isoformat(), date_format(day), date_format(day, "j F Y"), date_format(day, "N j, Y"),
            date_format(day, "SHORT_DATE_FORMAT"), day.strftime("%d/%m/%Y")}  # fmt: skip


SWEEP = [r for r in ROUTES if not r.no_get and "a" in r.sides and r.everyone is None]


@pytest.mark.parametrize("principal", ["factory_a", "buyer_a"])
def test_no_route_shows_the_planned_date_to_factory_or_buyer(world, principal):
    """Every GET route a factory or buyer user of A reaches: A's planned assessment date appears nowhere."""
    day = world.planned.schedule.planned_date
    spellings = _date_spellings(day)
    leaks = []
    for route in SWEEP:
        if not route.see(principal, "a"):
            continue
        url = route.url(world, "a")
        client, headers = _client(world, principal, route.api)
        with transaction.atomic():
            response = client.get(url, **headers)
            transaction.set_rollback(True)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        leaks += [f"{url}: {s}" for s in spellings if s in body]
    assert not leaks, leaks
