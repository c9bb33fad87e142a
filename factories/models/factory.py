"""Country programmes, factories, their service cycles and invoices (R-CTY, R-REG)."""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.models import TimeStampedModel
from betterwork.common.translations import ReferenceText
from factories.querysets import CountryQuerySet, FactoryInternalQuerySet, FactoryQuerySet, ServiceCycleQuerySet


class Sector(models.TextChoices):
    APPAREL = "apparel", _("Apparel")
    FOOTWEAR = "footwear", _("Footwear")


class Country(ReferenceText, models.Model):
    """A country programme (R-CTY-1). Loaded by `migrate` from factories/data/countries.json."""

    class Programme(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory")
        VOLUNTARY = "voluntary", _("Voluntary")

    class Phase(models.IntegerChoices):
        SUSPENDED = 1, _("Phase 1: production suspended, no on-site visits")
        PARTIAL = 2, _("Phase 2: production partly resumed, no on-site visits")
        ONSITE = 3, _("Phase 3: on-site visits possible")

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    sectors = models.JSONField(_("sectors"), default=list)
    languages = models.JSONField(_("languages"), default=list)
    phase = models.PositiveSmallIntegerField(_("service phase"), choices=Phase.choices, default=Phase.ONSITE)
    public_reporting_since = models.DateField(_("public reporting since"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    annual_fee = models.DecimalField(
        _("annual service fee"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("5000.00"),
        help_text=_("Invoiced for each cycle of advisory and assessment; set by the programme manager."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    objects: ClassVar[CountryQuerySet] = CountryQuerySet.as_manager()
    translated_fields = ("name",)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=[1, 2, 3]), name="%(app_label)s_%(class)s_phase_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.tr.name

    def local_today(self) -> date:
        """Today in the country (deadlines such as the feedback period end at its midnight, R-ASM-6)."""
        return localdate(timezone=ZoneInfo(self.timezone))


class Modality(models.TextChoices):
    """R-CTY-3: every visit, training session, seminar and assessment records how it took place."""

    ONSITE = "onsite", _("On site")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class ProductionStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUSPENDED = "suspended", _("Suspended")


class Factory(TimeStampedModel):
    """A garment or footwear factory served by a country programme. Status moves only through
    factories.services (approval, payment, suspension, exit); every change is kept in `history`."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXITED = "exited", _("Exited")

    class Stage(models.IntegerChoices):
        ONE = 1, _("Stage 1")
        TWO = 2, _("Stage 2")

    name = models.CharField(_("legal name"), max_length=200)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="factories")
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, default=Sector.APPAREL)
    address = models.TextField(_("address"), blank=True)
    workers = models.PositiveIntegerField(_("workers"), validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    women_percent = models.DecimalField(
        _("share of women (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT, db_index=True
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.ONE)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enterprise advisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advised_factories",
    )
    os_id = models.CharField(_("Open Supply Hub ID"), max_length=20, blank=True)
    production_status = models.CharField(
        _("production"),
        max_length=10,
        choices=ProductionStatus.choices,
        default=ProductionStatus.RUNNING,
        help_text=_("A factory whose production is suspended is served as in phase 1 (R-CTY-2)."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # Lower-case name without punctuation or legal-form words: finds likely duplicates (factories.names).
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    exit_reason = models.TextField(_("reason for leaving the programme"), blank=True)

    objects: ClassVar[FactoryQuerySet] = FactoryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["normalized_name", "updated_at"])

    class Meta:
        verbose_name = _("factory")
        verbose_name_plural = _("factories")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=("country", "name"), name="%(app_label)s_%(class)s_unique_name_in_country"),
            models.CheckConstraint(
                condition=Q(women_percent__gte=0, women_percent__lte=100),
                name="%(app_label)s_%(class)s_women_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(workers__gte=1), name="%(app_label)s_%(class)s_workers_positive"),
            models.CheckConstraint(condition=Q(stage__in=[1, 2]), name="%(app_label)s_%(class)s_stage_1_or_2"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceCycle(TimeStampedModel):
    """One factory's annual service cycle. Day 0 is the first advisory visit, FV1 (R-REG-2, R-CYC)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    factory = models.ForeignKey(Factory, verbose_name=_("factory"), on_delete=models.PROTECT, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("cycle number"))
    start_date = models.DateField(_("start (FV1)"))
    end_date = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    objects: ClassVar[ServiceCycleQuerySet] = ServiceCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("service cycle")
        verbose_name_plural = _("service cycles")
        ordering = ("factory", "number")
        constraints = [
            models.UniqueConstraint(fields=("factory", "number"), name="%(app_label)s_%(class)s_unique_number"),
            models.UniqueConstraint(
                fields=("factory",), condition=Q(status="open"), name="%(app_label)s_%(class)s_one_open_per_factory"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.factory} — {_('cycle')} {self.number}"

    def day(self, on: date) -> int:
        """Days since FV1 (day 0)."""
        return (on - self.start_date).days


class Invoice(TimeStampedModel):
    """The service fee for one cycle of one factory (R-REG-1/3). Paid invoices start or renew services."""

    factory = models.ForeignKey(Factory, verbose_name=_("factory"), on_delete=models.PROTECT, related_name="invoices")
    cycle_number = models.PositiveSmallIntegerField(_("for cycle"))
    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    issued_on = models.DateField(_("issued"))
    due_on = models.DateField(_("due"))
    paid_on = models.DateField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    FACTORY_PATH = "factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("factory", "cycle_number")
        constraints = [
            models.UniqueConstraint(fields=("factory", "cycle_number"), name="%(app_label)s_%(class)s_one_per_cycle"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("issued_on")), name="%(app_label)s_%(class)s_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | Q(paid_on__gte=models.F("issued_on")),
                name="%(app_label)s_%(class)s_paid_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class OnsiteException(models.Model):
    """R-CTY-3: a programme manager allows on-site activity at one factory despite its service phase,
    for a period, with a reason (e.g. a critical issue emerged)."""

    FACTORY_PATH = "factory"
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="onsite_exceptions")
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("on-site exception")
        verbose_name_plural = _("on-site exceptions")
        ordering = ("-valid_from",)
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="%(app_label)s_%(class)s_valid_range"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.factory}: {self.valid_from}–{self.valid_until}"
