"""Advisory reference data: self-diagnosis options (R-ADV-2) and the Progress Report 1 template (R-RPT-2)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from betterwork.common.querysets import PublicReferenceQuerySet


class SelfDiagnosisOption(models.Model):
    """A standard issue a factory may pick for its self-diagnosis (service-model-2015 Appendix 1)."""

    cluster = models.ForeignKey(
        "assessments.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="self_diagnosis_options",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-diagnosis option")
        verbose_name_plural = _("self-diagnosis options")
        ordering = ("cluster__position", "number")
        constraints = [
            models.UniqueConstraint(fields=("cluster", "number"), name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}-{self.number}"


class ReportTemplate(models.Model):
    """A versioned questionnaire definition (sections → parts → questions), e.g. Progress Report 1."""

    key = models.CharField(_("key"), max_length=50)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    definition = models.JSONField(_("definition"))

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        constraints = [
            models.UniqueConstraint(fields=("key", "version"), name="%(app_label)s_%(class)s_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def questions(self) -> list[dict]:
        return [q for section in self.definition["sections"] for part in section["parts"] for q in part["questions"]]
