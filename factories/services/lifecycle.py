"""A factory's life in the programme: invoices, payment, suspension, exit, and its profile (R-REG-1/3)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError
from factories.models import Country, Factory, Invoice, ServiceCycle
from factories.names import normalize_name
from factories.services.common import require, require_sector_offered, save_with_history
from factories.services.cycles import cycles_replan_open

INVOICE_DUE_DAYS = 30
S = Factory.Status

# Who may move a factory where, and what moves it (only these services write `status`).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_PAYMENT: frozenset({S.ACTIVE, S.EXITED}),  # first payment; never started
    S.ACTIVE: frozenset({S.SUSPENDED, S.EXITED}),  # unpaid renewal; leaves
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXITED}),  # renewal paid; leaves
    S.EXITED: frozenset(),
}


def _move(factory: Factory, target: str, *, actor: Any, reason: str) -> None:
    if factory.status == target:
        return
    if target not in TRANSITIONS[factory.status]:
        raise ApplicationError(
            _("A factory that is “%(status)s” cannot become “%(target)s”.")
            % {"status": factory.get_status_display(), "target": S(target).label}
        )
    factory.status = target
    save_with_history(factory, actor=actor, reason=reason, fields=["status", "exit_reason", "updated_at"])


def _next_invoice_number(country: Country, year: int) -> str:
    """KH-2026-00042: per country and year. The caller holds the country row lock, so numbers never clash."""
    prefix = f"{country.code}-{year}-"
    last = (
        Invoice.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:05d}"


def invoice_issue(
    *, factory: Factory, actor: Any, issued_on: date | None = None, amount: Decimal | None = None
) -> Invoice:
    """The invoice for the factory's next cycle. Refused while an earlier invoice is unpaid."""
    require(actor, "manage", factory)
    with transaction.atomic():
        country = Country.objects.select_for_update().get(pk=factory.country_id)
        unpaid = factory.invoices.filter(paid_on__isnull=True).first()
        if unpaid is not None:
            raise ApplicationError(
                _("Invoice %(number)s is still unpaid: record its payment before issuing another.")
                % {"number": unpaid.number}
            )
        if factory.status == S.EXITED:
            raise ApplicationError(_("This factory has left the programme: it receives no more invoices."))
        issued_on = issued_on or timezone.localdate()
        last_cycle = factory.invoices.aggregate(n=Max("cycle_number"))["n"] or 0
        invoice = Invoice(
            factory=factory,
            cycle_number=last_cycle + 1,
            number=_next_invoice_number(country, issued_on.year),
            amount=amount if amount is not None else country.annual_fee,
            currency=country.currency,
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=INVOICE_DUE_DAYS),
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        invoice.full_clean()
        invoice._history_user = invoice.issued_by
        invoice.save()
    return invoice


def factory_record_payment(*, factory_id: int, actor: Any, paid_on: date, reference: str = "") -> Invoice:
    """Pay the factory's open invoice (or, when none is open, issue the next cycle's and pay it): services
    start (awaiting payment → active) or resume (suspended → active)."""
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        require(actor, "manage", factory)
        if paid_on > timezone.localdate():
            raise ApplicationError(_("A payment cannot be dated in the future."), field="paid_on")
        invoice = factory.invoices.filter(paid_on__isnull=True).order_by("cycle_number").first()
        if invoice is None:
            invoice = invoice_issue(factory=factory, actor=actor, issued_on=paid_on)
        if paid_on < invoice.issued_on:
            raise ApplicationError(
                _("The payment date %(paid)s is before invoice %(number)s was issued (%(issued)s).")
                % {"paid": paid_on, "number": invoice.number, "issued": invoice.issued_on},
                field="paid_on",
            )
        invoice.paid_on, invoice.payment_reference = paid_on, reference
        invoice.paid_recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        save_with_history(invoice, actor=actor, reason="payment recorded")
        _move(factory, S.ACTIVE, actor=actor, reason=f"invoice {invoice.number} paid")
    return invoice


def factory_suspend(*, factory_id: int, actor: Any, reason: str) -> Factory:
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        require(actor, "manage", factory)
        _move(factory, S.SUSPENDED, actor=actor, reason=reason or "suspended")
    return factory


