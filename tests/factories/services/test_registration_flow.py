"""Registration to payment through the services (R-REG-1): the rules, without HTTP."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory, Registration
from factories.services.lifecycle import factory_record_payment
from factories.services.registration import (
    likely_duplicates,
    registration_approve,
    registration_reject,
    registration_submit,
)
from tests.builders import FactoryBuilder, staff

pytestmark = pytest.mark.django_db

FORM = {
    "factory_name": "Lotus Stitch (Cambodia) Co., Ltd.",
    "country": None,
    "sector": "apparel",
    "address": "Street 271, Phnom Penh",
    "workers": 1200,
    "women_percent": 81.5,
    "contact_name": "Sophea Chan",
    "contact_email": "sophea@lotus.example",
}


def _submit(**changes):
    from factories.models import Country

    return registration_submit(data={**FORM, "country": Country.objects.get(code="KH"), **changes})


def test_approval_creates_the_factory_its_invoice_and_an_account_then_payment_activates_it(
    django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    manager = staff("programme_manager", "KH")
    registration = _submit()

    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration_id=registration.pk, actor=manager)

    registration.refresh_from_db()
    factory = registration.factory
    invoice = factory.invoices.get()
    assert (registration.status, factory.status) == ("approved", "awaiting_payment")
    assert invoice.cycle_number == 1
    assert invoice.number.startswith(f"KH-{invoice.issued_on.year}-")
    assert factory.users.get().email == "sophea@lotus.example"
    assert any("Choose your password" in m.body for m in mail.outbox)

    factory_record_payment(factory_id=factory.pk, actor=manager, paid_on=timezone.localdate())

    factory.refresh_from_db()
    assert factory.status == Factory.Status.ACTIVE
    assert list(factory.history.values_list("status", flat=True)) == ["active", "awaiting_payment"]


def test_only_the_countrys_manager_approves_and_never_twice():
    registration = _submit()
    for outsider in (staff("programme_manager", "VN"), staff("advisor", "KH")):
        with pytest.raises(NotPermitted):
            registration_approve(registration_id=registration.pk, actor=outsider)
    manager = staff("programme_manager", "KH")
    registration_approve(registration_id=registration.pk, actor=manager)
    with pytest.raises(ApplicationError, match="already"):
        registration_approve(registration_id=registration.pk, actor=manager)
    assert Factory.objects.count() == 1


def test_a_payment_before_the_invoice_is_refused_and_changes_nothing():
    manager = staff("programme_manager", "KH")
    registration = registration_approve(registration_id=_submit().pk, actor=manager)
    with pytest.raises(ApplicationError) as error:
        factory_record_payment(
            factory_id=registration.factory_id, actor=manager, paid_on=timezone.localdate() - timedelta(days=3)
        )
    assert error.value.field == "paid_on"
    assert Factory.objects.get().status == "awaiting_payment"


def test_likely_duplicates_are_flagged_by_name_in_the_same_country():
    FactoryBuilder(name="LOTUS STITCH (CAMBODIA) CO. LTD")
    FactoryBuilder(name="Lotus Stitch Vietnam", country_id="VN")
    registration = _submit()
    assert [d.name for d in likely_duplicates(registration)] == ["LOTUS STITCH (CAMBODIA) CO. LTD"]


def test_a_rejection_needs_a_reason():
    registration = _submit()
    with pytest.raises(ApplicationError) as error:
        registration_reject(registration_id=registration.pk, actor=staff("programme_manager", "KH"), reason="  ")
    assert error.value.field == "reason"
    assert Registration.objects.get().status == "submitted"
