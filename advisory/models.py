"""Advisory: reference data (self-diagnosis options R-ADV-2, the Progress Report 1 template R-RPT-2) and visits."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.querysets import PublicReferenceQuerySet
from factories.querysets import FactoryInternalQuerySet


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


class Modality(models.TextChoices):
    """R-CTY-3: every visit, training session, seminar and assessment records how it took place."""

    ONSITE = "onsite", _("On site")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class AdvisoryVisit(models.Model):
    """An advisory visit (R-ADV-5). The first advisory visit of a paid factory with no open cycle is FV1:
    it starts the cycle (R-REG-2). Days count against the cycle's advisory allowance (R-CYC-7)."""

    class Kind(models.TextChoices):
        ADVISORY = "advisory", _("Advisory visit")
        FINAL_EVALUATION = "final_evaluation", _("Final evaluation visit")

    FACTORY_PATH = "factory"
    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="visits")
    cycle = models.ForeignKey("factories.ServiceCycle", on_delete=models.PROTECT, related_name="visits")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ADVISORY)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    days = models.DecimalField(
        _("days"), max_digits=3, decimal_places=1, validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(8)]
    )
    is_first_visit = models.BooleanField(_("first visit of the cycle (FV1)"), default=False, editable=False)
    onsite_exception = models.ForeignKey(
        "factories.OnsiteException", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    participants = models.TextField(_("participants"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    committee_meeting_held = models.BooleanField(_("a committee meeting took place"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advisory visit")
        verbose_name_plural = _("advisory visits")
        ordering = ("-date", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=Decimal("0.5")), name="%(app_label)s_%(class)s_days_positive"),
            models.UniqueConstraint(
                fields=("cycle",), condition=Q(is_first_visit=True), name="%(app_label)s_%(class)s_one_fv1_per_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.factory} — {self.date}"