def factory_exit(*, factory_id: int, actor: Any, reason: str) -> Factory:
    """The factory leaves the programme: services stop and its open cycle closes."""
    if not reason.strip():
        raise ApplicationError(_("Say why the factory leaves the programme."), field="reason")
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        require(actor, "manage", factory)
        factory.exit_reason = reason.strip()
        _move(factory, S.EXITED, actor=actor, reason="exited")
        ServiceCycle.objects.filter(factory=factory, status=ServiceCycle.Status.OPEN).update(
            status=ServiceCycle.Status.CLOSED
        )
    return factory


def renewals_suspend_overdue(*, today: date) -> list[int]:
    """R-REG-3: an unpaid renewal suspends services once it is past due. Idempotent (only active factories move)."""
    overdue = Factory.objects.filter(
        status=S.ACTIVE, invoices__paid_on__isnull=True, invoices__cycle_number__gte=2, invoices__due_on__lt=today
    ).values_list("pk", flat=True)
    suspended = []
    for factory_id in overdue:
        with transaction.atomic():
            factory = Factory.objects.select_for_update().get(pk=factory_id)
            if factory.status == S.ACTIVE:
                _move(factory, S.SUSPENDED, actor=None, reason="renewal invoice unpaid past its due date")
                suspended.append(factory_id)
    return suspended


# What each kind of user may change in a factory's profile. Status moves only through the services above.
_FACTORY_USER_FIELDS = frozenset(
    {"address", "workers", "women_percent", "contact_name", "contact_email", "contact_phone", "production_status"}
)
_STAFF_FIELDS = _FACTORY_USER_FIELDS | {"name", "sector", "os_id"}
_MANAGER_FIELDS = _STAFF_FIELDS | {"advisor"}


def editable_fields(*, actor: User) -> frozenset[str]:
    role = actor.effective_role
    if role in (Role.GLOBAL_ADMIN, Role.PROGRAMME_MANAGER):
        return _MANAGER_FIELDS
    if role == Role.ADVISOR:
        return _STAFF_FIELDS
    if role == Role.FACTORY:
        return _FACTORY_USER_FIELDS
    return frozenset()


def factory_update(*, factory_id: int, actor: User, **changes: Any) -> Factory:
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        require(actor, "change", factory)
        refused = sorted(set(changes) - editable_fields(actor=actor))
        if refused:
            raise ApplicationError(
                _("You may not change: %(fields)s.") % {"fields": ", ".join(refused)}, {"fields": refused}
            )
        advisor = changes.get("advisor")
        if advisor is not None and (advisor.effective_role != Role.ADVISOR or advisor.country_id != factory.country_id):
            raise ApplicationError(
                _("The enterprise advisor must be an advisor of %(country)s.") % {"country": factory.country},
                field="advisor",
            )
        production_before = factory.production_status
        for field, value in changes.items():
            setattr(factory, field, value)
        if "name" in changes:
            factory.normalized_name = normalize_name(factory.name)
            if Factory.objects.filter(country_id=factory.country_id, name=factory.name).exclude(pk=factory.pk).exists():
                raise ApplicationError(
                    _("Another factory of the %(country)s programme has this name.") % {"country": factory.country},
                    field="name",
                )
        factory.full_clean(exclude=["advisor"] if "advisor" not in changes else None)
        if "sector" in changes:
            require_sector_offered(factory.country, factory.sector)
        production_changed = factory.production_status != production_before
        save_with_history(factory, actor=actor, reason="profile updated")
        if production_changed:  # suspended production means phase 1: no assessment this cycle (R-CTY-2)
            cycles_replan_open(factory_ids=[factory.pk], actor=actor, reason="production status changed")
    return factory


def factory_set_stage(*, factory_id: int, actor: Any, stage: int, reason: str) -> Factory:
    """R-DIF-3: a stage change (from differentiation) replans the open cycle: stage 2 factories are assessed
    every other cycle. The country's programme manager or a global admin decides it, with a reason."""
    if stage not in Factory.Stage.values:
        raise ApplicationError(_("The stage is 1 or 2."), field="stage")
    if not reason.strip():
        raise ApplicationError(_("Say why the stage changes."), field="reason")
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        require(actor, "manage", factory)
        if factory.stage != stage:
            factory.stage = stage
            save_with_history(factory, actor=actor, reason=reason.strip(), fields=["stage", "updated_at"])
            cycles_replan_open(factory_ids=[factory.pk], actor=actor, reason=f"stage {stage}: {reason.strip()}")
    return factory
