"""Country programmes, factories, service cycles and buyers (R-CTY, R-REG, R-ACC)."""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from betterwork.common.models import TimeStampedModel
from factories.querysets import (
    BuyerAuthorisationQuerySet,
    BuyerQuerySet,
    CountryQuerySet,
    FactoryQuerySet,
    ServiceCycleQuerySet,
)


class Sector(models.TextChoices):
    APPAREL = "apparel", _("Apparel")
    FOOTWEAR = "footwear", _("Footwear")


class Country(models.Model):
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

    objects: ClassVar[CountryQuerySet] = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=[1, 2, 3]), name="%(app_label)s_%(class)s_phase_1_to_3"),
        ]

    def __str__(self) -> str:
        return str(self.name)


class Buyer(TimeStampedModel):
    """A brand or retailer that sources from programme factories (R-REG-4)."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    objects: ClassVar[BuyerQuerySet] = BuyerQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Factory(TimeStampedModel):
    """A garment or footwear factory served by a country programme."""

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

    objects: ClassVar[FactoryQuerySet] = FactoryQuerySet.as_manager()

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


class BuyerAuthorisation(models.Model):
    """A factory lets a buyer see its reports (R-ACC-1). Revoking sets `revoked_at`; rows are never deleted."""

    factory = models.ForeignKey(
        Factory, verbose_name=_("factory"), on_delete=models.PROTECT, related_name="authorisations"
    )
    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="authorisations")
    granted_at = models.DateTimeField(_("granted"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[BuyerAuthorisationQuerySet] = BuyerAuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer authorisation")
        verbose_name_plural = _("buyer authorisations")
        ordering = ("-granted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("factory", "buyer"),
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("granted_at")),
                name="%(app_label)s_%(class)s_revoked_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory} → {self.buyer}"
