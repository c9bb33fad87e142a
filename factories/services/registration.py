"""Registration (R-REG-1): anyone submits; the country's programme manager approves (a factory, its
first invoice and an account for the contact), rejects with a reason, or asks for changes (the
contact gets a signed link to edit and resubmit)."""

from typing import Any

from allauth.account.forms import default_token_generator  # allauth's: Django's own token is refused there
from allauth.account.utils import user_pk_to_url_str
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from betterwork.accounts.models import Role, User
from betterwork.common.email import send_templated_email
from betterwork.common.exceptions import ApplicationError
from factories.models import Buyer, Factory, Registration, SourcingLink
from factories.names import is_likely_duplicate, normalize_name
from factories.services.common import require, require_sector_offered, save_with_history
from factories.services.lifecycle import invoice_issue

EDIT_LINK_SALT = "factories.registration.edit"
EDIT_LINK_MAX_AGE = 60 * 60 * 24 * 30  # a month to make the changes
FIELDS = (
    "factory_name", "country", "sector", "address", "workers", "women_percent", "contact_name", "contact_email",
    "contact_phone", "buyers", "os_id",
)  # fmt: skip
S = Registration.Status


def registration_submit(*, data: dict[str, Any], language: str = "en") -> Registration:
    registration = Registration(**{k: v for k, v in data.items() if k in FIELDS}, language=language)
    registration.normalized_name = normalize_name(registration.factory_name)
    registration.full_clean()
    require_sector_offered(registration.country, registration.sector)
    registration.save()
    _notify_received(registration)
    return registration


def registration_edit_token(registration: Registration) -> str:
    return signing.dumps({"registration": registration.pk}, salt=EDIT_LINK_SALT)


def registration_from_edit_token(token: str) -> Registration:
    """The registration a signed link may edit; ApplicationError when the link is wrong, old or spent."""
    try:
        payload = signing.loads(token, salt=EDIT_LINK_SALT, max_age=EDIT_LINK_MAX_AGE)
        registration = Registration.objects.get(pk=payload["registration"])
    except (signing.BadSignature, Registration.DoesNotExist, KeyError, TypeError) as exc:
        raise ApplicationError(_("This link is not valid or has expired. Please register again.")) from exc
    if registration.status != S.CHANGES_REQUESTED:
        raise ApplicationError(_("This registration is no longer waiting for changes."))
    return registration


def registration_resubmit(*, token: str, data: dict[str, Any]) -> Registration:
    with transaction.atomic():
        registration = registration_from_edit_token(token)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        for field in FIELDS:
            if field in data:
                setattr(registration, field, data[field])
        registration.normalized_name = normalize_name(registration.factory_name)
        registration.status = S.SUBMITTED
        registration.full_clean()
        require_sector_offered(registration.country, registration.sector)
        save_with_history(registration, actor=None, reason="resubmitted with changes")
    _notify_received(registration)
    return registration


def likely_duplicates(registration: Registration) -> list[Factory | Registration]:
    """Factories and other open registrations in the same country with the same or a similar name."""
    factories = Factory.objects.filter(country_id=registration.country_id).only("id", "name", "status")
    others = (
        Registration.objects.pending()
        .filter(country_id=registration.country_id)
        .exclude(pk=registration.pk)
        .only("id", "factory_name", "status", "created_at")
    )
    return [f for f in factories if is_likely_duplicate(f.name, registration.factory_name)] + [
        r for r in others if is_likely_duplicate(r.factory_name, registration.factory_name)
    ]


def _locked_for_review(registration_id: int, actor: Any, target: str) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    require(actor, "review", registration)
    if target not in Registration.TRANSITIONS[registration.status]:
        raise ApplicationError(
            _("This registration is already “%(status)s”: it cannot be %(action)s.")
            % {"status": registration.get_status_display(), "action": S(target).label.lower()}
        )
    return registration


def _review(registration: Registration, actor: Any, status: str, note: str = "") -> None:
    registration.status, registration.review_note = status, note
    registration.reviewed_at, registration.reviewed_by = timezone.now(), actor
    save_with_history(registration, actor=actor, reason=status)


