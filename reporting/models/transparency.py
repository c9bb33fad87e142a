"""The public transparency portal's read model (R-PUB). The public side reads only these tables, written
at publication time from published assessments (RELIABILITY §2.5.5): drafts, plans and self-diagnosis can
never leak through a join.

- `PublicAssessment` / `PublicFinding`: for each published assessment, whether each critical issue was
  found non-compliant (a snapshot; a later correction rewrites it).
- `PublicListing` / `PublicListingIssue`: one precomputed row per listed factory (two or more published
  assessments since its country's launch of public reporting, R-PUB-1) and, per issue reported in its
  country (R-PUB-4), its state over the two most recent assessments (R-PUB-3) and the factory's moderated
  account of a fix (R-PUB-5).
- `Remediation` (+ files): the factory says an issue is fixed; shown, marked unverified, after moderation;
  the programme may verify it (date and how).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.querysets import PublicReferenceQuerySet
from factories.querysets import FactoryInternalQuerySet


class PublicAssessment(models.Model):
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, primary_key=True, related_name="public_snapshot"
    )
    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="public_assessments")
    country = models.ForeignKey("factories.Country", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    published_at = models.DateTimeField(_("published"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("published assessment")
        verbose_name_plural = _("published assessments")
        ordering = ("-assessed_on", "-pk")

    def __str__(self) -> str:
        return f"{self.factory_id} {self.assessed_on}"


class PublicFinding(models.Model):
    snapshot = models.ForeignKey(PublicAssessment, on_delete=models.CASCADE, related_name="findings")
    issue = models.ForeignKey("assessments.CriticalIssue", on_delete=models.PROTECT, related_name="+")
    non_compliant = models.BooleanField(_("non-compliant"))

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("published finding")
        verbose_name_plural = _("published findings")
        constraints = [
            models.UniqueConstraint(fields=("snapshot", "issue"), name="%(app_label)s_%(class)s_one_per_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.issue_id}"


class PublicListing(models.Model):
    factory = models.OneToOneField(
        "factories.Factory", on_delete=models.PROTECT, primary_key=True, related_name="public_listing"
    )
    name = models.CharField(_("name"), max_length=255)
    search_name = models.CharField(max_length=255, db_index=True)  # normalised for ?search=
    country = models.ForeignKey("factories.Country", on_delete=models.PROTECT, related_name="+")
    latest_assessed_on = models.DateField(_("most recent assessment"))
    previous_assessed_on = models.DateField(_("previous assessment"))
    non_compliant_count = models.PositiveSmallIntegerField(_("non-compliant issues"))
    full_compliance = models.BooleanField(_("full compliance"))
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal listing")
        verbose_name_plural = _("portal listings")
        ordering = ("country_id", "search_name", "factory_id")
        indexes = [models.Index(fields=("country", "search_name"), name="reporting_listing_country_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(previous_assessed_on__lte=models.F("latest_assessed_on")),
                name="%(app_label)s_%(class)s_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(full_compliance=False) | Q(non_compliant_count=0),
                name="%(app_label)s_%(class)s_full_compliance_has_no_issue",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)


class PublicListingIssue(models.Model):
    class State(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        NON_COMPLIANT = "non_compliant", _("Non-compliant")
        FACTORY_REPORTS_FIXED = "factory_reports_fixed", _("The factory reports it fixed (unverified)")
        VERIFIED = "verified", _("Fixed, verified by the programme")

    listing = models.ForeignKey(PublicListing, on_delete=models.CASCADE, related_name="issues")
    issue = models.ForeignKey("assessments.CriticalIssue", on_delete=models.PROTECT, related_name="+")
    latest = models.BooleanField(_("non-compliant in the most recent assessment"))
    previous = models.BooleanField(_("non-compliant in the previous assessment"))
    state = models.CharField(_("state"), max_length=24, choices=State.choices)
    remediation = models.ForeignKey(
        "reporting.Remediation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal issue")
        verbose_name_plural = _("portal issues")
        constraints = [
            models.UniqueConstraint(fields=("listing", "issue"), name="%(app_label)s_%(class)s_one_per_issue"),
        ]
        indexes = [models.Index(fields=("issue", "state"), name="reporting_listingissue_state")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.issue_id} {self.state}"


class Remediation(models.Model):
    """R-PUB-5: the factory's own account that a publicly reported issue is fixed."""

    FACTORY_PATH = "factory"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting moderation")
        APPROVED = "approved", _("Shown on the portal")
        REJECTED = "rejected", _("Not shown")

    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="remediations")
    issue = models.ForeignKey("assessments.CriticalIssue", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="remediations",
        help_text=_("The published assessment whose finding this answers."),
    )  # fmt: skip
    comment = models.TextField(_("comment"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification = models.TextField(_("how it was verified"), blank=True)

    history = HistoricalRecords()
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("remediation")
        verbose_name_plural = _("remediations")
        ordering = ("-submitted_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_on__isnull=True) | Q(status="approved"),
                name="%(app_label)s_%(class)s_verified_is_shown",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(moderated_at__isnull=False),
                name="%(app_label)s_%(class)s_moderated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory_id} {self.issue_id} {self.status}"


def remediation_path(instance: "RemediationFile", filename: str) -> str:
    return f"remediation/{instance.remediation.factory_id}/{instance.remediation_id}/{filename}"


class RemediationFile(models.Model):
    """A document or photo the factory adds; public only once its remediation is approved."""

    remediation = models.ForeignKey(Remediation, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=remediation_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("remediation file")
        verbose_name_plural = _("remediation files")
        ordering = ("pk",)

    def __str__(self) -> str:
        return str(self.name)
