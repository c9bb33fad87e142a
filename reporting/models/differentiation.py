"""Service differentiation (R-DIF): an evaluation of the nine criteria for one factory, once it has had at
least two assessments. Criteria 1, 6 and 7 are computed; the others are judged by the enterprise advisor
with a recorded rationale. The stage itself lives on the factory (with its history); an evaluation records
the stage it led to. Visible to programme staff, the factory and its authorised buyers, never the public."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reporting.querysets import EvaluationQuerySet


class Evaluation(models.Model):
    FACTORY_PATH = "factory"

    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="evaluations")
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessments_counted = models.PositiveSmallIntegerField(_("assessments counted"))
    all_met = models.BooleanField(_("all criteria met"))
    stage_before = models.PositiveSmallIntegerField(_("stage before"))
    stage_after = models.PositiveSmallIntegerField(_("stage after"))
    feedback = models.TextField(_("feedback to the factory"), blank=True)

    history = HistoricalRecords()
    objects: ClassVar[EvaluationQuerySet] = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("differentiation evaluation")
        verbose_name_plural = _("differentiation evaluations")
        ordering = ("-evaluated_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage_after=1) | models.Q(all_met=True, assessments_counted__gte=2),
                name="%(app_label)s_%(class)s_stage_2_needs_all_met",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory_id} {self.evaluated_on}"


class CriterionJudgement(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="judgements")
    criterion = models.ForeignKey("reporting.DifferentiationCriterion", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"))
    computed = models.BooleanField(_("computed by the platform"))
    rationale = models.TextField(_("rationale"))

    class Meta:
        verbose_name = _("criterion judgement")
        verbose_name_plural = _("criterion judgements")
        ordering = ("criterion_id",)
        constraints = [
            models.UniqueConstraint(fields=("evaluation", "criterion"), name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} #{self.criterion_id}"


class ProgressFeedback(models.Model):
    """R-DIF-4: the enterprise advisor's written feedback on the factory's progress toward the criteria, at any
    time (before two assessments too). Kept as written: feedback is added, never edited."""

    FACTORY_PATH = "factory"

    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="progress_feedback")
    written_on = models.DateField(_("written on"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("feedback"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[EvaluationQuerySet] = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback on progress toward stage 2")
        verbose_name_plural = _("feedback on progress toward stage 2")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="%(app_label)s_%(class)s_text_given"),
        ]

    def __str__(self) -> str:
        return f"{self.factory_id} {self.written_on}"
