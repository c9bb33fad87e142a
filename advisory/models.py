"""Advisory: reference data (self-diagnosis options R-ADV-2, the Progress Report 1 template R-RPT-2) and visits."""

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.querysets import PublicReferenceQuerySet
from betterwork.common.translations import ReferenceText, translate
from factories.models import Modality
from factories.querysets import FactoryInternalQuerySet, StaffOnlyQuerySet


class SelfDiagnosisOption(ReferenceText, models.Model):
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
    translated_fields = ("text",)

    class Meta:
        verbose_name = _("self-diagnosis option")
        verbose_name_plural = _("self-diagnosis options")
        ordering = ("cluster__position", "number")
        constraints = [
            models.UniqueConstraint(fields=("cluster", "number"), name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}-{self.number}"

    def translation_id(self) -> str:
        return f"{self.cluster_id}-{self.number}"


class ReportTemplate(ReferenceText, models.Model):
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
        """Every question, its texts in the active language (keys, types and choice values stay as stored)."""
        sections = self.translated_definition()["sections"]
        return [q for section in sections for part in section["parts"] for q in part["questions"]]

    def translation_id(self) -> str:
        return f"{self.key}/{self.version}"

    def _texts(self, definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(translation key, the dict holding the text, its field) for every text of `definition`."""
        prefix = f"{self._meta.label_lower}:{self.translation_id()}"
        for section in definition["sections"]:
            yield f"{prefix}:{section['key']}:title", section, "title"
            for part in section["parts"]:
                yield f"{prefix}:{section['key']}.{part['key']}:title", part, "title"
                for question in part["questions"]:
                    yield f"{prefix}:{question['key']}:text", question, "text"

    def translation_sources(self) -> Iterator[tuple[str, str]]:
        for key, holder, field in self._texts(self.definition):
            yield key, holder[field]
            for i, choice in enumerate(holder.get("choices", []) if field == "text" else []):
                yield f"{key}.choices.{i}", choice

    def translated_definition(self) -> dict[str, Any]:
        """A copy of the definition in the active language; a multiple-choice question keeps its stored
        `choices` and gains `choice_labels` to show."""
        definition = copy.deepcopy(self.definition)
        for key, holder, field in self._texts(definition):
            holder[field] = translate(key, holder[field])
            if "choices" in holder and field == "text":
                holder["choice_labels"] = [translate(f"{key}.choices.{i}", c) for i, c in enumerate(holder["choices"])]
        return definition


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


class ImprovementPlan(models.Model):
    """One plan per factory, shared by all its buyers (R-ADV-1). Created with its first item."""

    FACTORY_PATH = "factory"
    factory = models.OneToOneField("factories.Factory", on_delete=models.PROTECT, related_name="improvement_plan")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")

    def __str__(self) -> str:
        return str(_("Improvement plan of %(factory)s") % {"factory": self.factory})


class ImprovementPlanItem(models.Model):
    """One issue and what the factory does about it (R-ADV-2). Only advisory.services writes `status`."""

    class Source(models.TextChoices):
        SELF_DIAGNOSIS = "self_diagnosis", _("Self-diagnosis")
        ASSESSMENT = "assessment", _("Assessment")
        SEMINAR = "seminar", _("Industry seminar")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        VERIFY_NEXT_ASSESSMENT = "verify_next_assessment", _("Verify at next assessment")

    # The workflow (R-ADV-4): only the advisor completes, or defers to the next assessment.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.OPEN: frozenset({Status.IN_PROGRESS, Status.COMPLETED, Status.VERIFY_NEXT_ASSESSMENT}),
        Status.IN_PROGRESS: frozenset({Status.OPEN, Status.COMPLETED, Status.VERIFY_NEXT_ASSESSMENT}),
        Status.VERIFY_NEXT_ASSESSMENT: frozenset({Status.COMPLETED, Status.IN_PROGRESS}),
        Status.COMPLETED: frozenset(),
    }
    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {Status.OPEN, Status.IN_PROGRESS, Status.VERIFY_NEXT_ASSESSMENT}
    )

    FACTORY_PATH = "plan__factory"
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="items")
    cycle = models.ForeignKey(
        "factories.ServiceCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        help_text=_("The cycle the item is worked on in; open items move on to the next cycle (R-CYC-9)."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    cluster = models.ForeignKey("assessments.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT)
    option = models.ForeignKey(
        SelfDiagnosisOption, verbose_name=_("standard issue"), on_delete=models.PROTECT, null=True, blank=True
    )
    text = models.TextField(_("issue"), blank=True)
    action = models.TextField(_("planned or realised action"), blank=True)
    responsible = models.CharField(_("responsible person"), max_length=200, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.OPEN, db_index=True)
    critical_issue = models.ForeignKey(
        "assessments.CriticalIssue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question_code = models.CharField(_("assessment question"), max_length=30, blank=True)
    compliance_point = models.CharField(_("compliance point"), max_length=200, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="Where it came from: finding or seminar id.")
    parties_agree = models.BooleanField(default=False)
    communicated_to_staff = models.BooleanField(default=False)
    evidence_reviewed = models.BooleanField(default=False)
    completion_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("improvement-plan item")
        verbose_name_plural = _("improvement-plan items")
        ordering = ("cluster__position", "raised_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(option__isnull=False) | ~Q(text=""), name="%(app_label)s_%(class)s_has_an_issue"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed")
                | Q(
                    parties_agree=True,
                    communicated_to_staff=True,
                    evidence_reviewed=True,
                    completed_by__isnull=False,
                    completed_at__isnull=False,
                ),
                name="%(app_label)s_%(class)s_completed_with_three_checks",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("raised_on")),
                name="%(app_label)s_%(class)s_target_after_raised",
            ),
            models.UniqueConstraint(
                fields=("plan", "reference"), condition=~Q(reference=""), name="%(app_label)s_%(class)s_once_per_source"
            ),
        ]

    def __str__(self) -> str:
        return (self.text or (self.option.text if self.option_id else ""))[:60]


class ProgressReport(models.Model):
    """Progress Report 1 (month 5, written by the factory, R-RPT-2) and 2 (month 11, by the programme,
    R-RPT-3): a draft saved as it is written, submitted, then released to the factory's authorised buyers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RELEASED = "released", _("Released")

    FACTORY_PATH = "cycle__factory"
    cycle = models.ForeignKey("factories.ServiceCycle", on_delete=models.PROTECT, related_name="progress_reports")
    number = models.PositiveSmallIntegerField(_("report"), choices=[(1, "1"), (2, "2")])
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    computed = models.JSONField(default=dict, blank=True, help_text="Counts taken from the plan at submission.")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=("cycle", "number"), name="%(app_label)s_%(class)s_one_per_cycle"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="%(app_label)s_%(class)s_submitted"
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_at__isnull=False),
                name="%(app_label)s_%(class)s_released",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Progress Report')} {self.number} — {self.cycle}"


class CriticalSignOff(models.Model):
    """R-RPT-2: the advisor confirms a critical issue the factory reports as fully rectified in PR1."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="sign_offs")
    item = models.ForeignKey(ImprovementPlanItem, on_delete=models.PROTECT, related_name="sign_offs")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("report", "item"), name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.item_id}"


class ZeroToleranceCase(models.Model):
    """R-ADV-7: child labour, forced labour or another zero-tolerance issue found at any stage. The
    programme manager is alerted at once; the case follows its own protocol, whatever the cycle's state."""

    class Category(models.TextChoices):
        CHILD_LABOUR = "child_labour", _("Child labour")
        FORCED_LABOUR = "forced_labour", _("Forced labour")
        VIOLENCE = "violence", _("Violence or serious threat to workers")
        OTHER = "other", _("Other zero-tolerance issue")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    FACTORY_PATH = "factory"
    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="zero_tolerance_cases")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what was found"))
    visit = models.ForeignKey(AdvisoryVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assessment_reference = models.CharField(_("assessment"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(_("how it was resolved"), blank=True)

    objects: ClassVar[StaffOnlyQuerySet] = StaffOnlyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zero-tolerance case")
        verbose_name_plural = _("zero-tolerance cases")
        ordering = ("-opened_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(closure_note="")),
                name="%(app_label)s_%(class)s_closed_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} — {self.factory}"


class ZeroToleranceLogEntry(models.Model):
    """The case's own log: every step of its protocol, by whom, when."""

    case = models.ForeignKey(ZeroToleranceCase, on_delete=models.CASCADE, related_name="log")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("entry"))

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.at:%Y-%m-%d %H:%M}"
