"""The assessment tool's reference data: clusters and critical issues (R-ASM-1, R-PUB)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from betterwork.common.querysets import PublicReferenceQuerySet
from betterwork.common.translations import ReferenceText


class Cluster(ReferenceText, models.Model):
    """One of the eight compliance clusters (plus Process Integrity, home of critical issue PI-1)."""

    class Kind(models.TextChoices):
        CORE = "core", _("Core labour standard")
        WORKING_CONDITIONS = "working_conditions", _("Working conditions")
        PROCESS = "process", _("Process integrity")

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()
    translated_fields = ("name",)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ("position",)

    def __str__(self) -> str:
        return self.tr.name


class CriticalIssue(ReferenceText, models.Model):
    """One of the 27 publicly reported critical issues (service-model-2015 Appendix 4)."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(_("title"), max_length=300)
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("When non-compliance arises, for the public portal (R-PUB).")
    )
    not_reported_in = models.ManyToManyField(
        "factories.Country",
        through="CriticalIssueException",
        verbose_name=_("not reported in"),
        related_name="unreported_issues",
        blank=True,
    )

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()
    translated_fields = ("title", "explanation")

    class Meta:
        verbose_name = _("critical issue")
        verbose_name_plural = _("critical issues")
        ordering = ("number",)

    def __str__(self) -> str:
        return f"{self.code} {self.tr.title}"


class CriticalIssueException(ReferenceText, models.Model):
    """A country where an issue is left out of public reporting, and why (R-PUB-4)."""

    issue = models.ForeignKey(CriticalIssue, on_delete=models.CASCADE, related_name="exceptions")
    country = models.ForeignKey("factories.Country", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))

    translated_fields = ("reason",)

    class Meta:
        verbose_name = _("country exception")
        verbose_name_plural = _("country exceptions")
        constraints = [
            models.UniqueConstraint(fields=("issue", "country"), name="%(app_label)s_%(class)s_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} / {self.country_id}"

    def translation_id(self) -> str:
        return f"{self.issue_id}/{self.country_id}"
