"""Reads for registration review, invoices and a factory's status history (issue 3), for pages and the API.

Every selector starts from `policy.visible` and costs a fixed number of queries however many rows it returns.
"""

from datetime import date
from typing import Any

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import visible
from factories.models import Factory, Invoice, Registration

PENDING = (Registration.Status.SUBMITTED, Registration.Status.CHANGES_REQUESTED)


def registration_list(*, user: Any) -> QuerySet[Registration]:
    """Registrations the user may review or read, pending first (then newest), each annotated with
    `likely_duplicate`: a pending registration whose normalised name is already a factory's in its country, or
    another pending registration's. Two EXISTS subqueries on indexed columns: the fuzzy comparison
    (`services.registration.likely_duplicates`) runs on one registration's page only."""
    namesake_factory = Factory.objects.filter(
        country_id=OuterRef("country_id"), normalized_name=OuterRef("normalized_name")
    )
    namesake_registration = (
        Registration.objects.pending()
        .filter(country_id=OuterRef("country_id"), normalized_name=OuterRef("normalized_name"))
        .exclude(pk=OuterRef("pk"))
    )
    return (
        visible(user, Registration)
        .select_related("country", "reviewed_by")
        .annotate(
            namesake_factory=Exists(namesake_factory),
            namesake_registration=Exists(namesake_registration),
        )
        .annotate(
            likely_duplicate=Case(
                When(
                    Q(status__in=PENDING)
                    & ~Q(normalized_name="")
                    & (Q(namesake_factory=True) | Q(namesake_registration=True)),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            pending_rank=Case(When(status__in=PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("pending_rank", "-created_at", "-id")
    )


def registrations_to_review(*, user: Any) -> QuerySet[Registration]:
    """Pending registrations, oldest first (the one waiting longest comes first)."""
    return registration_list(user=user).filter(status__in=PENDING).order_by("created_at", "id")


def registration_history(*, registration: Registration) -> QuerySet:
    return registration.history.select_related("history_user").order_by("-history_date", "-history_id")


def with_overdue(queryset: QuerySet[Invoice], *, today: date) -> QuerySet[Invoice]:
    """Annotate `is_overdue`: unpaid after its due date (computed from dates, never stored)."""
    return queryset.annotate(
        is_overdue=Case(
            When(paid_on__isnull=True, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def invoices_hidden_from(user: Any) -> bool:
    """True when the user may see no invoice at all (buyers, anonymous): their pages and endpoints answer 404.
    Decided by the invoices' own `visible_to`, which answers `none()` for such users (no query runs)."""
    return visible(user, Invoice).query.is_empty()


def factory_invoices(*, user: Any, factory_id: int, today: date) -> QuerySet[Invoice]:
    """One factory's invoices that the user may see, newest cycle first, with `is_overdue`."""
    invoices = visible(user, Invoice).filter(factory_id=factory_id).select_related("issued_by", "paid_recorded_by")
    return with_overdue(invoices, today=today).order_by("-cycle_number")


def overdue_invoices(*, user: Any, today: date) -> QuerySet[Invoice]:
    """Unpaid invoices past their due date in the user's scope, oldest due first."""
    return (
        visible(user, Invoice)
        .filter(paid_on__isnull=True, due_on__lt=today)
        .select_related("factory__country")
        .order_by("due_on", "pk")
    )


def factory_status_history(*, factory: Factory) -> list:
    """The factory's history records where its status changed (the first record included), newest first, each
    with who (`history_user`), when (`history_date`) and why (`history_change_reason`)."""
    records = list(factory.history.select_related("history_user").order_by("history_date", "history_id"))
    changes, previous = [], None
    for record in records:
        if record.status != previous:
            changes.append(record)
            previous = record.status
    return changes[::-1]


def advisors_for(*, user: Any, country_id: str | None = None) -> QuerySet[User]:
    """Advisors the user may pick from (assignment, filters): of `country_id` when given, else of the user's
    country (all countries for a global admin); nobody for factory and buyer users."""
    advisors = User.objects.filter(role=Role.ADVISOR, is_active=True).order_by("first_name", "last_name", "username")
    if not (user and user.is_authenticated and user.is_programme_staff):
        return advisors.none()
    if country_id is not None:
        return advisors.filter(country_id=country_id)
    return advisors if user.is_global_admin else advisors.filter(country_id=user.country_id)
