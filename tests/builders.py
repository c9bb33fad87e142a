"""Test-data builders (factory_boy). "Factory" means a garment factory here: builders are never called factories."""

import time
from datetime import timedelta

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.utils import timezone
from factory import LazyAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory

from betterwork.accounts.models import Role, User
from factories.models import Buyer, BuyerAuthorisation, Country, Factory, ServiceCycle

PASSWORD = "correct horse battery staple"


def country(code: str = "KH") -> Country:
    """Countries are reference data loaded by migrate; builders look them up."""
    return Country.objects.get(code=code)


class FactoryBuilder(DjangoModelFactory):
    class Meta:
        model = Factory

    name = Sequence(lambda n: f"Garment Factory {n}")
    country = LazyAttribute(lambda o: country("KH"))
    workers = 850
    women_percent = 78.5
    status = Factory.Status.ACTIVE


class BuyerBuilder(DjangoModelFactory):
    class Meta:
        model = Buyer

    name = Sequence(lambda n: f"Brand {n}")


class BuyerAuthorisationBuilder(DjangoModelFactory):
    class Meta:
        model = BuyerAuthorisation

    factory = SubFactory(FactoryBuilder)
    buyer = SubFactory(BuyerBuilder)
    granted_at = LazyAttribute(lambda o: timezone.now())


class ServiceCycleBuilder(DjangoModelFactory):
    class Meta:
        model = ServiceCycle

    factory = SubFactory(FactoryBuilder)
    number = 1
    start_date = LazyAttribute(lambda o: timezone.localdate() - timedelta(days=30))
    end_date = LazyAttribute(lambda o: o.start_date + timedelta(days=365))


class UserBuilder(DjangoModelFactory):
    """A user with a role; pass `country=`, `factory=` or `buyer=` as the role needs (the database checks it)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    email = LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.ADVISOR
    country = LazyAttribute(lambda o: country("KH") if o.role in ("programme_manager", "advisor", "assessor") else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user


def staff(role: str = Role.ADVISOR, code: str = "KH", **kwargs) -> User:
    return UserBuilder(role=role, country=country(code), **kwargs)


def factory_user(factory: Factory, **kwargs) -> User:
    return UserBuilder(role=Role.FACTORY, country=None, factory=factory, **kwargs)


def buyer_user(buyer: Buyer, **kwargs) -> User:
    return UserBuilder(role=Role.BUYER, country=None, buyer=buyer, **kwargs)


def global_admin(**kwargs) -> User:
    return UserBuilder(role=Role.GLOBAL_ADMIN, country=None, **kwargs)


def superuser(**kwargs) -> User:
    """A Django superuser with no role: acts as a global admin."""
    return UserBuilder(role="", country=None, is_superuser=True, is_staff=True, **kwargs)


def with_totp(user: User) -> str:
    """Give `user` a TOTP authenticator (staff need one to use the pages); returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def client_for(user: User) -> Client:
    """A test client signed in as `user` (programme staff get their two-factor device first)."""
    if user.is_programme_staff:
        with_totp(user)
    client = Client()
    client.force_login(user)
    return client


def totp_code(secret: str, *, steps: int = 0) -> str:
    """The TOTP code for now (`steps` periods away: -1 the previous code, 5 one far outside the tolerance)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps
    return format_hotp_value(hotp_value(secret, counter))


# --- buyers area (issue 3) ---------------------------------------------------------------------------


class SourcingLinkBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.SourcingLink"

    buyer = SubFactory(BuyerBuilder)
    factory = SubFactory(FactoryBuilder)
    source = "buyer"


class BuyerReadBuilder(DjangoModelFactory):
    """A logged read by `user=` (a buyer user, required); its buyer is the user's organisation."""

    class Meta:
        model = "factories.BuyerRead"

    factory = SubFactory(FactoryBuilder)
    buyer = LazyAttribute(lambda o: o.user.buyer)
    kind = "factory_profile"
    channel = "web"


# --- the worker-management committee (R-ADV-6) ---


class CommitteeBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.Committee"

    factory = SubFactory(FactoryBuilder)
    kind = "picc"
    formed_on = LazyAttribute(lambda o: timezone.localdate() - timedelta(days=200))
    formation = "election"
    election_date = LazyAttribute(lambda o: o.formed_on)


class CommitteeMemberBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.CommitteeMember"

    committee = SubFactory(CommitteeBuilder)
    name = Sequence(lambda n: f"Member {n}")
    side = "worker"


class CommitteeMeetingBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.CommitteeMeeting"

    committee = SubFactory(CommitteeBuilder)
    held_on = LazyAttribute(lambda o: timezone.localdate() - timedelta(days=10))
    minutes = "Discussed overtime planning and the canteen."


class MeetingOutcomeBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.MeetingOutcome"

    meeting = SubFactory(CommitteeMeetingBuilder)
    text = Sequence(lambda n: f"Outcome {n}")


class FollowUpActionBuilder(DjangoModelFactory):
    class Meta:
        model = "factories.FollowUpAction"

    meeting = SubFactory(CommitteeMeetingBuilder)
    description = Sequence(lambda n: f"Follow-up {n}")
    status = "open"
    done_on = LazyAttribute(lambda o: timezone.localdate() if o.status == "done" else None)


# --- registration and invoices (issue 3) ----------------------------------------------------------------------


def _normalized_factory_name(o) -> str:
    from factories.names import normalize_name

    return normalize_name(o.factory_name)


class RegistrationBuilder(DjangoModelFactory):
    """A submitted registration (as `registration_submit` leaves it, without the emails)."""

    class Meta:
        model = "factories.Registration"

    factory_name = Sequence(lambda n: f"Registered Garments {n}")
    country = LazyAttribute(lambda o: country("KH"))
    sector = "apparel"
    address = "Street 271, Phnom Penh"
    workers = 600
    women_percent = 80
    contact_name = "Sophea Chan"
    contact_email = Sequence(lambda n: f"contact{n}@factory.example")
    normalized_name = LazyAttribute(_normalized_factory_name)


class InvoiceBuilder(DjangoModelFactory):
    """An unpaid invoice issued ten days ago, due in twenty days."""

    class Meta:
        model = "factories.Invoice"

    factory = SubFactory(FactoryBuilder)
    cycle_number = 1
    number = Sequence(lambda n: f"TEST-{n:06d}")
    amount = "5000.00"
    currency = "USD"
    issued_on = LazyAttribute(lambda o: timezone.localdate() - timedelta(days=10))
    due_on = LazyAttribute(lambda o: o.issued_on + timedelta(days=30))


def png_bytes(colour: tuple[int, int, int] = (0, 128, 0), size: tuple[int, int] = (4, 4)) -> bytes:
    """A real (tiny) PNG: uploads are decoded and re-encoded, so fake bytes behind a PNG header are refused."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()
