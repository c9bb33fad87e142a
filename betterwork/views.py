"""The home page of each role, and the health endpoint."""

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from betterwork.accounts.models import Role
from betterwork.celery import app as celery_app
from betterwork.common.models import Heartbeat
from factories import lifecycle_selectors
from factories import selectors as factory_selectors
from factories.models import Factory
from factories.views.buyers import AccessRequestForm


def _staff_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    return {
        "status_counts": factory_selectors.factory_status_counts(user=user),
        "awaiting_fv1": factory_selectors.factories_awaiting_first_visit(user=user)[:10],
        "initial_advisory": factory_selectors.cycles_in_initial_advisory(user=user, today=today)[:10],
        "awaiting_payment": factory_selectors.factory_list(user=user).filter(status=Factory.Status.AWAITING_PAYMENT)[
            :10
        ],
        "registrations_to_review": lifecycle_selectors.registrations_to_review(user=user)[:10],
        "overdue_invoices": lifecycle_selectors.overdue_invoices(user=user, today=today)[:10],
    }


def _factory_context(request: HttpRequest) -> dict[str, Any]:
    factory = factory_selectors.factory_list(user=request.user).get(pk=request.user.factory_id)
    cycle = factory.cycles.filter(pk=factory.current_cycle_id).first() if factory.current_cycle_id else None
    return {
        "factory": factory,
        "cycle": cycle,
        "cycle_day": cycle.day(timezone.localdate()) if cycle else None,
        "authorisations": factory_selectors.authorised_buyers(factory_id=factory.pk),
        "buyer_requests": list(factory_selectors.pending_sourcing_requests(factory_id=factory.pk)[:6]),
        "recent_reads": factory_selectors.factory_buyer_reads(factory_id=factory.pk)[:5],
    }


def _buyer_context(request: HttpRequest) -> dict[str, Any]:
    """The factories that authorise the buyer (grants of the last 30 days marked new) and a form to ask for more."""

    factories = factory_selectors.buyer_authorised_factories(user=request.user, now=timezone.now())
    return {
        "factories": factories[:50],
        "factory_count": factories.count(),
        "new_grant_days": factory_selectors.NEW_GRANT_DAYS,
        "access_form": AccessRequestForm(),
    }


_HOME_CONTEXT = {
    Role.GLOBAL_ADMIN: _staff_context,
    Role.PROGRAMME_MANAGER: _staff_context,
    Role.ADVISOR: _staff_context,
    Role.ASSESSOR: _staff_context,
    Role.FACTORY: _factory_context,
    Role.BUYER: _buyer_context,
}


def home(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in user's attention; a welcome page for the public."""
    if not request.user.is_authenticated:
        return render(request, "home/public.html")
    role = request.user.effective_role
    context = {"role": role, **_HOME_CONTEXT[role](request)}
    return render(request, f"home/{'staff' if request.user.is_programme_staff else role}.html", context)


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # a health check reports every failure instead of raising it
        return f"error: {type(exc).__name__}"
    return "ok"


def _probe_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _probe_cache() -> None:
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not keep a value")


def _probe_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker: 200 when all answer, 503 otherwise. The worker's last heartbeat is
    reported (not judged) so that one late worker does not take the web containers out of rotation."""
    checks = {"database": _check(_probe_database), "cache": _check(_probe_cache), "broker": _check(_probe_broker)}
    beat = (
        Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
        if checks["database"] == "ok"
        else None
    )
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "error",
        **checks,
        "worker_last_heartbeat": beat.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if healthy else 503)