def registration_approve(*, registration_id: int, actor: User, amount: Any = None) -> Registration:
    with transaction.atomic():
        registration = _locked_for_review(registration_id, actor, S.APPROVED)
        if Factory.objects.filter(country_id=registration.country_id, name=registration.factory_name).exists():
            raise ApplicationError(
                _(
                    "A factory named “%(name)s” is already in the %(country)s programme: reject this registration "
                    "as a duplicate, or ask for changes if it is another factory."
                )
                % {"name": registration.factory_name, "country": registration.country.name}
            )
        factory = Factory(
            name=registration.factory_name,
            country_id=registration.country_id,
            sector=registration.sector,
            address=registration.address,
            workers=registration.workers,
            women_percent=registration.women_percent,
            contact_name=registration.contact_name,
            contact_email=registration.contact_email,
            contact_phone=registration.contact_phone,
            os_id=registration.os_id,
            normalized_name=registration.normalized_name,
            status=Factory.Status.AWAITING_PAYMENT,
        )
        factory.full_clean()
        factory._history_user, factory._change_reason = actor, "registration approved"
        factory.save()
        registration.factory = factory
        _review(registration, actor, S.APPROVED)
        invoice = invoice_issue(factory=factory, actor=actor, amount=amount)
        user = _contact_account(registration, factory)
        for buyer in Buyer.objects.filter(name__in=registration.buyers):
            SourcingLink.objects.get_or_create(
                buyer=buyer, factory=factory, defaults={"source": SourcingLink.Source.REGISTRATION}
            )
        set_password = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        send_templated_email(
            to=[registration.contact_email],
            name="registration_approved",
            language=registration.language,
            context={
                "factory": factory.name,
                "username": user.username,
                "set_password_path": set_password,
                "invoice": invoice.number,
                "amount": f"{invoice.amount} {invoice.currency}",
                "due_on": invoice.due_on.isoformat(),
            },
        )
    return registration


def _contact_account(registration: Registration, factory: Factory) -> User:
    """The factory user for the registration's contact, with no password until they set one by email."""
    base = registration.contact_email.lower()
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(
        username=username,
        email=registration.contact_email,
        first_name=registration.contact_name[:150],
        role=Role.FACTORY,
        factory=factory,
        language=registration.language,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def registration_reject(*, registration_id: int, actor: User, reason: str) -> Registration:
    if not reason.strip():
        raise ApplicationError(_("Give the factory a reason for the rejection."), field="reason")
    with transaction.atomic():
        registration = _locked_for_review(registration_id, actor, S.REJECTED)
        _review(registration, actor, S.REJECTED, reason.strip())
        send_templated_email(
            to=[registration.contact_email],
            name="registration_rejected",
            language=registration.language,
            context={"factory": registration.factory_name, "reason": registration.review_note},
        )
    return registration


def registration_request_changes(*, registration_id: int, actor: User, message: str) -> Registration:
    if not message.strip():
        raise ApplicationError(_("Say what the factory should change."), field="message")
    with transaction.atomic():
        registration = _locked_for_review(registration_id, actor, S.CHANGES_REQUESTED)
        _review(registration, actor, S.CHANGES_REQUESTED, message.strip())
        send_templated_email(
            to=[registration.contact_email],
            name="registration_changes_requested",
            language=registration.language,
            context={
                "factory": registration.factory_name,
                "message": registration.review_note,
                "edit_path": reverse("factories:registration-edit", args=[registration_edit_token(registration)]),
            },
        )
    return registration


def _notify_received(registration: Registration) -> None:
    send_templated_email(
        to=[registration.contact_email],
        name="registration_received",
        language=registration.language,
        context={"factory": registration.factory_name, "country": registration.country.name},
    )
    managers = User.objects.filter(
        role=Role.PROGRAMME_MANAGER, country_id=registration.country_id, is_active=True
    ).exclude(email="")
    if managers:
        send_templated_email(
            to=[m.email for m in managers],
            name="registration_to_review",
            context={
                "factory": registration.factory_name,
                "country": registration.country.name,
                "review_path": reverse("factories:registration-detail", args=[registration.pk]),
            },
        )
