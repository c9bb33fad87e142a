"""Buyers, their sourcing links, the factories' authorisations and the log of buyers' reads (R-REG-4, R-ACC)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.models import TimeStampedModel
from factories.querysets import BuyerAuthorisationQuerySet, BuyerQuerySet, BuyerReadQuerySet, SourcingLinkQuerySet


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


class BuyerAuthorisation(models.Model):
    """A factory lets a buyer see its reports (R-ACC-1). Revoking sets `revoked_at`; rows are never deleted."""

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="authorisations"
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
    history = HistoricalRecords()

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


class SourcingLink(models.Model):
    """A buyer sources from a factory (R-REG-4). Inert: only the factory's authorisation opens its reports."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Named by the factory when it registered")
        BUYER = "buyer", _("Requested by the buyer")
        STAFF = "staff", _("Recorded by programme staff")
        FACTORY = "factory", _("Authorised by the factory")

    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="sourcing_links")
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="sourcing_links"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[SourcingLinkQuerySet] = SourcingLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("sourcing link")
        verbose_name_plural = _("sourcing links")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("buyer", "factory"), name="%(app_label)s_%(class)s_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} ← {self.factory}"


class BuyerRead(models.Model):
    """One read by a buyer user of something a factory shared (R-ACC-2). The factory sees these rows."""

    class Kind(models.TextChoices):
        FACTORY_PROFILE = "factory_profile", _("Factory profile")
        ASSESSMENT_REPORT = "assessment_report", _("Assessment report")
        PROGRESS_REPORT = "progress_report", _("Progress report")
        IMPROVEMENT_PLAN = "improvement_plan", _("Improvement plan")

    factory = models.ForeignKey("factories.Factory", on_delete=models.CASCADE, related_name="buyer_reads")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("which"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="web")  # web, api, pdf
    read_at = models.DateTimeField(_("read"), auto_now_add=True, db_index=True)

    objects: ClassVar[BuyerReadQuerySet] = BuyerReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer read")
        verbose_name_plural = _("buyer reads")
        ordering = ("-read_at", "-id")
        indexes = [models.Index(fields=("factory", "-read_at"), name="factories_buyerread_factory_at")]

    def __str__(self) -> str:
        return f"{self.user} read {self.kind} of {self.factory} at {self.read_at:%Y-%m-%d %H:%M}"
