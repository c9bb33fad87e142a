"""A factory's registration form and its review by the programme (R-REG-1)."""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.models import TimeStampedModel
from factories.models.factory import Sector
from factories.querysets import RegistrationQuerySet


class Registration(TimeStampedModel):
    """Submitted by anyone (no account). Staff approve it (a factory and its first invoice), reject it with
    a reason, or ask for changes (the contact gets a signed link to edit and resubmit)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # Moves a review may make; a resubmission takes CHANGES_REQUESTED back to SUBMITTED.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.SUBMITTED: frozenset({Status.APPROVED, Status.REJECTED, Status.CHANGES_REQUESTED}),
        Status.CHANGES_REQUESTED: frozenset({Status.SUBMITTED, Status.REJECTED}),
        Status.APPROVED: frozenset(),
        Status.REJECTED: frozenset(),
    }

    factory_name = models.CharField(_("legal name of the factory"), max_length=200)
    country = models.ForeignKey("factories.Country", verbose_name=_("country"), on_delete=models.PROTECT)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    address = models.TextField(_("address"))
    workers = models.PositiveIntegerField(_("workers"), validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    women_percent = models.DecimalField(
        _("share of women (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    buyers = models.JSONField(_("buyers supplied"), default=list, blank=True)
    os_id = models.CharField(_("Open Supply Hub ID"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False, default="")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.TextField(_("note to the factory"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    factory = models.OneToOneField(
        "factories.Factory", on_delete=models.PROTECT, null=True, blank=True, related_name="registration"
    )

    objects: ClassVar[RegistrationQuerySet] = RegistrationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["normalized_name", "updated_at"])

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="approved", factory__isnull=False)
                | (~Q(status="approved") & Q(factory__isnull=True)),
                name="%(app_label)s_%(class)s_approved_has_factory",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "changes_requested"]) | ~Q(review_note=""),
                name="%(app_label)s_%(class)s_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(women_percent__gte=0, women_percent__lte=100),
                name="%(app_label)s_%(class)s_women_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(workers__gte=1), name="%(app_label)s_%(class)s_workers_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.factory_name} ({self.country_id}, {self.get_status_display()})"
