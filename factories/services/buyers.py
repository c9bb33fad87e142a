"""Buyers, sourcing links, the factory's authorisations (R-ACC-1) and the log of buyers' reads (R-ACC-2)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import may
from betterwork.common.email import send_templated_email
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Buyer, BuyerAuthorisation, BuyerRead, Factory, SourcingLink
from factories.names import normalize_name
from factories.services.common import require, save_with_history


def buyer_create(*, name: str, actor: User) -> Buyer:
    if not may(actor, "add", model=Buyer):
        raise NotPermitted(_("Only programme staff register buyer organisations."))
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the buyer's name."), field="name")
    if Buyer.objects.filter(name__iexact=name).exists():
        raise ApplicationError(_("A buyer called “%(name)s” already exists.") % {"name": name}, field="name")
    buyer = Buyer(name=name)
    buyer.full_clean()
    buyer.save()
    return buyer


def authorisation_grant(*, factory: Factory, buyer: Buyer, actor: User) -> BuyerAuthorisation:
    """The factory lets the buyer read its reports, from now on (R-ACC-1)."""
    require(actor, "authorise_buyers", factory)
    with transaction.atomic():
        Factory.objects.select_for_update().get(pk=factory.pk)  # grants of one factory queue here
        current = BuyerAuthorisation.objects.active().filter(factory=factory, buyer=buyer).first()
        if current is not None:
            raise ApplicationError(
                _("%(buyer)s can already see your reports (since %(since)s).")
                % {"buyer": buyer.name, "since": timezone.localdate(current.granted_at)},
                field="buyer",
            )
        grant = BuyerAuthorisation(factory=factory, buyer=buyer, granted_at=timezone.now(), granted_by=actor)
        grant._history_user, grant._change_reason = actor, "granted"
        try:
            with transaction.atomic():
                grant.save()
        except IntegrityError as exc:  # a concurrent grant of the same pair won
            raise ApplicationError(
                _("%(buyer)s can already see your reports.") % {"buyer": buyer.name}, field="buyer"
            ) from exc
        SourcingLink.objects.get_or_create(
            buyer=buyer, factory=factory, defaults={"source": SourcingLink.Source.FACTORY, "created_by": actor}
        )
        recipients = list(
            User.objects.filter(role=Role.BUYER, buyer=buyer, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            send_templated_email(
                to=recipients, name="authorisation_granted", context={"factory": factory.name, "factory_id": factory.pk}
            )
    return grant


def authorisation_revoke(*, authorisation_id: int, actor: User) -> BuyerAuthorisation:
    """Stops the buyer's access at once. Revoking a revoked grant changes nothing."""
    with transaction.atomic():
        grant = (
            BuyerAuthorisation.objects.select_for_update(of=("self",))
            .select_related("factory")
            .get(pk=authorisation_id)
        )
        require(actor, "authorise_buyers", grant.factory)
        if grant.revoked_at is None:
            grant.revoked_at, grant.revoked_by = timezone.now(), actor
            save_with_history(grant, actor=actor, reason="revoked")
    return grant


def sourcing_link_request(*, actor: User, os_id: str = "", factory_name: str = "", country: str = "") -> None:
    """A buyer says it sources from a factory. The answer never says whether a factory matched (no oracle):
    a matching factory sees the request and decides whether to authorise."""
    if actor.effective_role != Role.BUYER:
        raise NotPermitted(_("Only buyer users ask factories for access."))
    if not os_id.strip() and not (factory_name.strip() and country):
        raise ApplicationError(_("Give the factory's Open Supply Hub ID, or its legal name and country."))
    factories = Factory.objects.exclude(status=Factory.Status.EXITED)
    if os_id.strip():
        factories = factories.filter(os_id__iexact=os_id.strip())
    else:
        # A name made only of legal-form words normalises to "": compare it as written, never match "" to "".
        normalized = normalize_name(factory_name)
        factories = factories.filter(country_id=country)
        factories = (
            factories.filter(normalized_name=normalized)
            if normalized
            else factories.filter(name__iexact=" ".join(factory_name.split()))
        )
    for factory in factories[:5]:
        SourcingLink.objects.get_or_create(
            buyer_id=actor.buyer_id,
            factory=factory,
            defaults={"source": SourcingLink.Source.BUYER, "created_by": actor},
        )


def buyer_read_record(*, user: Any, factory: Factory, kind: str, object_id: int | None = None, channel: str) -> None:
    """Log a buyer user's read (R-ACC-2). Reads by anyone else are not buyer reads and are not logged here."""
    if getattr(user, "effective_role", None) == Role.BUYER:
        BuyerRead.objects.create(
            factory=factory, buyer_id=user.buyer_id, user=user, kind=kind, object_id=object_id, channel=channel
        )
