"""Rendered PDFs (R-RPT-5): produced by Celery, stored privately, reused until their data changes.

A document is identified by what it shows (`kind`, `object_id`), the reader's language, and a
`fingerprint` of the data it was made from: when the data changes, the fingerprint changes and a new
document is made; the row with the old fingerprint is never served again.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from betterwork.common.querysets import PublicReferenceQuerySet


class RenderedDocument(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT_REPORT = "assessment_report", _("Assessment report")
        PROGRESS_REPORT = "progress_report", _("Progress report")
        IMPROVEMENT_PLAN = "improvement_plan", _("Improvement plan")
        CERTIFICATE = "certificate", _("Certificate of attendance")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    language = models.CharField(_("language"), max_length=8)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True, max_length=300)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    # Who may read a document is decided by the object it shows (the views check that first).
    objects = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "object_id", "language", "fingerprint"), name="%(app_label)s_%(class)s_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="%(app_label)s_%(class)s_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.language}"
