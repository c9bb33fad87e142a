"""Reporting reference data: the nine differentiation criteria (R-DIF-2)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from betterwork.common.querysets import PublicReferenceQuerySet
from betterwork.common.translations import ReferenceText


class DifferentiationCriterion(ReferenceText, models.Model):
    """One of the nine criteria a factory must meet to reach stage 2 (service-model-2015 Appendix 3)."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    criterion = models.TextField(_("criterion"))
    indicator = models.TextField(_("indicator"))
    evaluated_by = models.CharField(_("evaluated by"), max_length=200)
    questions = models.JSONField(_("questions"), default=list, blank=True)  # criterion 7: the 14 questions

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()
    translated_fields = ("criterion", "indicator")

    class Meta:
        verbose_name = _("differentiation criterion")
        verbose_name_plural = _("differentiation criteria")
        ordering = ("number",)

    def __str__(self) -> str:
        return f"{self.number}. {self.tr.criterion[:60]}"
